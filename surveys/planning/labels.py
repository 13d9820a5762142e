"""Labels: field names, choices and catalogue entries as the preview shows them."""

from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from organisations.models import ContactChannel, Organisation
from surveys.mapping import CHOICE_FIELDS
from surveys.planning.plan import FieldChange, RowPlan


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


class RowDescriber:
    """The preview's wording of what a decided row changes and adds, worked out when shown
    (rows keep only what they write)."""

    def __init__(self, catalogues):
        self.catalogues = catalogues

    def changes(self, row: RowPlan) -> list[FieldChange]:
        language = get_language()
        old_values = row.old_values or {}
        return [
            FieldChange(
                attname,
                _field_label(attname, language),
                _display(attname, old_values.get(attname), self.catalogues),
                _display(attname, new, self.catalogues),
            )
            for attname, new in row.values.items()
        ]

    def added(self, row: RowPlan) -> list[str]:
        language = get_language()
        words = _words(language)
        links = row.links
        catalogues = self.catalogues
        added = []
        for target, catalogue, word in (
            ("zones", catalogues.zones, words["zone"]),
            ("themes", catalogues.themes, words["theme"]),
            ("partners", catalogues.partners, words["partner"]),
            ("networks", catalogues.networks, words["network"]),
        ):
            for value in links.get(target, []):
                if isinstance(value, tuple):  # ("new", name): to be created
                    name = words["to be created"] % {"name": value[1]}
                else:
                    name = catalogue.label_of(value)
                added.append(f"{word}: {name}")
        added += [words["other name"] % {"name": alias} for alias in links.get("aliases", [])]
        added += [
            f"{_choice_label('channel_kind', channel[0], language).lower()}: {channel[1]}"
            for channel in links.get("channels", [])
        ]
        added += [
            words["contact person"] % {"name": contact["name"]}
            for contact in links.get("contacts", [])
        ]
        if links.get("identifier"):
            added.append(words["identifier"] % {"value": links["identifier"]})
        added += [
            words["identifier"] % {"value": f"{s}:{v}"} for s, v in links.get("identifiers", [])
        ]
        added += [words["office"] % {"address": office[1]} for office in links.get("offices", [])]
        added += [words["need"] % {"need": need[3]} for need in links.get("needs", [])]
        added += [service.wording for service in links.get("services", []) if service.wording]
        return added
