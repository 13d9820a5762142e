"""Every public URL of the directory and of the export downloads, in French and English."""

from django.urls import URLPattern, reverse
from django.utils import translation

from directory import urls as directory_urls
from exports import urls as export_urls
from tests.test_security_headers import ROUTE_ARGUMENTS

LANGUAGES = ("fr", "en")


def directory_page_urls(objects: dict) -> list[str]:
    """``objects`` holds what ROUTE_ARGUMENTS needs (organisation, network, theme, zone)."""
    urls = []
    for language in LANGUAGES:
        with translation.override(language):
            for pattern in directory_urls.urlpatterns:
                if isinstance(pattern, URLPattern) and pattern.name:
                    arguments = ROUTE_ARGUMENTS.get(pattern.name, lambda _objects: [])(objects)
                    urls.append(reverse(f"directory:{pattern.name}", args=arguments))
    return urls


def export_download_urls() -> list[str]:
    urls = []
    for language in LANGUAGES:
        with translation.override(language):
            for pattern in export_urls.urlpatterns:
                formats = ["csv", "xlsx"] if "fmt" in pattern.pattern.converters else [None]
                for fmt in formats:
                    kwargs = {"fmt": fmt} if fmt else {}
                    urls.append(reverse(f"exports:{pattern.name}", kwargs=kwargs))
    return urls
