"""Apply a checked plan in one transaction, and undo a whole import.

Writes go in batches (bulk_create / bulk_update) with their django-simple-history rows
created in bulk too, so that an import of ten thousand rows takes a few hundred queries
and still shows in every organisation's history.
"""

from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from networks.models import Membership, Network
from organisations.models import (
    ContactChannel,
    ContactPerson,
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
from surveys.models import ImportBatch, ImportMapping
from surveys.planning import Action, ImportPlan

BATCH_SIZE = 1000
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


class UndoRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


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
) -> ImportBatch:
    """Write the whole plan or nothing."""
    if plan.has_errors:
        raise PlanHasErrors(_("The file has rows in error; nothing was imported."))
    now = timezone.now()
    with transaction.atomic():
        source = _source(plan)
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
        )
        writer = _Writer(batch, user, now, source, plan)
        writer.create_catalogue_entries()
        writer.write_organisations()
        writer.write_links()
        batch.created = {label: ids for label, ids in writer.created.items() if ids}
        batch.updated = {label: rows for label, rows in writer.updated.items() if rows}
        batch.save(update_fields=["created", "updated"])
    return batch


def _source(plan: ImportPlan) -> Source | None:
    spec = plan.mapping.source
    if not spec:
        return None
    source, _created = Source.objects.get_or_create(
        code=spec["code"],
        defaults={
            "kind": Source.Kind.SURVEY,
            "document": spec["document"],
            "section": spec.get("section", ""),
            "year": spec.get("year"),
        },
    )
    return source


class _Writer:
    def __init__(self, batch, user, now, source, plan: ImportPlan):
        self.batch = batch
        self.user = user
        self.now = now
        self.source = source
        self.plan = plan
        self.history = {
            "default_user": user,
            "default_change_reason": batch.change_reason,
            "default_date": now,
            "batch_size": BATCH_SIZE,
        }
        self.created: dict[str, list[int]] = defaultdict(list)
        self.updated: dict[str, dict[str, dict]] = {}
        self.new_entries: dict[str, dict[str, int]] = {}
        self.org_ids: dict[int, int] = {}

    def create_catalogue_entries(self) -> None:
        for kind, names in self.plan.creations.items():
            if not names:
                continue
            model = _CREATABLE_MODELS[kind]
            slugs = _unique_slugs(model, list(names.values()))
            objects = [
                model(name=name, slug=slug, source=self.source, **self._creation_defaults(kind))
                for name, slug in zip(names.values(), slugs, strict=True)
            ]
            if hasattr(model, "history"):
                objects = bulk_create_with_history(objects, model, **self.history)
            else:
                objects = model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
            self.new_entries[kind] = {key: obj.pk for key, obj in zip(names, objects, strict=True)}
            self.created[_label(model)] += [obj.pk for obj in objects]

    @staticmethod
    def _creation_defaults(kind: str) -> dict:
        # A network's level is required; staff correct it after the import if needed.
        return {"level": Network.Level.NATIONAL} if kind == "networks" else {}

    def write_organisations(self) -> None:
        defaults = self.plan.mapping.defaults
        new_rows = [row for row in self.plan.rows if row.action == Action.NEW]
        slugs = _unique_slugs(Organisation, [row.name for row in new_rows])
        new_orgs = [
            Organisation(
                **row.values,
                slug=slug,
                source=self.source,
                status=defaults.get("status", Organisation.Status.DRAFT),
                survey_status=defaults.get("survey_status", Organisation.SurveyStatus.REGISTERED),
                search_text=row.search_text,
            )
            for row, slug in zip(new_rows, slugs, strict=True)
        ]
        new_orgs = bulk_create_with_history(new_orgs, Organisation, **self.history)
        for row, org in zip(new_rows, new_orgs, strict=True):
            self.org_ids[row.row] = org.pk
        self.created[_label(Organisation)] += [org.pk for org in new_orgs]

        update_rows = [row for row in self.plan.rows if row.action == Action.UPDATE]
        for row in update_rows:
            self.org_ids[row.row] = row.organisation_id
        changed = [row for row in update_rows if row.values or row.search_text]
        current = {}
        ids = [row.organisation_id for row in changed]
        for start in range(0, len(ids), 5000):
            current.update(Organisation.objects.in_bulk(ids[start : start + 5000]))
        fields = {"version", "search_text", "updated_at"}
        before: dict[str, dict] = {}
        orgs = []
        for row in changed:
            org = current[row.organisation_id]
            saved = {"version": org.version, "search_text": org.search_text}
            for attname, value in row.values.items():
                saved[attname] = getattr(org, attname)
                setattr(org, attname, value)
                fields.add(attname)
            before[str(org.pk)] = saved
            org.version += 1
            org.search_text = row.search_text
            org.updated_at = self.now
            orgs.append(org)
        if orgs:
            bulk_update_with_history(orgs, Organisation, sorted(fields), **self.history)
        self.updated[_label(Organisation)] = before

    def write_links(self) -> None:
        rows = [row for row in self.plan.rows if row.row in self.org_ids]
        for target, model, column in _CATALOGUE_LINKS:
            objects = [
                model(
                    organisation_id=self.org_ids[row.row],
                    source=self.source,
                    **{column: self._entry_id(target, value)},
                )
                for row in rows
                for value in row.links.get(target, [])
            ]
            self._create(model, objects)
        public = bool(self.plan.mapping.defaults.get("channels_public", False))
        self._create(
            OrganisationAlias,
            [
                OrganisationAlias(
                    organisation_id=self.org_ids[row.row], name=name, source=self.source
                )
                for row in rows
                for name in row.links.get("aliases", [])
            ],
        )
        self._create(
            ContactChannel,
            [
                ContactChannel(
                    organisation_id=self.org_ids[row.row],
                    kind=kind,
                    value=value,
                    to_verify=to_verify,
                    verification_note=note[:255],
                    is_public=public,
                    position=position,
                    source=self.source,
                )
                for row in rows
                for position, (kind, value, to_verify, note) in enumerate(row.links["channels"])
            ],
        )
        self._create(
            ContactPerson,
            [
                ContactPerson(organisation_id=self.org_ids[row.row], source=self.source, **contact)
                for row in rows
                for contact in row.links.get("contacts", [])
            ],
        )
        scheme = self.plan.mapping.identifier_scheme
        self._create(
            OrganisationIdentifier,
            [
                OrganisationIdentifier(
                    organisation_id=self.org_ids[row.row],
                    scheme=scheme,
                    value=row.links["identifier"],
                )
                for row in rows
                if row.links.get("identifier")
            ],
        )

    def _entry_id(self, target: str, value) -> int:
        if isinstance(value, tuple):  # ("new", folded name): created above
            return self.new_entries[target][value[1]]
        return value

    def _create(self, model, objects: list) -> None:
        if objects:
            objects = bulk_create_with_history(objects, model, **self.history)
            self.created[_label(model)] += [obj.pk for obj in objects]


def _unique_slugs(model, names: list[str]) -> list[str]:
    """Slugs free in the table and among themselves; one query for the taken ones."""
    max_length = model._meta.get_field("slug").max_length
    taken = set(model.objects.values_list("slug", flat=True))
    slugs = []
    for name in names:
        base = (slugify(name)[: max_length - 8].strip("-")) or model._meta.model_name
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


# Undo ---------------------------------------------------------------------------------

# Deleted in this order: parts first, then organisations, then catalogue entries.
_UNDO_ORDER = [
    OrganisationIdentifier,
    ContactPerson,
    ContactChannel,
    OrganisationAlias,
    Membership,
    Partnership,
    OrganisationTheme,
    OrganisationZone,
    Organisation,
    Network,
    Partner,
    Theme,
]


def undo_conflicts(batch: ImportBatch) -> list[str]:
    """Records of the import that someone changed afterwards (undo would lose that edit)."""
    reasons: list[str] = []
    labels = {}
    touched: dict[str, set[int]] = {}
    for records in (batch.created, batch.updated):
        for label, ids in records.items():
            touched.setdefault(label, set()).update(int(i) for i in ids)
    for label, ids in touched.items():
        model = apps.get_model(label)
        if not hasattr(model, "history"):
            continue
        later = _later_history(model, "id", sorted(ids), batch.applied_at)
        if later:
            labels.setdefault(model, set()).update(later)
    org_ids = [int(i) for i in batch.created.get(_label(Organisation), [])]
    org_ids += [int(i) for i in batch.updated.get(_label(Organisation), {})]
    for relation in Organisation._meta.related_objects:
        model = relation.related_model
        if hasattr(model, "history") and relation.field.name == "organisation":
            later = _later_history(model, "organisation_id", org_ids, batch.applied_at)
            if later:
                labels.setdefault(Organisation, set()).update(later)
    org_names = dict(
        Organisation.objects.filter(pk__in=labels.get(Organisation, set())).values_list(
            "pk", "name"
        )
    )
    for model, ids in labels.items():
        if model is Organisation:
            for pk in sorted(ids):
                reasons.append(
                    _("“%(name)s” was edited after this import.") % {"name": org_names.get(pk, pk)}
                )
        else:
            reasons.append(
                _("%(count)s %(model)s of this import were edited after it.")
                % {"count": len(ids), "model": model._meta.verbose_name_plural}
            )
    return reasons


def _later_history(model, column: str, ids: list[int], since) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = model.history.filter(**{f"{column}__in": chunk, "history_date__gt": since})
        key = "organisation_id" if column == "organisation_id" else "id"
        found.update(rows.values_list(key, flat=True))
    return found


def undo_batch(batch: ImportBatch, user) -> None:
    """Remove what the import created and restore what it changed, all or nothing."""
    if batch.status == ImportBatch.Status.UNDONE:
        raise UndoRefused([_("This import was already undone.")])
    now = timezone.now()
    reason = f"Undo of survey import #{batch.pk}"[:100]
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportBatch.Status.UNDONE:
            raise UndoRefused([_("This import was already undone.")])
        reasons = undo_conflicts(locked)
        if reasons:
            raise UndoRefused(reasons)
        for model in _UNDO_ORDER:
            ids = [int(i) for i in locked.created.get(_label(model), [])]
            if model is Organisation:
                _restore_organisations(locked, user, now, reason)
            _delete(model, ids, user, now, reason)
        locked.status = ImportBatch.Status.UNDONE
        locked.undone_at = now
        locked.undone_by = user
        locked.save(update_fields=["status", "undone_at", "undone_by"])
    batch.refresh_from_db()


def _restore_organisations(batch: ImportBatch, user, now, reason: str) -> None:
    before = batch.updated.get(_label(Organisation), {})
    if not before:
        return
    orgs = Organisation.objects.in_bulk([int(pk) for pk in before])
    fields: set[str] = set()
    for pk, values in before.items():
        org = orgs[int(pk)]
        for attname, value in values.items():
            if attname == "version":
                continue
            setattr(org, attname, value)
            fields.add(attname)
        # A restore is a new edit: the version moves on, so stale forms are still refused.
        org.version += 1
        org.updated_at = now
    bulk_update_with_history(
        list(orgs.values()),
        Organisation,
        sorted(fields | {"version", "updated_at"}),
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
        default_date=now,
    )


def _delete(model, ids: list[int], user, now, reason: str) -> None:
    """Delete in bulk and write the "deleted" history rows ourselves.

    Signals are skipped on purpose: they would write history and refresh search_text
    one row at a time, and the search_text of restored organisations comes back from
    the saved values.
    """
    for start in range(0, len(ids), 5000):
        queryset = model.objects.filter(pk__in=ids[start : start + 5000])
        if hasattr(model, "history"):
            history_model = model.history.model
            history_model.objects.bulk_create(
                [
                    history_model(
                        history_date=now,
                        history_user=user,
                        history_change_reason=reason,
                        history_type="-",
                        **{
                            f.attname: getattr(obj, f.attname) for f in history_model.tracked_fields
                        },
                    )
                    for obj in queryset
                ],
                batch_size=BATCH_SIZE,
            )
        queryset._raw_delete(queryset.db)
