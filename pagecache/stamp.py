"""The data-version stamp the public page cache is keyed on."""

from django.db import connection, transaction
from django.db.models import F

from pagecache.models import DataVersion

STAMP_ID = 1

# Writes this process has made, counted when they happen rather than after the commit:
# in-process structures built from the data (directory/facet_index.py) see their own
# writes at once, including inside a transaction that a test rolls back.
_local_writes = 0


def local_writes() -> int:
    return _local_writes


def current_version() -> int:
    """One indexed read per cached request."""
    return DataVersion.objects.filter(pk=STAMP_ID).values_list("version", flat=True).first() or 0


class _Bump:
    """The after-commit callback; knows whether it ran, so a transaction queues one."""

    done = False

    def __call__(self) -> None:
        self.done = True
        if not DataVersion.objects.filter(pk=STAMP_ID).update(version=F("version") + 1):
            DataVersion.objects.get_or_create(pk=STAMP_ID, defaults={"version": 1})


def directory_changed() -> None:
    """Make every cached public page stale once the current transaction commits.

    After the commit, not before: a page rendered from the old data cannot be cached
    under the new number, and writers in long transactions do not queue on the stamp's
    row lock. Once per transaction, however many rows it writes.
    """
    global _local_writes
    _local_writes += 1
    queued = (func for _ids, func, _robust in connection.run_on_commit)
    if not any(isinstance(func, _Bump) and not func.done for func in queued):
        transaction.on_commit(_Bump())
