"""The data-version stamp the public page cache is keyed on, and which organisations
each version changed."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from pagecache.models import Change, DataVersion

STAMP_ID = 1
# Versions whose changes are kept for processes catching up; one further behind reads
# everything again.
KEPT_VERSIONS = 2000
EVERYTHING = None  # the changed "organisation" when any of them may have changed

# Writes this process has made, counted when they happen rather than after the commit:
# in-process structures built from the data (directory/facet_index.py) see their own
# writes at once, including inside a transaction that a test rolls back.
_local_writes = 0
# The organisations each of the last local writes named, the oldest dropped.
_local_log: list[set[int | None]] = []
LOCAL_LOG_SIZE = 10_000


def local_writes() -> int:
    return _local_writes


def local_changes_since(writes: int) -> set[int | None]:
    """Organisations this process wrote (committed or not) after its ``writes``-th
    write; EVERYTHING among them when a write named none or is no longer logged."""
    missing = _local_writes - writes
    if missing > len(_local_log):
        return {EVERYTHING}
    return set().union(*_local_log[len(_local_log) - missing :]) if missing else set()


def current_version() -> int:
    """One indexed read per cached request."""
    return DataVersion.objects.filter(pk=STAMP_ID).values_list("version", flat=True).first() or 0


def changes_since(version: int, current: int) -> set[int | None]:
    """Organisations changed by the versions after ``version`` up to ``current`` (one
    query); EVERYTHING among them when a change named none or some were pruned."""
    if current <= version:
        return set()
    rows = Change.objects.filter(version__gt=version, version__lte=current)
    seen, changed = set(), set()
    for changed_version, organisation_id in rows.values_list("version", "organisation_id"):
        seen.add(changed_version)
        changed.add(organisation_id)
    if len(seen) != current - version:  # pruned, or made before changes were recorded
        changed.add(EVERYTHING)
    return changed


class _Bump:
    """The after-commit callback; knows whether it ran, so a transaction queues one, and
    gathers the organisations the transaction wrote."""

    def __init__(self) -> None:
        self.done = False
        self.changed: set[int | None] = set()

    def __call__(self) -> None:
        self.done = True
        with transaction.atomic():
            if not DataVersion.objects.filter(pk=STAMP_ID).update(version=F("version") + 1):
                DataVersion.objects.get_or_create(pk=STAMP_ID, defaults={"version": 1})
            version = current_version()
            changed = {EVERYTHING} if EVERYTHING in self.changed else self.changed
            Change.objects.bulk_create(
                Change(version=version, organisation_id=pk) for pk in changed or {EVERYTHING}
            )
            if version % 100 == 0:
                Change.objects.filter(version__lte=version - KEPT_VERSIONS).delete()


def directory_changed(organisation_ids: Iterable[int] | None = None) -> None:
    """Make every cached public page stale once the current transaction commits, and
    record which organisations changed (``None``: any of them may have).

    After the commit, not before: a page rendered from the old data cannot be cached
    under the new number, and writers in long transactions do not queue on the stamp's
    row lock. Once per transaction, however many rows it writes.
    """
    global _local_writes
    _local_writes += 1
    changed = {EVERYTHING} if organisation_ids is None else set(organisation_ids)
    _local_log.append(changed)
    del _local_log[:-LOCAL_LOG_SIZE]
    queued = (func for _ids, func, _robust in connection.run_on_commit)
    bump = next((f for f in queued if isinstance(f, _Bump) and not f.done), None)
    if bump is None:
        bump = _Bump()
        transaction.on_commit(bump)
    bump.changed.update(changed)
