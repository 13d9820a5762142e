import re

from django import template
from django.urls import translate_url
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import pgettext_lazy

from common.phones import format_international
from organisations.models import Zone

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, language: str) -> str:
    """This page in ``language`` (French unprefixed, English under /en/), query kept."""
    request = context["request"]
    return translate_url(request.get_full_path(), language)


@register.simple_tag(takes_context=True)
def absolute_language_url(context, language: str) -> str:
    return context["request"].build_absolute_uri(language_url(context, language))


@register.simple_tag
def page_url(query_string: str, number: int) -> str:
    """The list URL for page ``number``, keeping every filter."""
    page = urlencode({"page": number})
    return f"?{query_string}&{page}" if query_string else f"?{page}"


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number as people read it ("+223 20 24 11 22"); other text unchanged."""
    return format_international(value)


@register.simple_tag
def colon() -> str:
    """ ":" as the page's language writes it: French puts a no-break space before it."""
    return "\u00a0:" if translation.get_language() == "fr" else ":"


# A zone's level after its name, in brackets: without the level label's own explanation in
# brackets ("Kita (cercle)", not "Kita (cercle (district))").
ZONE_KINDS = {
    Zone.Level.CERCLE: pgettext_lazy("zone after its name", "cercle"),
    Zone.Level.TERRITORY: pgettext_lazy("zone after its name", "territory"),
}


@register.filter
def zone_kind(zone: Zone) -> str:
    return str(ZONE_KINDS.get(zone.level, zone.get_level_display().lower()))


# The report writes a scope as its heading then its places: "Local (Régional) : Somankidi Coura,
# Région de Kayes". The page already shows the scope, so only the places follow it.
SCOPE_HEADING = re.compile(r"^\s*(local|national|international)e?\b[^:,]*:\s*", re.IGNORECASE)


@register.filter
def scope_places(scope_detail: str) -> str:
    return SCOPE_HEADING.sub("", scope_detail, count=1)
