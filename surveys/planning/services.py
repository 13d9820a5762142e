"""Services of each row (README "Writing a mapping"): read from the columns the mapping's
``services`` names, on a repeat sheet (one service a row, tied to its submission by
``_parent_index``) or on the main sheet (one service per organisation and spec), then
matched with the organisation's services by name: a service it has is updated as
``on_existing`` says, never doubled; an empty cell never erases anything."""

import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from common.formulas import restore
from services.models import Language, PopulationGroup, Service
from surveys.catalogues import Catalogue, Entry, ImportCatalogues, fold
from surveys.mapping import (
    SERVICE_ACCESS,
    SERVICE_CHOICE_FIELDS,
    SERVICE_TEXT_FIELDS,
    FieldSpec,
    Mapping,
    ServiceSpec,
    find_choice_columns,
    find_column,
)
from surveys.planning.cells import (
    _EXPORT_SPLIT,
    _FALSE_FLAGS,
    _MULTI_SPLIT,
    _TRUE_FLAGS,
    _refusal,
    _unmatched,
)
from surveys.planning.columns import _column_letter, _missing_message
from surveys.planning.plan import Action, Note, OnExisting, Problem, RowPlan
from surveys.reading import Sheet, SurveyFile

# The catalogues a service links to, as its many-to-many relations are named (its other
# lists are choices of its own).
LINKED = ("themes", "populations", "languages", "zones")
_EMPTY = {None, "", False}


@dataclass
class PlannedService:
    """One service of a row: what it sets, links and, once matched, how it changes."""

    sheet_row: int
    name: str
    values: dict = field(default_factory=dict)
    links: dict[str, list[int]] = field(default_factory=dict)
    service_id: int | None = None
    action: str = Action.NEW
    # What the preview says of it (a service to create, or what changes in one).
    wording: str = ""


@dataclass
class _Located:
    spec: ServiceSpec
    sheet: Sheet
    fields: dict[str, list[int]]
    flags: dict[str, dict[int, str]]
    # Rows of a repeat sheet by their _parent_index; None on the main sheet.
    by_parent: dict[str, list[tuple[int, list[str]]]] | None


class ServicePlanner:
    """Reads, checks and matches the services of every row; does nothing for a mapping
    without ``services``."""

    def __init__(self, survey: SurveyFile, mapping: Mapping, catalogues: ImportCatalogues):
        self.survey = survey
        self.mapping = mapping
        self.catalogues = catalogues
        self.missing: list[str] = []
        self.keys_read: set[str] = set()
        self.located = [
            located for spec in self.mapping.services if (located := self._locate(spec))
        ]
        self.entries: dict[str, Catalogue] = {}
        if self.located:
            self.entries = {
                **{name: service_catalogue(name, catalogues) for name in LINKED},
                "access": _choices(_("ways to get a service"), _access_labels()),
                **{
                    target: _choices(target, _labels(choices))
                    for target, choices in SERVICE_CHOICE_FIELDS.items()
                },
            }
        self.split = (_EXPORT_SPLIT if self.mapping.exported else _MULTI_SPLIT).split

    # Locating columns.

    def _locate(self, spec: ServiceSpec) -> _Located | None:
        sheet = self._sheet(spec)
        if sheet is None:
            if not spec.optional:
                self.missing.append(
                    _(
                        "The sheet “%(sheet)s” (services: sheet) is not in the file. If the file "
                        "may lack it, mark it “optional: true” in the mapping's services."
                    )
                    % {"sheet": spec.sheet}
                )
            return None
        fields, flags = {}, {}
        for target, field_spec in spec.fields.items():
            found = [find_column(columns, sheet.headers) for columns in field_spec.columns]
            fields[target] = [index for index in found if index is not None]
            if target not in SERVICE_TEXT_FIELDS and target not in SERVICE_CHOICE_FIELDS:
                for alternatives in field_spec.columns:
                    flags.setdefault(target, {}).update(
                        find_choice_columns(alternatives, sheet.headers)
                    )
            if spec.optional or field_spec.optional or flags.get(target):
                continue
            self.missing += [
                _missing_message(f"services: {target}", alternatives, sheet.headers)
                for alternatives, index in zip(field_spec.columns, found, strict=True)
                if index is None
            ]
        if not fields["name"]:
            return None
        by_parent = None
        if sheet is not self.survey.main:
            by_parent = {}
            parent = sheet.headers.index("_parent_index")
            for number, cells in sheet.rows:
                key = cells[parent] if parent < len(cells) else ""
                by_parent.setdefault(key, []).append((number, cells))
        return _Located(spec, sheet, fields, flags, by_parent)

    def _sheet(self, spec: ServiceSpec) -> Sheet | None:
        if not spec.sheet:
            return self.survey.main
        wanted = fold(spec.sheet)
        return next((s for s in self.survey.repeats if fold(s.name) == wanted), None)

    def unknown_columns(self, unknown: list[str]) -> list[str]:
        """The plan's unused columns less the main sheet's service columns, plus the
        service sheets' unused ones."""
        main_used = set()
        for located in self.located:
            used = {i for found in located.fields.values() for i in found}
            used |= {i for found in located.flags.values() for i in found}
            if located.by_parent is None:
                main_used |= used
                continue
            unknown = unknown + [
                f"{located.sheet.name}: {header} ({_column_letter(i)})"
                for i, header in enumerate(located.sheet.headers)
                if i not in used and not self.mapping.is_ignored(header)
            ]
        headers = self.survey.main.headers
        used_labels = {f"{headers[i]} ({_column_letter(i)})" for i in main_used}
        return [column for column in unknown if column not in used_labels]

    def orphans(self) -> list[int]:
        """Rows of the service sheets whose _parent_index names no submission read."""
        return sorted(
            number
            for located in self.located
            if located.by_parent is not None
            for key, rows in located.by_parent.items()
            if key not in self.keys_read
            for number, _cells in rows
        )

    # Reading.

    def read(self, row: RowPlan, key: str) -> None:
        """The services of ``row``, the submission whose repeat rows name it by ``key``
        (its _index, else its position): called as the main sheet is streamed, while the
        row still holds its cells."""
        self.keys_read.add(key)
        if not self.located or row.errors:
            return
        services: list[PlannedService] = []
        for located in self.located:
            sources = (
                [(row.row, row.cells)]
                if located.by_parent is None
                else located.by_parent.get(key, [])
            )
            for number, cells in sources:
                service = self._service(row, located, number, cells)
                if service is None:
                    continue
                if any(fold(s.name) == fold(service.name) for s in services):
                    row.errors.append(
                        Problem(
                            number,
                            None,
                            located.sheet.name,
                            _("The service “%(name)s” is given twice for this organisation.")
                            % {"name": service.name},
                        )
                    )
                    continue
                services.append(service)
        if services:
            row.links["services"] = services

    def _problem(self, located: _Located, number: int, index: int, message: str) -> Problem:
        header = located.sheet.headers[index] if index < len(located.sheet.headers) else ""
        if located.by_parent is not None:
            header = f"{located.sheet.name}: {header}"
        return Problem(number, index + 1, header, message)

    def _cell(self, cells: list[str], index: int) -> str:
        value = cells[index] if index < len(cells) else ""
        if self.mapping.exported:
            return restore(value)
        return "" if fold(value) in self.mapping.empty_values else value

    def _service(
        self, row: RowPlan, located: _Located, number: int, cells: list[str]
    ) -> PlannedService | None:
        if located.by_parent is not None:
            # Main-sheet cells were checked with the row.
            refused = [(i, why) for i, cell in enumerate(cells) if cell and (why := _refusal(cell))]
            if refused:
                row.errors.append(self._problem(located, number, *refused[0]))
                return None
        service = PlannedService(sheet_row=number, name="")
        errors = len(row.errors)
        given = False
        for target, spec in located.spec.fields.items():
            present = [(i, cell) for i in located.fields[target] if (cell := self._cell(cells, i))]
            flagged = self._flags(row, located, number, cells, target)
            given = given or bool(present or flagged)
            if target in SERVICE_TEXT_FIELDS:
                self._text(row, located, number, service, target, present)
            elif target in SERVICE_CHOICE_FIELDS:
                if present:
                    self._choice(row, located, number, service, target, spec, *present[0])
            else:
                self._list(row, located, number, service, target, spec, present, flagged)
        service.name = service.values.get("name", "")
        if not service.name:
            if given:
                row.notes.append(
                    Note(
                        "service_unnamed",
                        _("The service on row %(row)s of “%(sheet)s” has no name: not imported.")
                        % {"row": number, "sheet": located.sheet.name},
                    )
                )
            return None
        return service if len(row.errors) == errors else None

    def _flags(self, row, located, number, cells, target) -> list[tuple[int, str]]:
        """KoboToolbox's one 0/1 column per choice: the chosen ones."""
        chosen = []
        for index, choice in located.flags.get(target, {}).items():
            flag = fold(cells[index] if index < len(cells) else "")
            if flag in _TRUE_FLAGS:
                chosen.append((index, choice))
            elif flag not in _FALSE_FLAGS:
                row.errors.append(
                    self._problem(
                        located,
                        number,
                        index,
                        _("Expected 1 or 0 (chosen or not), found “%(value)s”.")
                        % {"value": cells[index]},
                    )
                )
        return chosen

    def _text(self, row, located, number, service, target, present) -> None:
        if not present:
            return
        headers = located.sheet.headers
        if len(located.fields[target]) > 1:
            text = "\n".join(f"{headers[i]}: {value}" for i, value in present)
        else:
            text = present[0][1]
        limit = SERVICE_TEXT_FIELDS[target]
        if limit and len(text) > limit:
            row.errors.append(
                self._problem(
                    located,
                    number,
                    present[0][0],
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": len(text), "limit": limit},
                )
            )
            return
        service.values[target] = text

    def _resolve(self, target: str, spec: FieldSpec, value: str):
        wanted = spec.choices.get(fold(value), value)
        if target == "zones":
            return self.catalogues.zones.resolve_zone(wanted, spec.level)
        return self.entries[target].resolve(wanted)

    def _choice(self, row, located, number, service, target, spec, index, value) -> None:
        resolution = self._resolve(target, spec, value)
        if resolution.entry is None:
            row.errors.append(self._problem(located, number, index, _unmatched(value, resolution)))
            return
        service.values[target] = resolution.entry.label

    def _list(self, row, located, number, service, target, spec, present, flagged) -> None:
        tokens = []
        for index, value in present:
            for token in self.split(value):
                parts = token.split()
                # KoboToolbox writes select_multiple answers as space-separated codes.
                if spec.choices and len(parts) > 1 and all(fold(p) in spec.choices for p in parts):
                    tokens += [(index, part) for part in parts]
                elif token and fold(token) not in self.mapping.empty_values:
                    tokens.append((index, token))
        ids: list[int] = []
        for index, token in tokens + flagged:
            resolution = self._resolve(target, spec, token)
            if resolution.entry is None:
                row.errors.append(
                    self._problem(located, number, index, _unmatched(token, resolution))
                )
            elif resolution.entry.id not in ids:
                ids.append(resolution.entry.id)
                if resolution.note:
                    row.notes.append(Note("zone", resolution.note))
        if target == "access":
            service.values.update({SERVICE_ACCESS[i]: True for i in ids})
        elif ids:
            service.links[target] = ids

    # Matching with the organisations' services.

    def reconcile(self, rows: list[RowPlan], on_existing: str) -> None:
        if not self.located:
            return
        planned = [
            row
            for row in rows
            if row.links.get("services") and row.action not in (Action.ERROR, Action.SKIPPED)
        ]
        existing = _Existing.load({row.organisation_id for row in planned if row.organisation_id})
        status = self.mapping.defaults.get("status", Service.Status.DRAFT)
        for row in planned:
            for service in row.links["services"]:
                found = existing.find(row.organisation_id, service.name)
                if found is None:
                    service.values.setdefault("status", status)
                    service.wording = _("service: %(name)s") % {"name": service.name}
                    continue
                self._update(row, service, found, existing, on_existing)
            if row.action == Action.UNCHANGED and any(
                service.action != Action.UNCHANGED for service in row.links["services"]
            ):
                row.action = Action.UPDATE

    def _update(self, row, service: PlannedService, found: dict, existing, on_existing) -> None:
        service.service_id = found["id"]
        service.values = {
            attname: new
            for attname, new in service.values.items()
            if found[attname] != new
            and (on_existing == OnExisting.OVERWRITE or found[attname] in _EMPTY)
        }
        links = existing.links[found["id"]]
        service.links = {
            relation: new
            for relation, ids in service.links.items()
            if (new := [i for i in ids if i not in links[relation]])
        }
        if not (service.values or service.links):
            service.action = Action.UNCHANGED
            return
        service.action = Action.UPDATE
        # A flag of how to get it is only ever set: its name says it.
        changes = [
            str(label) if value is True else f"{label}: {value}"
            for attname, value in service.values.items()
            if (label := Service._meta.get_field(attname).verbose_name)
        ]
        changes += [
            f"{Service._meta.get_field(relation).verbose_name}: "
            + ", ".join(self.entries[relation].label_of(i) for i in ids)
            for relation, ids in service.links.items()
        ]
        service.wording = _("service %(name)s: %(changes)s") % {
            "name": found["name"],
            "changes": "; ".join(changes),
        }


@dataclass
class _Existing:
    """The matched organisations' services and their links; one query per table."""

    by_name: dict[tuple[int, str], dict]
    links: dict[int, dict[str, set[int]]]

    @classmethod
    def load(cls, organisation_ids: set[int]) -> "_Existing":
        ids = sorted(organisation_ids)
        by_name: dict[tuple[int, str], dict] = {}
        fields = ["id", "organisation_id", *SERVICE_TEXT_FIELDS, *SERVICE_CHOICE_FIELDS]
        for chunk in _chunks(ids):
            services = Service.objects.filter(organisation_id__in=chunk).order_by("pk")
            for found in services.values(*fields, *SERVICE_ACCESS):
                by_name.setdefault((found["organisation_id"], fold(found["name"])), found)
        service_ids = sorted(found["id"] for found in by_name.values())
        links = {pk: {relation: set() for relation in LINKED} for pk in service_ids}
        for relation in LINKED if service_ids else ():
            through = getattr(Service, relation).through
            target = getattr(Service, relation).field.m2m_reverse_name()
            for chunk in _chunks(service_ids):
                rows = through.objects.filter(service_id__in=chunk)
                for service_id, entry_id in rows.values_list("service_id", target):
                    links[service_id][relation].add(entry_id)
        return cls(by_name, links)

    def find(self, organisation_id: int | None, name: str) -> dict | None:
        return self.by_name.get((organisation_id, fold(name))) if organisation_id else None


def _chunks(values: list, size: int = 5000):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def service_catalogue(name: str, catalogues: ImportCatalogues) -> Catalogue:
    """The import's themes or zones; people served and languages read (one query)."""
    if name == "populations":
        return _named(_("people served"), PopulationGroup, "slug")
    if name == "languages":
        return _named(_("languages"), Language, "code")
    return catalogues.themes if name == "themes" else catalogues.zones


def _named(kind: str, model, code: str) -> Catalogue:
    """People served or languages, found by French or English name, slug or code."""
    catalogue = Catalogue(kind)
    for entry_id, name, name_en, key in model.objects.values_list("id", "name", "name_en", code):
        catalogue.add(Entry(entry_id, name), name, name_en, key)
    return catalogue


def _labels(choices) -> dict[str, list[str]]:
    """Each value of a choice field (but the empty one) with its labels in both languages."""
    labels = {value: [value] for value in choices.values if value}
    for language in ("fr", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                if value:
                    labels[value].append(str(label))
    return labels


def _access_labels() -> dict[str, list[str]]:
    """walk_in, by_appointment…: the flag, its name without "by_", its labels in both
    languages."""
    labels = {name: [name, re.sub(r"^by_", "", name)] for name in SERVICE_ACCESS}
    for language in ("fr", "en"):
        with translation.override(language):
            for name in SERVICE_ACCESS:
                labels[name].append(str(Service._meta.get_field(name).verbose_name))
    return labels


def _choices(kind: str, labels: dict[str, list[str]]) -> Catalogue:
    """Values found by their code or a label; an entry's id is its position, its label
    the value."""
    catalogue = Catalogue(kind)
    for position, (value, keys) in enumerate(labels.items()):
        catalogue.add(Entry(position, value), *keys)
    return catalogue
