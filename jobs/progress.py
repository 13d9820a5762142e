"""Progress and heartbeat of running jobs, shared between the worker and the web pages.

Kept in files under JOBS_PROGRESS_DIR (Django's file cache) rather than in the job's row: an
import writes inside one transaction, and on SQLite no other connection may write while
it is open, so the row could not move until the very end.
"""

import functools
import time

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache

_KEY = "jobs:progress:{}"


def _cache() -> FileBasedCache:
    return _cache_in(settings.JOBS_PROGRESS_DIR)


@functools.cache
def _cache_in(location: str) -> FileBasedCache:
    return FileBasedCache(location, {"TIMEOUT": None})


def report(job_id: int, done: int, total: int, message: str = "") -> None:
    """Record where the job stands; also the worker's heartbeat."""
    _cache().set(
        _KEY.format(job_id),
        {"done": done, "total": total, "message": message, "beat": time.time()},
        timeout=None,
    )


def read(job_id: int) -> dict | None:
    return _cache().get(_KEY.format(job_id))


def read_many(job_ids: list[int]) -> dict[int, dict]:
    found = _cache().get_many([_KEY.format(pk) for pk in job_ids])
    return {pk: found[_KEY.format(pk)] for pk in job_ids if _KEY.format(pk) in found}


def forget(job_id: int) -> None:
    _cache().delete(_KEY.format(job_id))
