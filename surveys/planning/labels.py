"""Labels: field names, choices and catalogue entries as the preview shows them."""

from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from organisations.models import ContactChannel, Organisation
from surveys.mapping import CHOICE_FIELDS


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
