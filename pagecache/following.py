"""Structures a process builds from the data and keeps following the data version (the
directory's index of organisations, the index of services).

A request finds the structure current, or brings it up to date: by the caller's update
from the organisations changed since (fast, in the request), or, when that cannot be done
(a catalogue entry or a bulk import changed what nobody named), by reading it whole. A
whole read happens in a background thread while requests go on with the structure they
have (at 200,000 organisations it takes seconds); only a process that has none yet waits
for it. Meanwhile the process serves older data: ``serving_older_data()`` says so, and the
page cache then stores nothing (a page would be stored under the new version).

``settings.FOLLOW_IN_BACKGROUND = False`` (the tests) reads whole in the request itself, so
that a test sees its own writes at once.
"""

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import connection

from pagecache.stamp import (
    EVERYTHING,
    changes_since,
    current_version,
    local_changes_since,
    local_writes,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
# (this process's write count, the data version) a structure was read at.
Version = tuple[int, int]

_followers: list["Follower"] = []


class Follower(Generic[T]):
    """``build()`` reads the structure whole; ``update(structure, changed)`` gives it with
    the organisation ids ``changed`` read again, or None when it cannot (EVERYTHING is never
    passed to it)."""

    def __init__(
        self,
        build: Callable[[], T],
        update: Callable[[T, set[int]], T | None] | None = None,
    ) -> None:
        self.build, self.update = build, update
        self._lock = threading.Lock()  # one thread brings it up to date; others wait
        self._current: tuple[Version, T] | None = None
        self._reading: threading.Thread | None = None  # a whole read under way
        _followers.append(self)

    def get(self) -> T:
        """The structure of the current data, or the one this process has while it is read
        whole again (one query to check it, when it is current)."""
        now = (local_writes(), current_version())
        current = self._current
        if current is None:
            if (reading := self._reading) is not None:
                reading.join()  # a first read under way (started with the process)
            return self._first(now)
        if current[0] != now:
            with self._lock:
                if self._current[0] != now:
                    self._brought_up_to_date(now)
        return self._current[1]

    def _first(self, now: Version) -> T:
        with self._lock:
            if self._current is None:
                self._current = (now, self.build())
            return self._current[1]

    def _brought_up_to_date(self, now: Version) -> None:
        (writes, version), structure = self._current
        if writes >= now[0] and version >= now[1]:
            return  # already newer: another thread brought it further meanwhile
        changed = local_changes_since(writes) | changes_since(version, now[1])
        updated = None
        if self.update is not None and EVERYTHING not in changed:
            updated = self.update(structure, changed)
        if updated is not None:
            self._current = (now, updated)
        elif not settings.FOLLOW_IN_BACKGROUND:
            self._current = (now, self.build())
        elif self._reading is None:
            self._read_in_background()

    def _read_in_background(self) -> None:
        def read() -> None:
            try:
                # The version first: what commits during the read is read again after it.
                version = (local_writes(), current_version())
                structure = self.build()
                with self._lock:
                    self._current = (version, structure)
            except Exception:  # the database is away: a later request tries again
                logger.exception("Reading %s in the background failed", self.build)
            finally:
                self._reading = None
                connection.close()  # this thread's own connection

        self._reading = threading.Thread(target=read, name="whole-read", daemon=True)
        self._reading.start()

    def start_reading(self) -> None:
        """Read it in the background now, before any request asks (a server's start)."""
        with self._lock:
            if self._current is None and self._reading is None:
                self._read_in_background()

    def wait(self) -> None:
        """Until a read under way ends (tests, benchmarks)."""
        if (reading := self._reading) is not None:
            reading.join()

    def behind(self) -> bool:
        return self._reading is not None and self._current is not None

    def forget(self) -> None:
        """Drop the structure (tests: each starts from its own database)."""
        self.wait()
        self._current = None


def serving_older_data() -> bool:
    """Whether this process answers from a structure being read again in the background."""
    return any(follower.behind() for follower in _followers)


def wait_for_reads() -> None:
    """Until every read under way in the background ends (benchmarks)."""
    for follower in _followers:
        follower.wait()


def start_reading_all() -> None:
    """Start reading every structure in the background (a web server process's start;
    not with gunicorn's --preload, whose forked workers would not have the thread)."""
    if not settings.FOLLOW_IN_BACKGROUND:
        return
    for follower in _followers:
        follower.start_reading()
