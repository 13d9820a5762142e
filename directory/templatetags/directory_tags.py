from django import template
from django.urls import translate_url
from django.utils.http import urlencode

from common.phones import format_international

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
