"""The directory's organisations held in memory: the one engine behind every list.

What a list needs of every organisation (its place in the name order, the words it can be
found by, the zones, themes, networks… it belongs to, whether it is published) is read once
per data version into compressed bitmaps (pyroaring) of *positions*: position i is the i-th
organisation in the list's name order, as the database sorts it. A search is then the
intersection of word bitmaps, a filter a union of value bitmaps, a facet count the size of
an intersection, and a page (however deep) a slice of the result: microseconds instead of a
scan of the table per list, filter and facet.

Who looks is a parameter, never a second path: an ``Audience`` picks the organisations it
may see (published ones for the public, every one for staff who see private data) and the
needs and services that count (public ones, or all). The public list, its staff view, the
API, every download, referral, the statistics and the admin's search all read this index.

When the data-version stamp has moved (a write committed anywhere) or this process itself
wrote (before its commit), the organisations written since are read again and the index
updated (directory/index_data.py), so a list never shows data older than the page cache
would; a write that names no organisation (a catalogue entry, a bulk import) has it read
again whole.
"""

import heapq
import threading
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pyroaring import BitMap, FrozenBitMap

from common.text import fold
from directory.facets import KEYED_FACETS
from directory.index_data import (
    EMPTY,
    SECONDS_PER_DAY,
    IndexData,
    read_all,
    read_changes,
)
from organisations.verification import (
    VERIFICATION_DUE,
    VERIFIED_RECENTLY,
    verification_cutoff,
)
from organisations.visibility import sees_private
from pagecache.stamp import (
    EVERYTHING,
    changes_since,
    current_version,
    local_changes_since,
    local_writes,
)

# Sorts after every character: the words starting with w lie between w and w + this.
LAST_CHARACTER = "\U0010ffff"
# Results this long or shorter are sorted by date whole; longer ones give their first
# pages from a heap.
SORTED_WHOLE = 20_000
# More organisations changed than this since the index was read: read everything again.
MOST_CHANGED = 2_000


class Audience(StrEnum):
    """Who a list is for: what it may show and what its counts include."""

    PUBLIC = "public"  # published organisations; public needs and published services
    STAFF = "staff"  # every organisation, need and service (staff who see private data)

    @classmethod
    def of(cls, user) -> "Audience":
        return cls.STAFF if sees_private(user) else cls.PUBLIC

    @property
    def private(self) -> bool:
        return self is Audience.STAFF


@dataclass(frozen=True)
class Ordering:
    """How a page of results is ordered: by name, last update ("-updated"), last
    verification ("-verified"), or exact acronym first."""

    sort: str = ""
    acronym: str = ""

    @classmethod
    def of(cls, criteria: dict) -> "Ordering":
        """The order a list has for these criteria (a FilterSet's cleaned_data)."""
        if criteria.get("sort"):
            return cls(sort=criteria["sort"])
        return cls(acronym=(criteria.get("q") or "").strip())


class FacetIndex:
    """The organisations as bitmaps of positions in the list's name order.

    Immutable once built: requests of every thread read it without a lock; an update
    makes a new one (``updated``).
    """

    def __init__(self, data: IndexData) -> None:
        self.data = data
        self.ids = data.ids  # organisation id at each position (-1: free)
        self.published = data.published
        self.everything = data.everything
        self.vocabulary = sorted(data.words)  # every word of every search_text
        self.acronyms = data.acronyms
        self.values = data.values  # filter name -> value -> positions, whoever looks
        self.direct_zones = data.direct_zones  # zone -> positions linked to it, not below
        self.catalogues = data.catalogues  # what the facets offer, read with the data
        self.typology_parents = {t.pk: t.parent_id for t in data.catalogues.typologies}
        # Each sort order: the positions' keys (ascending), then the name order.
        self.sort_keys = {"-updated": data.updated, "-verified": data.verified}

    def updated(self, changed: set[int]) -> "FacetIndex | None":
        """This index with the organisations ``changed`` read again; None when they
        cannot be placed in it (the index must be read again)."""
        data = read_changes(self.data, changed)
        return None if data is None else FacetIndex(data)

    def __len__(self) -> int:
        return len(self.everything)

    def visible(self, audience: Audience) -> FrozenBitMap:
        """The positions ``audience`` may see."""
        return self.everything if audience.private else self.published

    def position(self, pk: int) -> int | None:
        """The position of organisation ``pk``, if the index holds it."""
        positions = self.data.positions
        if 0 <= pk < len(positions) and (found := positions[pk]) >= 0:
            return found
        return None

    # -- filtering ---------------------------------------------------------------------

    def words(self, search: str) -> BitMap:
        """Positions whose text has, for each word of ``search``, a word starting so."""
        found = BitMap(self.everything)
        words = self.data.words
        for word in fold(search).split():
            start = bisect_left(self.vocabulary, word)
            stop = bisect_left(self.vocabulary, word + LAST_CHARACTER, start)
            found &= BitMap.union(BitMap(), *(words[w] for w in self.vocabulary[start:stop]))
            if not found:
                break
        return found

    def verification(self) -> dict[str, FrozenBitMap]:
        """Positions verified in the last 12 months, and the others: computed from the
        clock, since a record falls due without any write."""
        cut = verification_cutoff().timestamp()
        cut_day = int(cut // SECONDS_PER_DAY)
        days = self.data.verified_days
        recent = BitMap.union(BitMap(), *(p for day, p in days.items() if day > cut_day))
        verified = self.data.verified
        recent.update(p for p in days.get(cut_day, EMPTY) if -verified[p] >= cut)
        return {VERIFIED_RECENTLY: recent, VERIFICATION_DUE: self.everything - recent}

    def facet_values(self, audience: Audience) -> dict[str, dict]:
        """Filter name -> value -> positions, as ``audience`` counts them."""
        return {
            **self.values,
            **self.data.audience_values[audience],
            "verified": self.verification(),
        }

    def matching(self, name: str, value, audience: Audience = Audience.PUBLIC) -> BitMap | None:
        """Positions kept by filter ``name`` with its cleaned ``value``; None: no narrowing."""
        if not value:
            return None
        if name == "q":
            return self.words(value)
        keys = {item.pk for item in value} if name in KEYED_FACETS else set(value)
        if name == "typology":
            # Choosing a family includes its sub-groups.
            keys |= {pk for pk, parent in self.typology_parents.items() if parent in keys}
        bitmaps = self.facet_values(audience)[name]
        return BitMap.union(BitMap(), *(bitmaps[key] for key in keys if key in bitmaps))

    def narrowing(self, criteria: dict, audience: Audience) -> dict[str, BitMap]:
        """Each filter of ``criteria`` (a FilterSet's cleaned_data) that narrows the list."""
        kept = {}
        for name, value in criteria.items():
            if name != "sort" and (positions := self.matching(name, value, audience)) is not None:
                kept[name] = positions
        return kept

    def _intersection(self, audience: Audience, bitmaps: Iterable[BitMap]) -> BitMap:
        result = BitMap(self.visible(audience))
        for positions in sorted(bitmaps, key=len):
            result &= positions
        return result

    # -- results -----------------------------------------------------------------------

    def matches(self, criteria: dict, audience: Audience = Audience.PUBLIC) -> BitMap:
        """The positions the list shows ``audience``."""
        return self._intersection(audience, self.narrowing(criteria, audience).values())

    def search(self, criteria: dict, audience: Audience = Audience.PUBLIC):
        """The positions the list shows, and the facet counts in facets.py's shape: for
        each facet, counts on the list filtered by every *other* filter, by value, and
        the list's length under "total"."""
        kept = self.narrowing(criteria, audience)
        result = self._intersection(audience, kept.values())
        counts: dict[str, dict] = {"total": {None: len(result)}}
        for name, bitmaps in self.facet_values(audience).items():
            if name in kept:
                others = (p for other, p in kept.items() if other != name)
                base = self._intersection(audience, others)
            else:
                base = result
            facet = {}
            for key, positions in bitmaps.items():
                if n := base.intersection_cardinality(positions):
                    facet[key] = n
            counts[name] = facet
        return result, counts

    def page(self, result: BitMap, ordering: Ordering, start: int, stop: int) -> list[int]:
        """Organisation ids at ``start:stop`` of ``result`` in ``ordering``."""
        if ordering.sort in self.sort_keys:
            keys = self.sort_keys[ordering.sort]

            def key(position: int) -> tuple[float, int]:
                return keys[position], position  # then the name order

            if len(result) <= SORTED_WHOLE:
                positions = sorted(result, key=key)[start:stop]
            else:
                positions = heapq.nsmallest(stop, result, key=key)[start:]
            return [self.ids[p] for p in positions]
        first = BitMap()
        if ordering.acronym:
            first = result & self.acronyms.get(ordering.acronym.upper(), EMPTY)
        rest = result - first if first else result
        positions = list(first[start:stop])
        positions += rest[max(0, start - len(first)) : max(0, stop - len(first))]
        return [self.ids[p] for p in positions]

    def ordered_ids(self, result: BitMap, ordering: Ordering) -> list[int]:
        """Every organisation id of ``result`` in ``ordering`` (downloads)."""
        return self.page(result, ordering, 0, len(result))


_lock = threading.Lock()
# The index, and the data version and this process's write count it holds.
_current: tuple[int, int, FacetIndex] | None = None


def _brought_up_to_date(index: FacetIndex | None, since: tuple[int, int], now: tuple[int, int]):
    """``index`` with what changed between the versions ``since`` and ``now`` read again,
    or everything read again when that is unknown or too much."""
    if index is None:
        return FacetIndex(read_all())
    (writes, version), (_writes, current) = since, now
    changed = local_changes_since(writes) | changes_since(version, current)
    if EVERYTHING in changed or len(changed) > MOST_CHANGED:
        return FacetIndex(read_all())
    return index.updated(changed) or FacetIndex(read_all())


def facet_index() -> FacetIndex:
    """This process's index of the current data (one query to check it, when it is)."""
    global _current
    now = (local_writes(), current_version())
    if _current is None or _current[:2] != now:
        with _lock:  # one thread updates; the others wait for it rather than do it too
            if _current is None or _current[:2] != now:
                index = _current[2] if _current else None
                since = _current[:2] if _current else now
                _current = (*now, _brought_up_to_date(index, since, now))
    return _current[2]


def found_ids(text: str) -> list[int]:
    """Every organisation (whatever its status) ``text`` finds, in the list's order."""
    index = facet_index()
    criteria = {"q": text}
    return index.ordered_ids(index.matches(criteria, Audience.STAFF), Ordering.of(criteria))


def forget() -> None:
    """Drop this process's index (tests: each starts from its own database)."""
    global _current
    _current = None
