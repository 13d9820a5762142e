"""Turn a survey file and a mapping into a plan: what each row would change.

Nothing is written here. The plan lists, per row, whether it creates an organisation,
updates one (field by field), changes nothing, or cannot be imported and why (with row
and column numbers). The same plan is shown in the preview and then applied.
"""

import datetime
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import TextChoices
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from common.formulas import restore
from common.phones import is_e164, to_e164
from common.text import build_search_text
from needs.models import OrganisationNeed
from networks.models import Membership
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partnership,
)
from surveys.catalogues import ImportCatalogues, fold, load_catalogues
from surveys.mapping import (
    CHANNEL_FIELDS,
    CHOICE_FIELDS,
    CREATABLE,
    ENTRY_FIELDS,
    INTEGER_FIELDS,
    MULTI_FIELDS,
    TEXT_FIELDS,
    FieldSpec,
    Mapping,
    find_choice_columns,
    find_column,
)
from surveys.matching import OrganisationIndex, normalise_name
from surveys.models import ImportBatch
from surveys.reading import FileRejected, Sheet, SurveyFile

OnExisting = ImportBatch.OnExisting


class Action(TextChoices):
    NEW = "new", pgettext_lazy("import row", "New")
    UPDATE = "update", pgettext_lazy("import row", "Update")
    UNCHANGED = "unchanged", pgettext_lazy("import row", "Unchanged")
    SKIPPED = "skipped", pgettext_lazy("import row", "Skipped (exists)")
    ERROR = "error", pgettext_lazy("import row", "Error")


_MULTI_SPLIT = re.compile(r"\s*[;,\n]\s*")
# Entries with parts (contact persons, offices…) may hold commas: split at ";" only.
_ENTRY_SPLIT = re.compile(r"\s*[;\n]\s*")
# How the exports join values in a cell (exports.layouts.JOIN) and parts of an entry.
_EXPORT_SPLIT = re.compile(r" ; ")
_FIELD_SPLIT = " | "
# Entries whose parts are checked one by one (an address or notes may be long).
_LONG_ENTRIES = {
    "offices",
    "contact_persons",
    "private_contact_persons",
    "contact_persons_consent",
    "partner_support",
    "need_details",
}
# Longest text of each part of an entry, as the database stores it.
_PARTNER_SUPPORT_LENGTH = Partnership._meta.get_field("description").max_length
_ROLE_LENGTH = Membership._meta.get_field("role").max_length
_LABEL_LENGTH = ContactChannel._meta.get_field("label").max_length
_AS_WRITTEN = ENTRY_FIELDS | {"aliases"}
# Fields of each kind of entry; the last one is free text.
_FIELD_COUNTS = {
    "offices": 3,
    "contact_persons": 5,
    "private_contact_persons": 6,
    "contact_persons_consent": 3,
    "partner_support": 2,
    "network_roles": 3,
    "channel_details": 5,
    "need_details": 7,
}
_DETAIL_LINKS = {"partner_support", "network_roles", "channel_details", "need_details"}
_PERSON_LINKS = {"contact_persons", "private_contact_persons", "contact_persons_consent"}
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# Phone lists are also written "76 45 12 30 / 66 12 34 56".
_PHONE_SPLIT = re.compile(r"\s*/\s*")
_FORMULA = re.compile(r"^(=|[+\-@]\s*[A-Za-z_][\w.]*\s*[(!|])")
# Markup a browser would run or load (tags, comments, javascript: links): names are shown on
# public pages (escaped, but refused here too). "<< Espoir >>" or "< 5 ans" are plain text.
_MARKUP = re.compile(
    r"</?(?:script|img|iframe|frame|svg|math|object|embed|style|link|meta|base|form|input|"
    r"button|a|body|video|audio|source|details|template|marquee)\b|<!--|javascript:",
    re.IGNORECASE,
)


def _refusal(value: str) -> str:
    """Why a cell cannot be imported at all (a formula, HTML markup), or ""."""
    if _FORMULA.match(value):
        return _("The cell holds a formula (%(formula)s); paste values only.") % {
            "formula": value[:40]
        }
    if _MARKUP.search(value):
        return _("The cell holds HTML markup (%(markup)s); type plain text.") % {
            "markup": value[:40]
        }
    return ""


_TRUE_FLAGS = {"1", "true", "vrai", "oui", "yes", "x"}
_FALSE_FLAGS = {"", "0", "false", "faux", "non", "no"}
_validate_url = URLValidator()
# A single text value stored in a field of at most this many characters.
_MAX_LENGTHS = {f.name: f.max_length for f in Organisation._meta.fields if f.max_length}
# Other names, channel values, contact names and roles: 255 characters at most.
_MAX_PART_LENGTH = 255
_MAX_SCHEME = OrganisationIdentifier._meta.get_field("scheme").max_length


@dataclass
class Problem:
    row: int
    column: int | None
    header: str
    message: str


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class RowPlan:
    row: int
    cells: list[str]
    name: str = ""
    action: str = Action.NEW
    organisation_id: int | None = None
    match_reason: str = ""
    suggestion: tuple[int, str, int] | None = None
    # Scalar fields to set (attname -> value) and how they differ from what is stored.
    values: dict = field(default_factory=dict)
    changes: list[FieldChange] = field(default_factory=list)
    # Parts to add: zones/themes/partners/networks (ids, or ("new", key) for a creation),
    # aliases (names), channels (kind, value, to_verify, note), contacts (dicts), identifier.
    links: dict = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    search_text: str = ""

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label)


@dataclass
class ImportPlan:
    mapping: Mapping
    survey: SurveyFile
    rows: list[RowPlan]
    unknown_columns: list[str]
    missing_columns: list[str]
    creations: dict[str, dict[str, str]]
    on_existing: str
    # Rows of the repeat sheet whose _parent_index names no submission: listed, not dropped.
    orphan_contacts: list[int] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted.get(action, 0) for action in Action.values}

    @property
    def errors(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.errors]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def suggestions(self) -> list[RowPlan]:
        return [row for row in self.rows if row.suggestion and row.action == Action.NEW]

    @property
    def headers(self) -> list[str]:
        return self.survey.main.headers

    def fingerprint(self) -> str:
        """Digest of what the plan would do, to tell whether the directory moved since the
        preview."""
        digest = hashlib.sha256()
        for row in self.rows:
            changes = [(change.field, change.new) for change in row.changes]
            digest.update(repr((row.row, row.action, row.organisation_id, changes)).encode())
            digest.update(
                repr((row.added, row.suggestion, [p.message for p in row.errors])).encode()
            )
        return digest.hexdigest()


@dataclass
class _Columns:
    """Where each mapped field is in the file."""

    fields: dict[str, list[int]]
    flags: dict[str, dict[int, str]]
    identifier: int | None
    contact_sheet: Sheet | None
    contact_columns: dict[str, int]
    contacts_by_parent: dict[str, list[tuple[int, list[str]]]]
    index_column: int | None


def build_plan(
    survey: SurveyFile,
    mapping: Mapping,
    on_existing: str = OnExisting.FILL,
    allow_create: tuple[str, ...] = (),
    confirmed_matches: dict[int, int] | None = None,
) -> ImportPlan:
    """Read every row against the catalogues and the existing organisations; no writes."""
    columns, missing = _locate_columns(survey, mapping)
    catalogues = load_catalogues(mapping.country, mapping.fields)
    if mapping.country and catalogues.country is None:
        raise FileRejected(
            _("The mapping's country “%(country)s” is not in the zones.")
            % {"country": mapping.country}
        )
    index = OrganisationIndex(mapping.identifier_scheme)
    builder = _RowBuilder(survey.main, mapping, columns, catalogues, allow_create)
    rows = [
        builder.build(position, number, cells)
        for position, (number, cells) in enumerate(survey.main.rows, start=1)
    ]
    _match(rows, index, builder.identifiers, confirmed_matches or {})
    existing = _ExistingState.load(
        {row.organisation_id for row in rows if row.organisation_id}, mapping.fields
    )
    for row in rows:
        _decide(row, existing, on_existing, mapping, catalogues)
    return ImportPlan(
        mapping=mapping,
        survey=survey,
        rows=rows,
        unknown_columns=_unknown_columns(survey, mapping, columns),
        orphan_contacts=_orphan_contacts(survey, columns),
        missing_columns=missing,
        creations=builder.creations,
        on_existing=on_existing,
    )


def _locate_columns(survey: SurveyFile, mapping: Mapping) -> tuple[_Columns, list[str]]:
    headers = survey.main.headers
    located: dict[str, list[int]] = {}
    flags: dict[str, dict[int, str]] = {}
    missing: list[str] = []
    for target, spec in mapping.fields.items():
        found = [find_column(alternatives, headers) for alternatives in spec.columns]
        located[target] = [i for i in found if i is not None]
        if target in MULTI_FIELDS:
            for alternatives in spec.columns:
                flags.setdefault(target, {}).update(find_choice_columns(alternatives, headers))
        if not located[target] and not flags.get(target):
            missing.append(" / ".join(spec.columns[0]))
    if not located["name"]:
        raise FileRejected(
            _(
                "No column of this file matches the mapping “%(mapping)s”: the name column "
                "(%(column)s) is missing. Columns found: %(headers)s."
            )
            % {
                "mapping": mapping.name,
                "column": " / ".join(mapping.fields["name"].columns[0]),
                "headers": ", ".join(headers[:20]),
            }
        )
    identifier = (
        find_column(mapping.identifier_column, headers) if mapping.identifier_column else None
    )
    if mapping.identifier_column and identifier is None:
        missing.append(" / ".join(mapping.identifier_column))
    contact_sheet, contact_columns, by_parent = None, {}, {}
    if mapping.contacts:
        contact_sheet = _contact_sheet(survey, mapping)
        contact_columns = {
            key: index
            for key, alternatives in mapping.contacts.columns.items()
            if (index := find_column(alternatives, contact_sheet.headers)) is not None
        }
        if "name" not in contact_columns:
            missing.append(" / ".join(mapping.contacts.columns["name"]))
        if contact_sheet is not survey.main:
            parent = contact_sheet.headers.index("_parent_index")
            for number, cells in contact_sheet.rows:
                key = cells[parent] if parent < len(cells) else ""
                by_parent.setdefault(key, []).append((number, cells))
    index_column = headers.index("_index") if "_index" in headers else None
    return (
        _Columns(
            located,
            flags,
            identifier,
            contact_sheet,
            contact_columns,
            by_parent,
            index_column,
        ),
        missing,
    )


def _contact_sheet(survey: SurveyFile, mapping: Mapping) -> Sheet:
    wanted = fold(mapping.contacts.sheet)
    for sheet in survey.repeats:
        if wanted and fold(sheet.name) == wanted:
            return sheet
    for sheet in survey.repeats:
        if not wanted and find_column(mapping.contacts.columns["name"], sheet.headers) is not None:
            return sheet
    return survey.main


def _unknown_columns(survey: SurveyFile, mapping: Mapping, columns: _Columns) -> list[str]:
    used = {i for indices in columns.fields.values() for i in indices}
    used |= {i for found in columns.flags.values() for i in found}
    if columns.identifier is not None:
        used.add(columns.identifier)
    if columns.contact_sheet is survey.main:
        used |= set(columns.contact_columns.values())
    unknown = [
        f"{header} ({_column_letter(i)})"
        for i, header in enumerate(survey.main.headers)
        if i not in used and not mapping.is_ignored(header)
    ]
    if columns.contact_sheet is not None and columns.contact_sheet is not survey.main:
        sheet = columns.contact_sheet
        contact_used = set(columns.contact_columns.values())
        unknown += [
            f"{sheet.name}: {header} ({_column_letter(i)})"
            for i, header in enumerate(sheet.headers)
            if i not in contact_used and not mapping.is_ignored(header)
        ]
    return unknown


def _orphan_contacts(survey: SurveyFile, columns: _Columns) -> list[int]:
    if columns.contact_sheet is None or columns.contact_sheet is survey.main:
        return []
    index = columns.index_column
    if index is None:
        keys = {str(position) for position in range(1, len(survey.main.rows) + 1)}
    else:
        keys = {cells[index] if index < len(cells) else "" for _number, cells in survey.main.rows}
    return sorted(
        number
        for key, rows in columns.contacts_by_parent.items()
        if key not in keys
        for number, _cells in rows
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _RowBuilder:
    """Reads one row's cells into values, links and problems."""

    def __init__(self, main: Sheet, mapping: Mapping, columns: _Columns, catalogues, allow_create):
        self.survey_main = main
        self.headers = main.headers
        self.mapping = mapping
        self.columns = columns
        self.catalogues: ImportCatalogues = catalogues
        self.allow_create = set(allow_create)
        self.creations: dict[str, dict[str, str]] = {kind: {} for kind in CREATABLE}
        self.identifiers: dict[int, str] = {}
        self.longest_empty = max(map(len, mapping.empty_values), default=0) + 2
        self.exported = mapping.exported
        # How each multi-valued field's cells split into values.
        self.splits = {
            target: (
                _EXPORT_SPLIT
                if mapping.exported
                else _ENTRY_SPLIT
                if target in ENTRY_FIELDS
                else _MULTI_SPLIT
            ).split
            for target in mapping.fields
        }

    def build(self, position: int, number: int, cells: list[str]) -> RowPlan:
        row = RowPlan(row=number, cells=cells)
        for index, value in enumerate(cells):
            if value and (refusal := _refusal(value)):
                row.errors.append(self._problem(row, index, refusal))
        for index in range(len(self.headers), len(cells)):
            if cells[index]:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("This cell has no column header: “%(value)s”.")
                        % {"value": cells[index][:40]},
                    )
                )
        if row.errors:
            return row
        for target, spec in self.mapping.fields.items():
            if target in MULTI_FIELDS:
                self._multi(row, target, spec)
            else:
                self._scalar(row, target, spec)
        row.name = row.values.get("name", "")
        if not row.name:
            column = self.columns.fields["name"][0]
            row.errors.append(self._problem(row, column, _("The organisation's name is empty.")))
        if self.columns.identifier is not None:
            identifier = self._cell(cells, self.columns.identifier)
            if identifier:
                row.links["identifier"] = identifier
                self.identifiers[number] = identifier
        if self.mapping.contacts and "name" in self.columns.contact_columns:
            self._contacts(row, position)
        self._join_persons(row)
        if _DETAIL_LINKS & row.links.keys():
            self._join_details(row)
        return row

    def _problem(self, row: RowPlan, index: int | None, message: str, sheet_row=None) -> Problem:
        header = self.headers[index] if index is not None and index < len(self.headers) else ""
        return Problem(
            row=sheet_row or row.row,
            column=index + 1 if index is not None else None,
            header=header,
            message=message,
        )

    def _cell(self, cells: list[str], index: int) -> str:
        value = cells[index] if index < len(cells) else ""
        if self.exported:
            return restore(value)
        # Only short answers can be "Néant", "N/A"…: long ones are not folded for nothing.
        if len(value) <= self.longest_empty and fold(value) in self.mapping.empty_values:
            return ""
        return value

    def _scalar(self, row: RowPlan, target: str, spec: FieldSpec) -> None:
        indices = self.columns.fields[target]
        present = [(i, self._cell(row.cells, i)) for i in indices]
        present = [(i, value) for i, value in present if value]
        if not present:
            return
        if target in TEXT_FIELDS:
            if len(indices) > 1:
                text = "\n".join(f"{self.headers[i]}: {value}" for i, value in present)
            else:
                text = present[0][1]
            limit = _MAX_LENGTHS.get(target)
            if limit and len(text) > limit:
                row.errors.append(
                    self._problem(
                        row,
                        present[0][0],
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(text), "limit": limit},
                    )
                )
                return
            row.values[target] = text
            return
        index, value = present[0]
        if target == "slug":
            if not _SLUG.match(value) or len(value) > _MAX_LENGTHS["slug"]:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("“%(value)s” is not a slug (letters, digits, - and _ only).")
                        % {"value": value[:40]},
                    )
                )
                return
            # Used for a new organisation only, when no other one has it.
            row.links["slug"] = value
        elif target in INTEGER_FIELDS:
            number = _parse_int(value)
            low, high = (1800, 2100) if target == "year_founded" else (0, 2_000_000_000)
            if number is None or not low <= number <= high:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("“%(value)s” is not a whole number between %(low)s and %(high)s.")
                        % {"value": value, "low": low, "high": high},
                    )
                )
                return
            row.values[target] = number
        elif target in CHOICE_FIELDS:
            choice = _choice(value, spec, CHOICE_FIELDS[target])
            if choice is None:
                allowed = ", ".join(spec.choices) or ", ".join(CHOICE_FIELDS[target].values)
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("“%(value)s” is not one of the expected answers (%(allowed)s).")
                        % {"value": value, "allowed": allowed},
                    )
                )
                return
            row.values[target] = choice
        else:  # typology, registration_country, source
            wanted = spec.choices.get(fold(value), value)
            resolution = self.catalogues.for_field(target).resolve(wanted)
            if resolution.entry is None:
                row.errors.append(self._problem(row, index, _unmatched(value, resolution)))
                return
            row.values[f"{target}_id"] = resolution.entry.id

    def _tokens(self, row: RowPlan, target: str, spec: FieldSpec) -> list[tuple[int, str]]:
        tokens: list[tuple[int, str]] = []
        for index in self.columns.fields[target]:
            value = self._cell(row.cells, index)
            fields = _FIELD_COUNTS.get(target, 0)
            for token in self.splits[target](value) if value else []:
                # Too few fields: the rest of the previous entry's last field, which held
                # " ; " (notes, an address).
                if (
                    fields
                    and tokens
                    and tokens[-1][0] == index
                    and _entry(token).count(_FIELD_SPLIT) < fields - 1
                ):
                    tokens[-1] = (index, f"{tokens[-1][1]} ; {token}")
                    continue
                parts = token.split()
                # KoboToolbox writes select_multiple answers as space-separated codes.
                if spec.choices and len(parts) > 1 and all(fold(p) in spec.choices for p in parts):
                    tokens += [(index, part) for part in parts]
                elif token and fold(token) not in self.mapping.empty_values:
                    tokens.append((index, token))
        for index, choice in self.columns.flags.get(target, {}).items():
            flag = fold(row.cells[index] if index < len(row.cells) else "")
            if flag in _TRUE_FLAGS:
                tokens.append((index, choice))
            elif flag not in _FALSE_FLAGS:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("Expected 1 or 0 (chosen or not), found “%(value)s”.")
                        % {"value": row.cells[index]},
                    )
                )
        seen: set[str] = set()
        unique = []
        for index, token in tokens:
            # Other names and entries are compared as written ("Local-Mali" is not
            # "Local Mali"); consents pair with persons by position, so two alike are two.
            as_written = target in _AS_WRITTEN
            key = token if as_written else fold(spec.choices.get(fold(token), token))
            if target == "contact_persons_consent" or key not in seen:
                seen.add(key)
                unique.append((index, token))
        return unique

    def _multi(self, row: RowPlan, target: str, spec: FieldSpec) -> None:
        links = row.links.setdefault(target, [])
        for index, token in self._tokens(row, target, spec):
            if len(token) > _MAX_PART_LENGTH and target not in _LONG_ENTRIES:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(token), "limit": _MAX_PART_LENGTH},
                    )
                )
            elif target == "aliases":
                links.append(token)
            elif target in CHANNEL_FIELDS:
                kind, public = CHANNEL_FIELDS[target]
                split_phones = kind == "phone" and not self.exported
                for part in _PHONE_SPLIT.split(token) if split_phones else [token]:
                    channel = self._channel(kind, part, public)
                    if channel[2]:
                        row.notes.append(channel[3])
                    links.append(channel)
            elif target == "identifiers":
                scheme, colon, value = token.partition(":")
                if not (colon and 0 < len(scheme.strip()) <= _MAX_SCHEME and value.strip()):
                    row.errors.append(
                        self._problem(
                            row,
                            index,
                            _(
                                "“%(value)s” is not written scheme:identifier (a scheme of at "
                                "most %(limit)s characters)."
                            )
                            % {"value": token, "limit": _MAX_SCHEME},
                        )
                    )
                else:
                    links.append((scheme.strip(), value.strip()))
            elif target == "offices":
                self._office(row, index, token, links)
            elif target in ("contact_persons", "private_contact_persons"):
                self._person(row, index, token, target == "contact_persons", links)
            elif target in ("contact_persons_consent", "channel_details", "need_details"):
                links.append((index, token))  # read once every column is (_join_details)
            elif target in ("partner_support", "network_roles"):
                self._link_detail(row, index, target, token, links)
            elif target in ("needs", "private_needs"):
                need = self.catalogues.needs.get(token.strip())
                if need is None:
                    row.errors.append(
                        self._problem(
                            row,
                            index,
                            _(
                                "“%(value)s” is not a need of the catalogue "
                                "(category or category/number)."
                            )
                            % {"value": token},
                        )
                    )
                else:
                    # Its details (need_details) are added once every column is read.
                    links.append((*need, target == "needs", token.strip(), {}))
            elif target == "zones":
                resolution = self.catalogues.zones.resolve_zone(
                    spec.choices.get(fold(token), token), spec.level
                )
                self._link(row, index, target, token, resolution, links)
            else:
                wanted = spec.choices.get(fold(token), token)
                resolution = self.catalogues.for_field(target).resolve(wanted)
                self._link(row, index, target, wanted, resolution, links)

    def _link(self, row, index, target, value, resolution, links) -> None:
        if resolution.entry is not None:
            links.append(resolution.entry.id)
            if resolution.note:
                row.notes.append(resolution.note)
        elif target in self.allow_create and not resolution.error:
            self.creations[target].setdefault(fold(value), value)
            links.append(("new", fold(value)))
        else:
            row.errors.append(self._problem(row, index, _unmatched(value, resolution)))

    def _office(self, row: RowPlan, index: int, token: str, links: list) -> None:
        """ "kind | place | address" (kind: seat or office; the place, a zone, may be a full
        path or empty; the address comes last, as it may hold anything)."""
        kind, _sep, rest = _entry(token).partition(_FIELD_SPLIT)
        place, sep, address = rest.partition(_FIELD_SPLIT)
        if kind not in Office.Kind.values or not sep or not address:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not written kind | place | address (kind: %(kinds)s).")
                    % {"value": token[:60], "kinds": ", ".join(Office.Kind.values)},
                )
            )
            return
        zone_id = None
        if place:
            resolution = self.catalogues.zones.resolve_zone(place, "highest")
            if resolution.entry is None:
                row.errors.append(self._problem(row, index, _unmatched(place, resolution)))
                return
            zone_id = resolution.entry.id
        links.append((kind, address, zone_id))

    def _person(self, row: RowPlan, index: int, token: str, listed_public: bool, links) -> None:
        """ "name | role | phone | other phone | e-mail" (+ " | notes" in private columns).

        Persons of the public column are publishable only in our own exports, which list
        there only the persons who consented; from any other file they stay private.
        """
        parts = _entry(token).split(_FIELD_SPLIT)
        size = 5 if listed_public else 6
        if not listed_public and len(parts) > size:  # notes may hold " | "
            parts[5:] = [_FIELD_SPLIT.join(parts[5:])]
        parts += [""] * (size - len(parts))
        if any(len(part) > _MAX_PART_LENGTH for part in parts[:5]):
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": max(map(len, parts[:5])), "limit": _MAX_PART_LENGTH},
                )
            )
            return
        if len(parts) > size or not parts[0]:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not written name | role | phone | other phone | e-mail.")
                    % {"value": token[:60]},
                )
            )
            return
        name, role, phone, phone_other, email, notes = (*parts, "")[:6]
        contact = {
            "name": name,
            "role": role,
            "is_publishable": listed_public and self.mapping.exported,
            "notes": notes,
        }
        written = []
        for key, value in (("phone", phone), ("phone_other", phone_other)):
            contact[key] = to_e164(value, self.mapping.phone_region)
            if value and not contact[key]:
                written.append(_("Phone as written: %(value)s") % {"value": value})
        contact["email"] = _valid_email(email)
        if email and not contact["email"]:
            written.append(_("E-mail as written: %(value)s") % {"value": email})
        contact["notes"] = "\n".join(filter(None, [notes, *written]))
        links.append(contact)

    def _link_detail(self, row: RowPlan, index: int, target: str, token: str, links) -> None:
        """ "partner-slug | what it supports" or "network-slug | role | member since"."""
        parts = _entry(token).split(_FIELD_SPLIT)
        catalogue = self.catalogues.for_field(
            "partners" if target == "partner_support" else "networks"
        )
        resolution = catalogue.resolve(parts[0])
        if resolution.entry is None:
            row.errors.append(self._problem(row, index, _unmatched(parts[0], resolution)))
            return
        if target == "partner_support":
            detail = {"description": _FIELD_SPLIT.join(parts[1:])}
            text, limit = detail["description"], _PARTNER_SUPPORT_LENGTH
        else:
            role, since = (parts[1:] + ["", ""])[:2]
            year = _parse_int(since) if since else None
            if len(parts) > 3 or (since and year is None):
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("“%(value)s” is not written network | role | year.")
                        % {"value": token[:60]},
                    )
                )
                return
            detail = {"role": role, "since_year": year}
            text, limit = role, _ROLE_LENGTH
        if len(text) > limit:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": len(text), "limit": limit},
                )
            )
            return
        links.append((index, resolution.entry.id, detail))

    def _join_details(self, row: RowPlan) -> None:
        """What a partner supports, a network role, a channel's label and verification, a
        need's priority, status and support, each given to the link, channel or need it
        describes; a detail of nothing is an error."""
        for target, linked in (("partner_support", "partners"), ("network_roles", "networks")):
            details = {}
            for index, entry_id, detail in row.links.pop(target, []):
                if entry_id not in row.links.get(linked, []):
                    label = self.catalogues.for_field(linked).label_of(entry_id)
                    row.errors.append(
                        self._problem(
                            row,
                            index,
                            _("“%(entry)s” is not in the row's %(column)s.")
                            % {"entry": label, "column": linked},
                        )
                    )
                details[entry_id] = detail
            row.links[f"{linked}_details"] = details
        for index, token in row.links.pop("channel_details", []):
            parts = _entry(token).split(_FIELD_SPLIT)
            parts += [""] * (5 - len(parts))
            kind, value, label, flag = parts[:4]
            note = _FIELD_SPLIT.join(parts[4:])
            found = False
            for target in CHANNEL_FIELDS.keys() & row.links.keys():
                channels = row.links[target]
                for position, channel in enumerate(channels):
                    if (channel[0], channel[1]) == (kind, value):
                        found = True
                        to_verify = channel[2] or flag == "yes"
                        channels[position] = (kind, value, to_verify, note, channel[4], label)
            if not found or len(label) > _LABEL_LENGTH or len(note) > _MAX_PART_LENGTH:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _(
                            "“%(value)s” describes no channel of this row "
                            "(kind | value | label | to verify | why)."
                        )
                        % {"value": token[:60]},
                    )
                )
        needs = {
            need[3]: need
            for target in ("needs", "private_needs")
            for need in row.links.get(target, [])
        }
        for index, token in row.links.pop("need_details", []):
            problem = self._need_details(token, needs)
            if problem:
                row.errors.append(self._problem(row, index, problem))

    def _need_details(self, token: str, needs: dict) -> str:
        """Fill in the need an entry "need | priority | status | support given | partner |
        date | notes" describes; what is wrong with it, or ""."""
        parts = _entry(token).split(_FIELD_SPLIT)
        parts += [""] * (7 - len(parts))
        key, priority, status, given, partner, date, notes = (
            *parts[:6],
            _FIELD_SPLIT.join(parts[6:]),
        )
        if key not in needs:
            return _("“%(value)s” is not a need of this row.") % {"value": key}
        if priority not in OrganisationNeed.Priority.values or status not in (
            OrganisationNeed.Status.values
        ):
            return _("“%(value)s”: priority or status is not one of ours (%(allowed)s).") % {
                "value": token[:60],
                "allowed": ", ".join(
                    OrganisationNeed.Priority.values + OrganisationNeed.Status.values
                ),
            }
        if len(given) > _MAX_PART_LENGTH:
            return _("Too long: %(length)s characters, at most %(limit)s.") % {
                "length": len(given),
                "limit": _MAX_PART_LENGTH,
            }
        details = needs[key][4]
        if partner:
            resolution = self.catalogues.partners.resolve(partner)
            if resolution.entry is None:
                return _unmatched(partner, resolution)
            details["support_partner_id"] = resolution.entry.id
        try:
            details["support_date"] = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            return _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": date}
        details.update(priority=priority, status=status, support_given=given, notes=notes)
        return ""

    def _join_persons(self, row: RowPlan) -> None:
        """Contact persons of every column, with the consent of the publishable ones."""
        if not _PERSON_LINKS & row.links.keys():
            return
        persons = row.links.pop("contact_persons", []) + row.links.pop(
            "private_contact_persons", []
        )
        consents = row.links.pop("contact_persons_consent", [])
        publishable = [person for person in persons if person["is_publishable"]]
        for (index, consent), person in zip(consents, publishable, strict=False):
            given_by, date, *notes = _entry(consent).split(_FIELD_SPLIT) + [""]
            notes = _FIELD_SPLIT.join(notes[:-1]) if len(notes) > 1 else ""
            try:
                person["consent_date"] = datetime.date.fromisoformat(date) if date else None
            except ValueError:
                row.errors.append(
                    self._problem(
                        row, index, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": date}
                    )
                )
            if len(given_by) > _MAX_PART_LENGTH:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(given_by), "limit": _MAX_PART_LENGTH},
                    )
                )
            person["consent_given_by"] = given_by
            person["notes"] = notes
        if len(consents) > len(publishable):
            row.errors.append(
                self._problem(
                    row,
                    consents[-1][0],
                    _("More consents than publishable contact persons."),
                )
            )
        for person in publishable:
            if not person.get("consent_date"):
                # Published only with a recorded consent (a database rule): kept private.
                person["is_publishable"] = False
                row.notes.append(
                    _("%(name)s has no consent date: kept as a private contact person.")
                    % {"name": person["name"]}
                )
        if persons:
            row.links["contacts"] = row.links.get("contacts", []) + persons

    def _channel(self, target: str, value: str, public: bool | None) -> tuple:
        """(kind, value, to verify, why, public: None when the mapping's default decides,
        label)."""
        if self.exported:
            # The directory held it so: kept as written, to verify as channel_details says
            # (a phone outside E.164, "+ 223 2202056", is always to verify: a database rule).
            flagged = target == ContactChannel.Kind.PHONE and not is_e164(value)
            return (target, value, flagged, "", public, "")
        if target == "phone":
            phone = to_e164(value, self.mapping.phone_region)
            if phone:
                return (ContactChannel.Kind.PHONE, phone, False, "", public, "")
            note = _("Phone “%(value)s” kept as written, to verify.") % {"value": value}
            return (ContactChannel.Kind.PHONE, value, True, note, public, "")
        if target == "email":
            # Kept as written (a local part may be case-sensitive); compared case-insensitively.
            email = _valid_email(value)
            if not email:
                note = _("E-mail “%(value)s” kept as written, to verify.") % {"value": value}
                return (ContactChannel.Kind.EMAIL, value, True, note, public, "")
            return (ContactChannel.Kind.EMAIL, email, False, "", public, "")
        kind = ContactChannel.Kind.SOCIAL if target == "social" else ContactChannel.Kind.WEBSITE
        url = value if "://" in value else f"https://{value}"
        try:
            _validate_url(url)
        except ValidationError:
            note = _("Web site “%(value)s” kept as written, to verify.") % {"value": value}
            return (kind, value, True, note, public, "")
        return (kind, value, False, "", public, "")

    def _contacts(self, row: RowPlan, position: int) -> None:
        columns = self.columns.contact_columns
        if self.columns.contact_sheet is None:
            return
        if self.columns.contact_sheet is self.survey_main:
            sources = [(row.row, row.cells)]
        else:
            # Repeat rows point at their submission by _index (or by its position).
            index_column = self.columns.index_column
            key = row.cells[index_column] if index_column is not None else str(position)
            sources = self.columns.contacts_by_parent.get(key, [])
        contacts = []
        for number, cells in sources:
            values = {key: self._cell(cells, index) for key, index in columns.items()}
            refusals = [refusal for value in values.values() if (refusal := _refusal(value))]
            if refusals:
                row.errors.append(
                    Problem(number, None, self.columns.contact_sheet.name, refusals[0])
                )
                continue
            if not values.get("name"):
                if any(values.values()):
                    row.notes.append(
                        _("The contact on row %(row)s of “%(sheet)s” has no name: not imported.")
                        % {"row": number, "sheet": self.columns.contact_sheet.name}
                    )
                continue
            too_long = [value for value in values.values() if len(value) > _MAX_PART_LENGTH]
            if too_long:
                row.errors.append(
                    Problem(
                        number,
                        None,
                        self.columns.contact_sheet.name,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(too_long[0]), "limit": _MAX_PART_LENGTH},
                    )
                )
                continue
            contact = {"name": values["name"], "role": values.get("role", "")}
            phone = to_e164(values.get("phone", ""), self.mapping.phone_region)
            contact["phone"] = phone
            notes = []
            if values.get("phone") and not phone:
                notes.append(_("Phone as written: %(value)s") % {"value": values["phone"]})
            email = _valid_email(values.get("email", ""))
            if values.get("email", "").strip() and not email:
                notes.append(_("E-mail as written: %(value)s") % {"value": values["email"]})
            contact["email"] = email
            contact["notes"] = "\n".join(notes)
            contacts.append(contact)
        row.links["contacts"] = contacts


def _entry(token: str) -> str:
    """An entry " | b |  | " as written: readers strip the cell, and so its outer spaces."""
    if token.startswith("| ") or token == "|":
        token = " " + token
    return token + " " if token.endswith(" |") else token


def _valid_email(value: str) -> str:
    """The e-mail as written (spaces around it aside), or "" when it is not one."""
    email = value.strip()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def _unmatched(value: str, resolution) -> str:
    if resolution.error:
        return resolution.error
    if resolution.suggestions:
        return _("“%(value)s” matches nothing known. Closest: %(suggestions)s.") % {
            "value": value,
            "suggestions": "; ".join(resolution.suggestions),
        }
    return _("“%(value)s” matches nothing known.") % {"value": value}


def _parse_int(value: str) -> int | None:
    cleaned = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    return int(cleaned) if cleaned.isdigit() else None


def _choice(value: str, spec: FieldSpec, choices) -> str | None:
    folded = fold(value)
    if folded in spec.choices:
        return spec.choices[folded]
    for choice_value, label in choices.choices:
        if folded in {fold(choice_value), fold(str(label))}:
            return choice_value
    return None


def _match(rows: list[RowPlan], index, identifiers, confirmed: dict[int, int]) -> None:
    """Find each row's existing organisation; a second row for the same one is an error."""
    first_row_by_key: dict[str, int] = {}
    for row in rows:
        if row.errors:
            continue
        keys = [f"name:{normalise_name(row.name)}"]
        if row.row in identifiers:
            keys.append(f"id:{identifiers[row.row].lower()}")
        earlier = next((first_row_by_key[k] for k in keys if k in first_row_by_key), None)
        if earlier is not None:
            row.errors.append(
                Problem(
                    row.row,
                    None,
                    "",
                    _("Row %(row)s already describes this organisation; merge the two rows.")
                    % {"row": earlier},
                )
            )
            continue
        for key in keys:
            first_row_by_key[key] = row.row
        emails = [value for kind, value, *_rest in row.links.get("emails", [])]
        found = index.match(
            row.links.get("identifier", ""), row.name, row.values.get("acronym", ""), emails
        )
        if row.row in confirmed and found.organisation_id not in (None, confirmed[row.row]):
            row.errors.append(
                Problem(
                    row.row,
                    None,
                    "",
                    _("This row is already “%(organisation)s” (%(reason)s); it cannot be merged.")
                    % {"organisation": index.labels[found.organisation_id], "reason": found.reason},
                )
            )
        elif row.row in confirmed:
            row.organisation_id = confirmed[row.row]
            row.match_reason = _("confirmed by you")
        elif found.organisation_id:
            row.organisation_id = found.organisation_id
            row.match_reason = found.reason
        else:
            row.suggestion = found.suggestion


@dataclass
class _ExistingState:
    """What the matched organisations hold now; one query per kind of part."""

    organisations: dict[int, Organisation]
    zones: dict[int, set[int]]
    themes: dict[int, set[int]]
    partners: dict[int, set[int]]
    networks: dict[int, set[int]]
    aliases: dict[int, set[str]]
    alias_names: dict[int, list[str]]
    channels: dict[int, set[tuple[str, str]]]
    contacts: dict[int, set[str]]
    identifiers: dict[int, set[str]]
    offices: dict[int, set[tuple]]
    needs: dict[int, set[tuple]]

    @classmethod
    def load(cls, ids: set[int], targets) -> "_ExistingState":
        ids_list = sorted(ids)
        organisations: dict[int, Organisation] = {}
        for chunk in _chunks(ids_list):
            organisations.update(Organisation.objects.in_bulk(chunk))

        def pairs(model, value_field, **filters):
            grouped: dict[int, set] = {}
            for chunk in _chunks(ids_list):
                rows = model.objects.filter(organisation_id__in=chunk, **filters)
                for org_id, value in rows.values_list("organisation_id", value_field):
                    grouped.setdefault(org_id, set()).add(value)
            return grouped

        alias_rows = pairs(OrganisationAlias, "name")
        channels: dict[int, set[tuple[str, str]]] = {}
        offices: dict[int, set[tuple]] = {}
        needs: dict[int, set[tuple]] = {}
        # Offices and needs only when the file has them (full exports).
        for chunk in _chunks(ids_list) if "offices" in targets else []:
            rows = Office.objects.filter(organisation_id__in=chunk)
            for org_id, *office in rows.values_list(
                "organisation_id", "kind", "address", "zone_id"
            ):
                offices.setdefault(org_id, set()).add(tuple(office))
        for chunk in _chunks(ids_list) if {"needs", "private_needs"} & set(targets) else []:
            rows = OrganisationNeed.objects.filter(organisation_id__in=chunk)
            for org_id, *need in rows.values_list("organisation_id", "category_id", "activity_id"):
                needs.setdefault(org_id, set()).add(tuple(need))
        for chunk in _chunks(ids_list):
            rows = ContactChannel.objects.filter(organisation_id__in=chunk)
            for org_id, kind, value in rows.values_list("organisation_id", "kind", "value"):
                channels.setdefault(org_id, set()).add((kind, value.lower()))
        return cls(
            organisations=organisations,
            zones=pairs(OrganisationZone, "zone_id"),
            themes=pairs(OrganisationTheme, "theme_id"),
            partners=pairs(Partnership, "partner_id"),
            networks=pairs(Membership, "network_id"),
            aliases=alias_rows,
            alias_names={k: sorted(names) for k, names in alias_rows.items()},
            channels=channels,
            contacts={
                k: {fold(v) for v in names} for k, names in pairs(ContactPerson, "name").items()
            },
            identifiers=pairs(OrganisationIdentifier, "value"),
            offices=offices,
            needs=needs,
        )


def _chunks(values: list, size: int = 5000):
    for start in range(0, len(values), size):
        yield values[start : start + size]


_EMPTY = {None, "", "unknown"}


def _decide(row: RowPlan, existing: _ExistingState, on_existing, mapping, catalogues) -> None:
    """Set the row's action and its field-by-field changes."""
    if row.errors:
        row.action = Action.ERROR
        return
    org = existing.organisations.get(row.organisation_id) if row.organisation_id else None
    if row.organisation_id and org is None:
        row.errors.append(Problem(row.row, None, "", _("The organisation to merge into is gone.")))
        row.action = Action.ERROR
        return
    if org is not None and on_existing == OnExisting.SKIP:
        row.action = Action.SKIPPED
        row.links = {}
        return
    values = {}
    for attname, new in row.values.items():
        old = getattr(org, attname) if org is not None else None
        if org is not None and (
            old == new or (on_existing == OnExisting.FILL and old not in _EMPTY)
        ):
            continue
        values[attname] = new
        row.changes.append(
            FieldChange(
                attname,
                _field_label(attname, get_language()),
                _display(attname, old, catalogues),
                _display(attname, new, catalogues),
            )
        )
    row.values = values
    _keep_new_links(row, org, existing, catalogues)
    # Same parts in the same order as Organisation.build_search_text (zones by path,
    # aliases by name).
    zone_ids = [*existing.zones.get(row.organisation_id, ()), *row.links.get("zones", [])]
    zone_ids.sort(key=catalogues.zone_paths.__getitem__)
    zone_names = [catalogues.zone_names[zone_id] for zone_id in zone_ids]
    current = {
        "name": org.name if org else "",
        "acronym": org.acronym if org else "",
        "description": org.description if org else "",
    }
    current.update({k: v for k, v in values.items() if k in current})
    aliases = sorted(existing.alias_names.get(row.organisation_id, []) + row.links["aliases"])
    row.search_text = build_search_text(
        current["name"], current["acronym"], current["description"], aliases, zone_names
    )
    if org is None:
        row.action = Action.NEW
    elif row.changes or row.added:
        row.action = Action.UPDATE
    else:
        row.action = Action.UNCHANGED


def _keep_new_links(row: RowPlan, org, existing: _ExistingState, catalogues) -> None:
    """Drop the parts the organisation already has: contacts and zones are never doubled."""
    org_id = org.pk if org is not None else None
    words = _words(get_language())
    labels = {
        "zones": (existing.zones, catalogues.zones, words["zone"]),
        "themes": (existing.themes, catalogues.themes, words["theme"]),
        "partners": (existing.partners, catalogues.partners, words["partner"]),
        "networks": (existing.networks, catalogues.networks, words["network"]),
    }
    for target, (current, catalogue, word) in labels.items():
        kept = [v for v in row.links.get(target, []) if v not in current.get(org_id, set())]
        row.links[target] = kept
        for value in kept:
            name = value[1] if isinstance(value, tuple) else catalogue.label_of(value)
            if isinstance(value, tuple):
                name = words["to be created"] % {"name": name}
            row.added.append(f"{word}: {name}")
    # Only a name written exactly alike is already there: "ASSOCIATION X" is kept.
    taken = existing.aliases.get(org_id, set()) | {org.name if org else row.name}
    aliases = []
    for alias in row.links.get("aliases", []):
        if alias not in taken:
            taken.add(alias)
            aliases.append(alias)
            row.added.append(words["other name"] % {"name": alias})
    row.links["aliases"] = aliases
    channels = []
    seen = set(existing.channels.get(org_id, set()))
    for target in CHANNEL_FIELDS:
        for channel in row.links.pop(target, []):
            if (channel[0], channel[1].lower()) not in seen:
                seen.add((channel[0], channel[1].lower()))
                channels.append(channel)
                kind = _choice_label("channel_kind", channel[0], get_language()).lower()
                row.added.append(f"{kind}: {channel[1]}")
    row.links["channels"] = channels
    # A person the organisation has (by name) is not added again; within the file, only a
    # person given twice alike is (two namesakes of one organisation are two people).
    people = existing.contacts.get(org_id, set())
    contacts = []
    for contact in row.links.get("contacts", []):
        if fold(contact["name"]) not in people and contact not in contacts:
            contacts.append(contact)
            row.added.append(words["contact person"] % {"name": contact["name"]})
    row.links["contacts"] = contacts
    identifier = row.links.get("identifier")
    if identifier and identifier in existing.identifiers.get(org_id, set()):
        row.links.pop("identifier")
    elif identifier:
        row.added.append(words["identifier"] % {"value": identifier})
    if _ENTRY_LINKS & row.links.keys():
        _keep_new_entries(row, org_id, existing, words)


_ENTRY_LINKS = {"identifiers", "offices", "needs", "private_needs"}


def _keep_new_entries(row: RowPlan, org_id, existing: _ExistingState, words) -> None:
    """Identifiers, offices and needs (of a full export) the organisation does not have."""
    identifiers = _new_only(
        row.links.get("identifiers", []), existing.identifiers.get(org_id, ()), itemgetter(1)
    )
    row.links["identifiers"] = identifiers
    row.added += [words["identifier"] % {"value": f"{s}:{v}"} for s, v in identifiers]
    offices = _new_only(row.links.get("offices", []), existing.offices.get(org_id, ()), tuple)
    row.links["offices"] = offices
    row.added += [words["office"] % {"address": office[1]} for office in offices]
    needs = row.links.pop("needs", []) + row.links.pop("private_needs", [])
    needs = _new_only(needs, existing.needs.get(org_id, ()), itemgetter(0, 1))
    row.links["needs"] = needs
    row.added += [words["need"] % {"need": need[3]} for need in needs]


def _new_only(entries: list, known, key) -> list:
    """Entries whose key is neither known nor met earlier in the list."""
    seen = set(known)
    kept = []
    for entry in entries:
        if key(entry) not in seen:
            seen.add(key(entry))
            kept.append(entry)
    return kept


# Translated once per language, not once per row.
@lru_cache(maxsize=8)
def _words(language: str) -> dict[str, str]:
    return {
        "zone": _("zone"),
        "theme": _("theme"),
        "partner": _("partner"),
        "network": _("network"),
        "to be created": _("%(name)s (to be created)"),
        "other name": _("other name: %(name)s"),
        "contact person": _("contact person: %(name)s"),
        "identifier": _("identifier: %(value)s"),
        "office": _("office: %(address)s"),
        "need": _("need: %(need)s"),
    }


@lru_cache(maxsize=256)
def _field_label(attname: str, language: str) -> str:
    return str(Organisation._meta.get_field(attname.removesuffix("_id")).verbose_name)


_LABELLED_CHOICES = {**CHOICE_FIELDS, "channel_kind": ContactChannel.Kind}


@lru_cache(maxsize=256)
def _choice_label(attname: str, value: str, language: str) -> str:
    return str(_LABELLED_CHOICES[attname](value).label)


def _display(attname: str, value, catalogues) -> str:
    if value in (None, ""):
        return ""
    if attname == "typology_id":
        return catalogues.typologies.label_of(value)
    if attname == "registration_country_id":
        return catalogues.countries.label_of(value)
    if attname == "source_id":
        return catalogues.sources.label_of(value)
    if attname in CHOICE_FIELDS:
        return _choice_label(attname, value, get_language())
    return str(value)
