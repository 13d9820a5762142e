"""Whole-page cache for the public directory: anonymous GET requests only.

A page is stored under its full address, the visitor's language and the data-version
stamp, so any write to the directory's data makes every stored page stale (see
pagecache/stamp.py). Logged-in users (staff may see private data) never read from nor
write to it.

Public downloads (public data only, whoever asks) are kept the same way in their own
cache, ``CACHES["downloads"]``, which holds few entries: a streamed body is read into it
when it is at most ``EXPORT_CACHE_MAX_BYTES`` long, and a longer one is streamed on
uncached.
"""

from collections.abc import Callable
from functools import wraps
from hashlib import sha256
from itertools import chain

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

from pagecache.following import serving_older_data
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


def _page_body(response: HttpResponse) -> bytes | None:
    return None if response.streaming else response.content


def _download_body(response: HttpResponse) -> bytes | None:
    """The whole body if it fits under the size cap (the response then sends it as read);
    else None, and the response streams on from where the reading stopped."""
    if not response.streaming:
        return response.content
    if getattr(response, "is_async", False):
        return None
    chunks = iter(response.streaming_content)
    read, size = [], 0
    for chunk in chunks:
        read.append(chunk)
        size += len(chunk)
        if size > settings.EXPORT_CACHE_MAX_BYTES:
            response.streaming_content = chain(read, chunks)
            return None
    body = b"".join(read)
    response.streaming_content = [body]
    return body


def _cached(view, alias: str, body_of: Callable[[HttpResponse], bytes | None]):
    @wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key, store = _key(request), caches[alias]
        stored = store.get(key)
        if stored is not None:
            status, content, headers = stored
            return HttpResponse(content, status=status, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.cookies or serving_older_data():
            return response  # not for this version: the older data is being read again
        content = body_of(response)
        if content is None:
            return response
        stored = (response.status_code, content, dict(response.items()))
        store.set(key, stored, settings.PAGE_CACHE_SECONDS)
        return response

    return cached_view


def cache_public_page(view):
    """Serve an anonymous visitor the stored copy of a page while the data is unchanged."""
    return _cached(view, "default", _page_body)


def cache_public_download(view):
    """The same for a download of public data only, up to ``EXPORT_CACHE_MAX_BYTES``."""
    return _cached(view, "downloads", _download_body)
