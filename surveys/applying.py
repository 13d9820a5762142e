"""Apply a checked plan in one transaction (undoing an import: surveys.undoing).

Writes go in batches (bulk_create / bulk_update) with their django-simple-history rows
created in bulk too, so that an import of ten thousand rows takes a few hundred queries
and still shows in every organisation's history.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from operator import itemgetter

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.bulk import TableWriter, max_query_params, prepared_default
from needs.models import OrganisationNeed
from networks.models import Membership, Network
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Source,
    Theme,
)
from surveys.id_runs import Runs, add_ids
from surveys.models import ImportBatch, ImportMapping
from surveys.planning.plan import Action, ImportPlan, RowPlan
from surveys.writing_services import write_services

BATCH_SIZE = 1000
# Rows of the file whose records are built and written together.
CHUNK_ROWS = 2000
# Link models and the plan entry that feeds them, in the order they are written.
_CATALOGUE_LINKS = [
    ("zones", OrganisationZone, "zone_id"),
    ("themes", OrganisationTheme, "theme_id"),
    ("partners", Partnership, "partner_id"),
    ("networks", Membership, "network_id"),
]
_CREATABLE_MODELS = {"themes": Theme, "partners": Partner, "networks": Network}


class PlanHasErrors(Exception):
    pass


def _label(model) -> str:
    return model._meta.label


def apply_plan(
    plan: ImportPlan,
    *,
    mapping: ImportMapping,
    user,
    file_name: str,
    checksum: str,
    allow_create: tuple[str, ...] = (),
    progress: Callable[[int, int], None] | None = None,
    save_mapping: bool = False,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
) -> ImportBatch:
    """Write the whole plan or nothing; with ``mode`` SET_ASIDE, the rows without errors.

    ``progress(done, total)`` is called before the first and after each writing step;
    ``save_mapping`` saves the mapping (a file given on the command line) with the import.
    """
    set_aside = sum(1 for row in plan.rows if row.errors)
    # Columns the mapping names and the file lacks concern every row: nothing can be applied.
    if plan.missing_columns or (set_aside and mode != ImportBatch.Mode.SET_ASIDE):
        raise PlanHasErrors(_("The file has rows in error; nothing was imported."))
    if set_aside == len(plan.rows):
        raise PlanHasErrors(_("Every row of the file is in error; nothing was imported."))
    now = timezone.now()
    with transaction.atomic():
        if save_mapping:
            mapping.save()
        source, source_created = _source(plan, mapping)
        batch = ImportBatch.objects.create(
            mapping=mapping,
            mapping_definition=mapping.definition,
            file_name=file_name[:255],
            checksum=checksum,
            on_existing=plan.on_existing,
            allow_create=",".join(allow_create),
            source=source,
            user=user,
            applied_at=now,
            counts=plan.counts,
            mode=mode,
            rows_applied=len(plan.rows) - set_aside,
            rows_set_aside=set_aside,
        )
        writer = _Writer(batch, user, now, source, plan)
        steps = [writer.create_catalogue_entries, writer.write_organisations, writer.write_links]
        if plan.mapping.services:
            steps.append(partial(write_services, writer))
        report = progress or (lambda done, total: None)
        report(0, len(steps))
        for done, step in enumerate(steps, start=1):
            step()
            report(done, len(steps))
        batch.copy_statements = writer.inserter.copies
        if source_created:  # undo removes it with the rest
            add_ids(writer.created[_label(Source)], [source.pk])
        batch.created = {label: ids for label, ids in writer.created.items() if ids}
        batch.updated = {label: rows for label, rows in writer.updated.items() if rows}
        batch.save(update_fields=["created", "updated"])
    return batch


def _source(plan: ImportPlan, mapping: ImportMapping) -> tuple[Source, bool]:
    """The mapping's source, or one named after the mapping: imported records always have one;
    and whether this import created it."""
    spec = plan.mapping.source or {"code": f"survey-{mapping.slug}"[:80], "document": mapping.name}
    return Source.objects.get_or_create(
        code=spec["code"],
        defaults={
            "kind": Source.Kind.SURVEY,
            "document": spec["document"],
            "section": spec.get("section", ""),
            "year": spec.get("year"),
        },
    )


class _Writer:
    def __init__(self, batch, user, now, source, plan: ImportPlan):
        self.now = now
        self.plan = plan
        # For Django's bulk writes, used where the fast paths do not apply (SQLite < 3.35).
        self.history = {
            "default_user": user,
            "default_change_reason": batch.change_reason,
            "default_date": now,
            "batch_size": BATCH_SIZE,
        }
        self.source_id = source.pk
        self.inserter = _Inserter(now, user, batch.change_reason)
        # By model, the ids created as runs (surveys.id_runs): they are kept for undo.
        self.created: dict[str, Runs] = defaultdict(list)
        self.updated: dict[str, dict[str, dict]] = {}
        self.new_entries: dict[str, dict[str, int]] = {}
        self.org_ids: dict[int, int] = {}
        # A row applied confirms its organisation's information (written with the row).
        self.verified = {"verified_at": now, "verified_by": Organisation.VerifiedBy.IMPORT}

    def create_catalogue_entries(self) -> None:
        # Entries named only by rows set aside are not created: they come back with them.
        named_by = {True: set(), False: set()}
        for row in self.plan.rows:
            for kind in self.plan.creations:
                named_by[bool(row.errors)].update(
                    (kind, value[1])
                    for value in row.links.get(kind, [])
                    if isinstance(value, tuple)
                )
        left_out = named_by[True] - named_by[False]
        for kind, all_names in self.plan.creations.items():
            names = {key: name for key, name in all_names.items() if (kind, key) not in left_out}
            if not names:
                continue
            model = _CREATABLE_MODELS[kind]
            slugs = _unique_slugs(model, list(names.values()))
            records = [
                {
                    "name": name,
                    "slug": slug,
                    "source_id": self.source_id,
                    **self._creation_defaults(kind),
                }
                for name, slug in zip(names.values(), slugs, strict=True)
            ]
            ids = self._create(model, records)
            self.new_entries[kind] = dict(zip(names, ids, strict=True))

    @staticmethod
    def _creation_defaults(kind: str) -> dict:
        # A network's level is required; staff correct it after the import if needed.
        return {"level": Network.Level.NATIONAL} if kind == "networks" else {}

    def write_organisations(self) -> None:
        defaults = self.plan.mapping.defaults
        new_rows = [row for row in self.plan.rows if row.action == Action.NEW]
        slugs = _unique_slugs(
            Organisation,
            [row.name for row in new_rows],
            [row.links.get("slug", "") for row in new_rows],
        )
        status = defaults.get("status", Organisation.Status.DRAFT)
        survey_status = defaults.get("survey_status", Organisation.SurveyStatus.REGISTERED)
        for start in range(0, len(new_rows), CHUNK_ROWS):
            chunk = new_rows[start : start + CHUNK_ROWS]
            # A row's own status, survey status and source (columns of a full export) win.
            records = [
                {
                    "source_id": self.source_id,
                    "status": status,
                    "survey_status": survey_status,
                    **row.values,
                    "slug": slug,
                    "search_text": row.search_text,
                    **self.verified,
                }
                for row, slug in zip(chunk, slugs[start : start + CHUNK_ROWS], strict=True)
            ]
            ids = self._create(Organisation, records)
            for row, org_id in zip(chunk, ids, strict=True):
                self.org_ids[row.row] = org_id

        update_rows = [row for row in self.plan.rows if row.action == Action.UPDATE]
        for row in update_rows:
            self.org_ids[row.row] = row.organisation_id
        changed = [row for row in update_rows if row.values or row.search_text]
        self.updated[_label(Organisation)] = before = {}
        for start in range(0, len(changed), CHUNK_ROWS):
            self._update_organisations(changed[start : start + CHUNK_ROWS], before)

    def _update_organisations(self, changed: list[RowPlan], before: dict[str, dict]) -> None:
        """Set the rows' values on their organisations, keeping what they replace (undo)."""
        current = Organisation.objects.in_bulk([row.organisation_id for row in changed])
        fields = {"version", "search_text", "updated_at", *self.verified}
        orgs = []
        for row in changed:
            org = current[row.organisation_id]
            saved = {"version": org.version, "search_text": org.search_text}
            # Undoing the import restores the verification it replaced.
            saved["verified_at"] = org.verified_at.isoformat() if org.verified_at else None
            saved["verified_by"] = org.verified_by
            for attname, value in row.values.items():
                saved[attname] = getattr(org, attname)
                setattr(org, attname, value)
                fields.add(attname)
            before[str(org.pk)] = saved
            org.version += 1
            org.search_text = row.search_text
            org.updated_at = self.now
            org.verified_at, org.verified_by = self.now, self.verified["verified_by"]
            orgs.append(org)
        if orgs and connection.features.can_return_rows_from_bulk_insert:
            self.inserter.update_with_history(Organisation, orgs, sorted(fields))
        elif orgs:
            bulk_update_with_history(orgs, Organisation, sorted(fields), **self.history)

    def write_links(self) -> None:
        """Every part of the organisations written, one table after another."""
        rows = [row for row in self.plan.rows if row.row in self.org_ids]
        for target, model, column in _CATALOGUE_LINKS:
            self._create_for_rows(model, rows, partial(self._catalogue_links, target, column))
        self._create_for_rows(OrganisationAlias, rows, _aliases)
        public = bool(self.plan.mapping.defaults.get("channels_public", False))
        self._create_for_rows(ContactChannel, rows, partial(_channels, public))
        self._create_for_rows(Office, rows, _offices)
        self._create_for_rows(OrganisationNeed, rows, _needs)
        self._create_for_rows(ContactPerson, rows, lambda row: row.links["contacts"])
        scheme = self.plan.mapping.identifier_scheme
        self._create_for_rows(OrganisationIdentifier, rows, partial(_identifiers, scheme))

    def _catalogue_links(self, target: str, column: str, row: RowPlan) -> Iterator[dict]:
        # What a partner supports, a network role (full exports): by entry id.
        return (
            {
                column: self._entry_id(target, value),
                **row.links.get(f"{target}_details", {}).get(value, {}),
            }
            for value in row.links.get(target, [])
        )

    def _entry_id(self, target: str, value) -> int:
        if isinstance(value, tuple):  # ("new", folded name): created above
            return self.new_entries[target][value[1]]
        return value

    def _create_for_rows(self, model, rows, parts) -> None:
        """One record per part of each row, tied to the row's organisation; the records of
        CHUNK_ROWS rows at a time (a row has a dozen parts: memory stays flat)."""
        with_source = any(f.name == "source" for f in model._meta.concrete_fields)
        extra = {"source_id": self.source_id} if with_source else {}
        for start in range(0, len(rows), CHUNK_ROWS):
            records = [
                {**part, **extra, "organisation_id": self.org_ids[row.row]}
                for row in rows[start : start + CHUNK_ROWS]
                for part in parts(row)
            ]
            self._create(model, records)

    def _create(self, model, records: list[dict]) -> list[int]:
        if not records:
            return []
        if not connection.features.can_return_rows_from_bulk_insert:
            # Old SQLite (< 3.35): Django's bulk_create reads the new ids back itself.
            objects = [model(**record) for record in records]
            if hasattr(model, "history"):
                objects = bulk_create_with_history(objects, model, **self.history)
            else:
                objects = model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
            ids = [obj.pk for obj in objects]
        elif hasattr(model, "history"):
            ids = self.inserter.insert_with_history(model, records)
        else:
            ids = self.inserter.insert(model, records)
        add_ids(self.created[_label(model)], ids)
        return ids


def _aliases(row: RowPlan) -> Iterator[dict]:
    return ({"name": name} for name in row.links["aliases"])


def _channels(public: bool, row: RowPlan) -> Iterator[dict]:
    """The row's channels; the mapping's default decides where the file did not say."""
    return (
        {
            "kind": kind,
            "value": value,
            "to_verify": to_verify,
            "verification_note": note[:255],
            "is_public": public if is_public is None else is_public,
            "label": label,
            "position": position,
        }
        for position, (kind, value, to_verify, note, is_public, label) in enumerate(
            row.links["channels"]
        )
    )


def _offices(row: RowPlan) -> Iterator[dict]:
    return (
        {"kind": kind, "address": address, "zone_id": zone_id}
        for kind, address, zone_id in row.links.get("offices", [])
    )


def _needs(row: RowPlan) -> Iterator[dict]:
    return (
        {
            "category_id": category_id,
            "activity_id": activity_id,
            "is_public": is_public,
            **details,
        }
        for category_id, activity_id, is_public, _key, details in row.links.get("needs", [])
    )


def _identifiers(scheme: str, row: RowPlan) -> list[dict]:
    """The row's identifier in the mapping's scheme, and those of a full export."""
    return [
        *(
            [{"scheme": scheme, "value": row.links["identifier"]}]
            if row.links.get("identifier")
            else []
        ),
        *({"scheme": s, "value": v} for s, v in row.links.get("identifiers", [])),
    ]


class _Inserter:
    """Multi-row INSERT … RETURNING id (COPY on PostgreSQL), with the simple-history rows
    written alongside.

    Django's bulk_create builds and compiles a model instance per row; an import of ten
    thousand rows writes some 250,000 records and history rows, so rows are built here
    as tuples. Records hold plain values (text, numbers, booleans, None, ids); the
    defaults, including auto_now dates, are prepared for the database once per model.
    """

    def __init__(self, now, user, reason: str):
        self.now = now
        self.user_id = user.pk if user is not None else None
        self.reason = reason
        self.max_params = max_query_params()
        self.writers: dict[type, TableWriter] = {}

    @property
    def copies(self) -> int:
        """COPY statements sent: they do not pass through Django's query hooks."""
        return sum(writer.copies for writer in self.writers.values())

    def _write(self, model, rows: list[tuple], returning_ids: bool = False) -> list[int]:
        if model not in self.writers:
            self.writers[model] = TableWriter(model, now=self.now)
        return self.writers[model].insert(rows, returning_ids=returning_ids)

    def _template(self, model) -> tuple[list, list]:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        return fields, [prepared_default(f, self.now) for f in fields]

    def insert(self, model, records: list[dict]) -> list[int]:
        ids, _rows = self._insert_rows(model, records)
        return ids

    def _insert_rows(self, model, records: list[dict]) -> tuple[list[int], list[tuple]]:
        fields, defaults = self._template(model)
        names = [f.attname for f in fields]
        rows = [tuple(map(record.get, names, defaults)) for record in records]
        ids = self._write(model, rows, returning_ids=True)
        return ids, rows

    def insert_with_history(self, model, records: list[dict]) -> list[int]:
        ids, rows = self._insert_rows(model, records)
        history_model = model.history.model
        history_fields, history_defaults = self._template(history_model)
        fixed = {
            "history_date": connection.ops.adapt_datetimefield_value(self.now),
            "history_type": "+",
            "history_change_reason": self.reason,
            "history_user_id": self.user_id,
        }
        # Each history row is picked from (id, *row, *fixed values, *history defaults) by
        # position, so that it is built in C rather than value by value.
        names = [model._meta.pk.attname]
        names += [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        names += list(fixed)
        position = {name: index for index, name in enumerate(names)}
        tail = (*fixed.values(), *history_defaults)
        picks = [
            position.get(f.attname, len(names) + index) for index, f in enumerate(history_fields)
        ]
        pick = itemgetter(*picks)
        history_rows = [pick((pk, *row, *tail)) for pk, row in zip(ids, rows, strict=True)]
        self._write(history_model, history_rows)
        return ids

    def update_with_history(self, model, objects: list, attnames: list[str]) -> None:
        """UPDATE … FROM (VALUES …) in batches, then the "changed" history rows."""
        meta = model._meta
        fields = [meta.get_field(attname) for attname in attnames]
        quote = connection.ops.quote_name
        # PostgreSQL types VALUES columns from the text it is sent; SQLite needs no cast
        # (and CAST(… AS datetime) would turn its dates into numbers).
        cast = connection.vendor == "postgresql"
        placeholders = ", ".join(
            f"CAST(%s AS {f.cast_db_type(connection)})" if cast else "%s"
            for f in [meta.pk, *fields]
        )
        assignments = ", ".join(
            f"{quote(f.column)} = v.column{index}" for index, f in enumerate(fields, start=2)
        )
        table = quote(meta.db_table)
        per_statement = max(1, min(BATCH_SIZE, self.max_params // (len(fields) + 1)))
        with connection.cursor() as cursor:
            for start in range(0, len(objects), per_statement):
                chunk = objects[start : start + per_statement]
                values = ", ".join([f"({placeholders})"] * len(chunk))
                params = [
                    f.get_db_prep_save(getattr(obj, f.attname), connection)
                    for obj in chunk
                    for f in [meta.pk, *fields]
                ]
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "
                    f"WHERE {table}.{quote(meta.pk.column)} = v.column1",
                    params,
                )
        history_model = model.history.model
        history_fields, defaults = self._template(history_model)
        fixed = {
            "history_date": connection.ops.adapt_datetimefield_value(self.now),
            "history_type": "~",
            "history_change_reason": self.reason,
            "history_user_id": self.user_id,
        }
        rows = [
            tuple(
                fixed[f.attname]
                if f.attname in fixed
                else f.get_db_prep_save(getattr(obj, f.attname), connection)
                if hasattr(obj, f.attname)
                else default
                for f, default in zip(history_fields, defaults, strict=True)
            )
            for obj in objects
        ]
        self._write(history_model, rows)


def _unique_slugs(model, names: list[str], wanted: list[str] | None = None) -> list[str]:
    """Slugs free in the table and among themselves; one query for the taken ones.

    A wanted slug (the file's own) is kept when free, else it is the base of a new one.
    """
    max_length = model._meta.get_field("slug").max_length
    taken = set(model.objects.values_list("slug", flat=True))
    slugs = []
    for name, slug in zip(names, wanted or [""] * len(names), strict=True):
        if slug and slug not in taken:
            taken.add(slug)
            slugs.append(slug)
            continue
        base = (slug or slugify(name)[: max_length - 8].strip("-")) or model._meta.model_name
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs
