"""A mapping: which columns of a survey export feed which fields of the directory.

A mapping is a small YAML (or JSON) document that staff write from an example (see
README, "Importer une enquête"). This module parses and checks it, and finds each
mapped column among a file's headers.
"""

import fnmatch
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from common.phones import is_region, region_of_prefix
from common.text import fold
from organisations.fields import Description, Kind, OrganisationField, importable_fields
from organisations.models import Organisation, Zone
from services.models import Service


def import_targets(
    fields: Description | None = None,
) -> dict[str, OrganisationField]:
    """The organisation's fields a column can fill, by their name in a mapping."""
    return {field.import_target: field for field in importable_fields(fields)}


TARGETS = import_targets()


def _targets(kind: Kind) -> set[str]:
    return {target for target, field in TARGETS.items() if field.kind is kind}


# Organisation fields a column can fill, by kind of value (organisations.fields).
TEXT_FIELDS = _targets(Kind.TEXT)
INTEGER_FIELDS = _targets(Kind.INTEGER)
CHOICE_FIELDS = {
    target: field.choices for target, field in TARGETS.items() if field.kind is Kind.CHOICE
}
# "source" names a Source by its code.
LOOKUP_FIELDS = _targets(Kind.LOOKUP)
# The slug, kept when it is free (it is an organisation's address on the public site).
SLUG_FIELDS = _targets(Kind.SLUG)
# Entries with parts, in the full export's formats (README "Exports"): "a | b | c" joined
# with " ; ".
ENTRY_FIELDS = _targets(Kind.ENTRIES)
# Channel targets: kind, and whether the column holds public (True) or private (False)
# values; None follows defaults.channels_public.
CHANNEL_FIELDS = {
    target: (field.channel, False if field.private else None)
    for target, field in TARGETS.items()
    if field.kind is Kind.CHANNEL
}
# Several values per cell (and per organisation).
MULTI_FIELDS = _targets(Kind.MANY) | set(CHANNEL_FIELDS) | ENTRY_FIELDS
SCALAR_FIELDS = TEXT_FIELDS | INTEGER_FIELDS | set(CHOICE_FIELDS) | LOOKUP_FIELDS | SLUG_FIELDS
ALL_FIELDS = SCALAR_FIELDS | MULTI_FIELDS
# Catalogue entries an import may create when the user allows it. Zones never: a place
# needs a level and a parent, which a survey answer does not give.
CREATABLE = ("themes", "partners", "networks")
CONTACT_FIELDS = ("name", "role", "phone", "email")
ZONE_LEVELS = ["highest", *Zone.Level.values]
DEFAULT_EMPTY_VALUES = ["néant", "neant", "n/a", "na", "-", "aucun", "aucune", "none"]
DEFAULT_IGNORE = ["_*", "__version__", "meta/*", "formhub/*"]
# How alike (rapidfuzz ratio, 0-100) a header must be to be offered for a missing column.
NEAREST_HEADER_SCORE = 75
TOP_LEVEL_KEYS = {
    "name",
    "description",
    "source",
    "country",
    "defaults",
    "identifier",
    "phone_prefix",
    "phone_digits",
    "fields",
    "contact_persons",
    "services",
    "ignore",
    "empty_values",
    "exported",
}


class MappingError(Exception):
    pass


@dataclass
class FieldSpec:
    target: str
    # Each entry is one column given as alternatives (a name or a label, for example).
    columns: list[list[str]]
    choices: dict[str, str] = field(default_factory=dict)
    level: str = "highest"
    # A column the file may lack (``optional: true``); any other missing column is an error.
    optional: bool = False


@dataclass
class ContactSpec:
    sheet: str
    columns: dict[str, list[str]]
    optional: bool = False


# A service's fields a column can fill (README "Writing a mapping"): text, with its
# length limit (None: any length), one choice, or several values per cell.
SERVICE_TEXT_FIELDS = {
    name: Service._meta.get_field(name).max_length
    for name in ("name", "name_en", "description", "description_en", "eligibility", "cost_detail")
}
SERVICE_CHOICE_FIELDS = {"cost": Service.Cost, "status": Service.Status}
# "access" lists how to get it: its values are the service's flags.
SERVICE_ACCESS = ("walk_in", "by_appointment", "by_referral", "by_phone")
SERVICE_LIST_FIELDS = {"themes", "populations", "languages", "zones", "access"}
SERVICE_FIELDS = set(SERVICE_TEXT_FIELDS) | set(SERVICE_CHOICE_FIELDS) | SERVICE_LIST_FIELDS


@dataclass
class ServiceSpec:
    """Where a file holds services: columns of a repeat sheet (one service per row) or of
    the main sheet (one service per organisation and spec)."""

    sheet: str
    fields: dict[str, FieldSpec]
    # The file may lack the sheet and every column (``optional: true``).
    optional: bool = False


@dataclass
class Mapping:
    name: str
    fields: dict[str, FieldSpec]
    identifier_column: list[str] = field(default_factory=list)
    identifier_scheme: str = ""
    identifier_optional: bool = False
    source: dict = field(default_factory=dict)
    country: str = ""
    defaults: dict = field(default_factory=dict)
    phone_prefix: str = ""
    contacts: ContactSpec | None = None
    services: list[ServiceSpec] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    empty_values: set[str] = field(default_factory=set)
    # The file is one of the directory's own exports: cells are split at " ; " only and
    # the apostrophe exports put before formula characters is taken off.
    exported: bool = False

    def is_ignored(self, header: str) -> bool:
        lowered = header.lower()
        last = lowered.rsplit("/", 1)[-1]
        return any(
            fnmatch.fnmatchcase(lowered, pattern) or fnmatch.fnmatchcase(last, pattern)
            for pattern in self.ignore
        )

    @property
    def phone_region(self) -> str:
        """Where a number written without country code is read: the country of
        ``phone_prefix``, else the mapping's country when it is an ISO code ("" if neither)."""
        if self.phone_prefix:
            return region_of_prefix(self.phone_prefix)
        return self.country.upper() if is_region(self.country) else ""


def parse_mapping(text: str) -> Mapping:
    """Parse and check a mapping; MappingError says what is wrong, in the user's language."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(
            _("The mapping is not valid YAML or JSON: %(error)s") % {"error": exc}
        ) from None
    if not isinstance(data, dict):
        raise MappingError(_("The mapping must be a YAML or JSON object with a “fields” entry."))
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise MappingError(
            _("Unknown entries in the mapping: %(keys)s. Allowed: %(allowed)s.")
            % {"keys": ", ".join(map(str, unknown)), "allowed": ", ".join(sorted(TOP_LEVEL_KEYS))}
        )
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or "name" not in raw_fields:
        raise MappingError(_("The mapping must say which column holds the name (fields: name)."))
    fields = {target: _field_spec(target, spec) for target, spec in raw_fields.items()}
    identifier = data.get("identifier") or {}
    if (
        not isinstance(identifier, dict)
        or (identifier and not (identifier.get("column") and identifier.get("scheme")))
        or set(identifier) - {"column", "scheme", "optional"}
    ):
        raise MappingError(_("“identifier” needs a column and a scheme (e.g. kobo-uuid)."))
    defaults = data.get("defaults") or {}
    _check_defaults(defaults)
    phone_prefix = str(data.get("phone_prefix") or "")
    if phone_prefix and not region_of_prefix(phone_prefix):
        raise MappingError(
            _("“phone_prefix” must be a country calling code such as +223 (not “%(prefix)s”).")
            % {"prefix": phone_prefix}
        )
    # Still checked, no longer needed: libphonenumber knows how long each country's numbers are.
    _positive_int(data.get("phone_digits"), "phone_digits")
    return Mapping(
        name=str(data.get("name") or ""),
        fields=fields,
        identifier_column=_alternatives(identifier.get("column")) if identifier else [],
        identifier_scheme=str(identifier.get("scheme", "")),
        identifier_optional=_flag(identifier.get("optional", False), "identifier.optional"),
        source=_source(data.get("source")),
        country=str(data.get("country") or ""),
        defaults=defaults,
        phone_prefix=phone_prefix,
        contacts=_contact_spec(data.get("contact_persons")),
        services=_service_specs(data.get("services")),
        ignore=[str(p).lower() for p in (data.get("ignore") or [])] + DEFAULT_IGNORE,
        empty_values=_empty_values(data),
        exported=_flag(data.get("exported", False), "exported"),
    )


def _field_spec(target, spec) -> FieldSpec:
    if target not in ALL_FIELDS:
        raise MappingError(
            _("Unknown field “%(field)s”. Fields a column can fill: %(fields)s.")
            % {"field": target, "fields": ", ".join(sorted(ALL_FIELDS))}
        )
    allowed = set(CHOICE_FIELDS[target].values) if target in CHOICE_FIELDS else None
    return _column_spec(target, spec, target in TEXT_FIELDS | MULTI_FIELDS, allowed)


def _column_spec(target, spec, several: bool, allowed: set[str] | None) -> FieldSpec:
    """A field's columns, choices and zone level; ``several``: it may read several columns,
    ``allowed``: the values its choices may give (None: any)."""
    if isinstance(spec, str | list):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        raise MappingError(_("Field “%(field)s”: give a column name.") % {"field": target})
    unknown = set(spec) - {"column", "columns", "choices", "level", "optional"}
    if unknown:
        raise MappingError(
            _("Field “%(field)s”: unknown options %(options)s.")
            % {"field": target, "options": ", ".join(sorted(unknown))}
        )
    if "columns" in spec:
        columns = [_alternatives(column) for column in spec["columns"] or []]
    else:
        columns = [_alternatives(spec.get("column"))]
    if not columns or not all(columns):
        raise MappingError(_("Field “%(field)s”: give a column name.") % {"field": target})
    if len(columns) > 1 and not several:
        raise MappingError(
            _("Field “%(field)s” takes one column; several columns only feed text or lists.")
            % {"field": target}
        )
    choices = spec.get("choices") or {}
    if not isinstance(choices, dict):
        raise MappingError(
            _("Field “%(field)s”: choices must map each code to a value.") % {"field": target}
        )
    if allowed is not None:
        wrong = sorted(str(v) for v in choices.values() if v not in allowed)
        if wrong:
            raise MappingError(
                _("Field “%(field)s”: %(values)s are not values of this field (%(allowed)s).")
                % {"field": target, "values": ", ".join(wrong), "allowed": ", ".join(allowed)}
            )
    level = str(spec.get("level") or "highest")
    if level not in ZONE_LEVELS:
        raise MappingError(
            _("Field “%(field)s”: level must be one of %(levels)s.")
            % {"field": target, "levels": ", ".join(ZONE_LEVELS)}
        )
    return FieldSpec(
        target=target,
        columns=columns,
        choices={fold(str(code)): str(value) for code, value in choices.items()},
        level=level,
        optional=_flag(spec.get("optional", False), f"fields.{target}.optional"),
    )


def _alternatives(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if str(value).strip() else []


def _positive_int(value, key: str) -> int:
    if value in (None, ""):
        return 0
    if not isinstance(value, int) or value < 0:
        raise MappingError(_("“%(key)s” must be a whole number.") % {"key": key})
    return value


def _empty_values(data: dict) -> set[str]:
    """Answers that mean "nothing"; none by default in our own exports, where "-" is data."""
    if "empty_values" not in data and data.get("exported"):
        return set()
    return {fold(v) for v in (data.get("empty_values") or DEFAULT_EMPTY_VALUES)}


def _flag(value, key: str) -> bool:
    if not isinstance(value, bool):
        raise MappingError(_("“%(key)s” must be true or false.") % {"key": key})
    return value


def _source(value) -> dict:
    if not value:
        return {}
    if not isinstance(value, dict) or not value.get("code") or not value.get("document"):
        raise MappingError(_("“source” needs a code and a document name."))
    return value


def _check_defaults(defaults) -> None:
    allowed = {
        "status": Organisation.Status.values,
        "survey_status": Organisation.SurveyStatus.values,
        "channels_public": [True, False],
    }
    if not isinstance(defaults, dict):
        defaults = {"": None}
    for key, value in defaults.items():
        if key not in allowed or value not in allowed[key]:
            raise MappingError(
                _(
                    "“defaults” accepts status (%(status)s), survey_status (%(survey)s) and "
                    "channels_public (true or false)."
                )
                % {
                    "status": ", ".join(allowed["status"]),
                    "survey": ", ".join(allowed["survey_status"]),
                }
            )


def _contact_spec(value) -> ContactSpec | None:
    if not value:
        return None
    if not isinstance(value, dict) or not value.get("name"):
        raise MappingError(_("“contact_persons” needs at least the column of the name."))
    unknown = set(value) - {"sheet", "optional", *CONTACT_FIELDS}
    if unknown:
        raise MappingError(
            _("“contact_persons”: unknown entries %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )
    return ContactSpec(
        sheet=str(value.get("sheet") or ""),
        columns={key: _alternatives(value.get(key)) for key in CONTACT_FIELDS if value.get(key)},
        optional=_flag(value.get("optional", False), "contact_persons.optional"),
    )


def _service_specs(value) -> list[ServiceSpec]:
    """``services``: one spec (a mapping) or several (a list of them)."""
    if not value:
        return []
    specs = value if isinstance(value, list) else [value]
    return [_service_spec(spec) for spec in specs]


def _service_spec(value) -> ServiceSpec:
    if not isinstance(value, dict) or not value.get("name"):
        raise MappingError(_("“services” needs at least the column of the service's name."))
    unknown = set(value) - {"sheet", "optional", *SERVICE_FIELDS}
    if unknown:
        raise MappingError(
            _("“services”: unknown entries %(keys)s. Allowed: %(allowed)s.")
            % {
                "keys": ", ".join(sorted(map(str, unknown))),
                "allowed": ", ".join(sorted({"sheet", "optional", *SERVICE_FIELDS})),
            }
        )
    fields = {}
    for target, spec in value.items():
        if target in ("sheet", "optional"):
            continue
        if target in SERVICE_CHOICE_FIELDS:
            allowed = set(SERVICE_CHOICE_FIELDS[target].values)
        else:
            allowed = set(SERVICE_ACCESS) if target == "access" else None
        several = target in SERVICE_TEXT_FIELDS or target in SERVICE_LIST_FIELDS
        fields[target] = _column_spec(f"services: {target}", spec, several, allowed)
        fields[target].target = target
    return ServiceSpec(
        sheet=str(value.get("sheet") or ""),
        fields=fields,
        optional=_flag(value.get("optional", False), "services.optional"),
    )


def find_column(alternatives: list[str], headers: list[str]) -> int | None:
    """Index of the header a mapped column names.

    A column matches a header written the same way once folded (case, accents and
    punctuation aside), or the last part of a KoboToolbox group path
    ("identification/nom_osc" matches "nom_osc").
    """
    folded = [fold(header) for header in headers]
    last_parts = [fold(header.rsplit("/", 1)[-1]) for header in headers]
    for alternative in alternatives:
        wanted = fold(alternative)
        if wanted in folded:
            return folded.index(wanted)
        wanted_last = fold(alternative.rsplit("/", 1)[-1])
        matches = [i for i, last in enumerate(last_parts) if last == wanted_last]
        if len(matches) == 1:
            return matches[0]
    return None


def nearest_header(alternatives: list[str], headers: list[str]) -> str:
    """The header of the file closest to a mapped column it lacks ("Sigel" -> "Sigle"), or ""
    when none is close; headers are compared whole and by their last part, folded."""
    candidates: dict[str, str] = {}
    for header in reversed(headers):
        candidates[fold(header)] = header
        candidates.setdefault(fold(header.rsplit("/", 1)[-1]), header)
    best: tuple[str, float] | None = None
    for alternative in alternatives:
        for wanted in {fold(alternative), fold(alternative.rsplit("/", 1)[-1])}:
            found = process.extractOne(
                wanted, list(candidates), scorer=fuzz.ratio, score_cutoff=NEAREST_HEADER_SCORE
            )
            if found and (best is None or found[1] > best[1]):
                best = found[:2]
    return candidates[best[0]] if best else ""


def find_choice_columns(alternatives: list[str], headers: list[str]) -> dict[int, str]:
    """KoboToolbox's one-0/1-column-per-choice shape: "themes/retour" -> {index: "retour"}."""
    found: dict[int, str] = {}
    for alternative in alternatives:
        wanted = fold(alternative)
        wanted_last = fold(alternative.rsplit("/", 1)[-1])
        for index, header in enumerate(headers):
            if "/" not in header:
                continue
            parent, choice = header.rsplit("/", 1)
            if fold(parent) == wanted or fold(parent.rsplit("/", 1)[-1]) == wanted_last:
                found[index] = choice
        if found:
            break
    return found
