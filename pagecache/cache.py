"""Whole-page cache for the public directory: anonymous GET requests only.

A page is stored under its full address, the visitor's language and the data-version
stamp, so any write to the directory's data makes every stored page stale (see
pagecache/stamp.py). Logged-in users (staff may see private data) never read from nor
write to it.
"""

from functools import wraps
from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from pagecache.stamp import current_version


def _key(request: HttpRequest) -> str:
    address = request.get_full_path().encode("utf-8", "surrogateescape")
    return f"page:{current_version()}:{request.LANGUAGE_CODE}:{sha256(address).hexdigest()}"


def _cacheable(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.user.is_authenticated
    )


def cache_public_page(view):
    """Serve an anonymous visitor the stored copy of a page while the data is unchanged."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            status, content, headers = stored
            return HttpResponse(content, status=status, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            stored = (response.status_code, response.content, dict(response.items()))
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
        return response

    return cached_view
