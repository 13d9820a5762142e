"""A mapping checked against the directory: its country and every choice target must name
what the catalogues hold, before it is saved and before any file is read with it."""

from django.utils.translation import gettext as _

from surveys.catalogues import ImportCatalogues, load_catalogues, unmatched
from surveys.mapping import CHOICE_FIELDS, Mapping, MappingError, parse_mapping
from surveys.planning.services import LINKED, service_catalogue

# Fields whose choices name a catalogue entry (the others are checked by parse_mapping).
_CATALOGUE_FIELDS = {
    "zones",
    "themes",
    "partners",
    "networks",
    "typology",
    "registration_country",
    "source",
}


def validate_mapping(definition: str) -> Mapping:
    """The parsed mapping, or MappingError saying every key that is wrong, in one message."""
    mapping = parse_mapping(definition)
    check_targets(mapping, load_catalogues(mapping.country, mapping.fields))
    return mapping


def check_targets(mapping: Mapping, catalogues: ImportCatalogues) -> None:
    problems = []
    if mapping.country and catalogues.country is None:
        problems.append(
            _("country: “%(country)s” is not a country of the zones.")
            % {"country": mapping.country}
        )
    for target, spec in mapping.fields.items():
        if target not in _CATALOGUE_FIELDS or target in CHOICE_FIELDS:
            continue
        for code, value in spec.choices.items():
            if target == "zones":
                resolution = catalogues.zones.resolve_zone(value, spec.level)
            else:
                resolution = catalogues.for_field(target).resolve(value)
            if resolution.entry is None:
                problems.append(
                    _("fields: %(field)s: choices: %(code)s: %(problem)s")
                    % {"field": target, "code": code, "problem": unmatched(value, resolution)}
                )
    problems += _service_problems(mapping, catalogues)
    if problems:
        raise MappingError(" ".join(problems))


def _service_problems(mapping: Mapping, catalogues: ImportCatalogues) -> list[str]:
    """The services' choices that name no theme, zone, people served or language."""
    problems = []
    loaded = {}
    for spec in mapping.services:
        for target, field in spec.fields.items():
            if target not in LINKED or not field.choices:
                continue
            if target not in loaded:
                loaded[target] = service_catalogue(target, catalogues)
            for code, value in field.choices.items():
                if target == "zones":
                    resolution = catalogues.zones.resolve_zone(value, field.level)
                else:
                    resolution = loaded[target].resolve(value)
                if resolution.entry is None:
                    problems.append(
                        _("services: %(field)s: choices: %(code)s: %(problem)s")
                        % {"field": target, "code": code, "problem": unmatched(value, resolution)}
                    )
    return problems
