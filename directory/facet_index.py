"""The published organisations held in memory, for the public list and its facet counts.

What the public list needs of 50,000 organisations (their order, the words they can be
found by, the zones, themes, networks… each belongs to) is read once per data version
into compressed bitmaps (pyroaring) of *positions*: position i is the i-th organisation in
the list's name order, as the database sorts it. A search is then the intersection of
word bitmaps, a filter a union of value bitmaps, a facet count the size of an
intersection, and a page (however deep) a slice of the result: microseconds instead of
a scan of the table per list, filter and facet.

The index answers exactly what ``OrganisationFilterSet`` answers in SQL for visitors who
do not see private data (published organisations, public needs); tests/test_facet_index.py
compares the two on many combinations. Staff who see private data get the SQL.

It is rebuilt, in one process, when the data-version stamp has moved (a write committed
anywhere) or when this process itself wrote (before its commit), so a list never shows
data older than the page cache would.
"""

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import CharField, Value
from pyroaring import BitMap, FrozenBitMap

from common.text import fold
from directory.facets import FIELD_FACETS, KEYED_FACETS, FacetEntries, link_facets
from directory.filters import BY_NAME
from organisations.models import Organisation, OrganisationZone
from organisations.verification import (
    VERIFICATION_DUE,
    VERIFIED_RECENTLY,
    verification_cutoff,
)
from pagecache.stamp import current_version, local_writes

# Sorts after every character: the words starting with w lie between w and w + this.
LAST_CHARACTER = "\U0010ffff"


@dataclass(frozen=True)
class Ordering:
    """How a page of results is ordered: by name, last update ("-updated"), last
    verification ("-verified"), or exact acronym first."""

    sort: str = ""
    acronym: str = ""

    @classmethod
    def of(cls, criteria: dict) -> "Ordering":
        """The order OrganisationFilterSet.qs has for these cleaned_data."""
        if criteria.get("sort"):
            return cls(sort=criteria["sort"])
        return cls(acronym=(criteria.get("q") or "").strip())


def _ranks(order: array) -> array:
    """rank[position]: where each position comes in ``order``."""
    rank = array("l", bytes(len(order) * order.itemsize))
    for i, position in enumerate(order):
        rank[position] = i
    return rank


class FacetIndex:
    """The published organisations as bitmaps of positions in the list's name order.

    Immutable once built: requests of every thread read it without a lock.
    """

    def __init__(
        self,
        ids: array,
        newest: array,
        verified: array,
        verified_times: array,
        vocabulary: list[str],
        postings: list[FrozenBitMap],
        acronyms: dict[str, FrozenBitMap],
        values: dict[str, dict],
        direct_zones: dict[int, FrozenBitMap],
        catalogues: FacetEntries,
    ) -> None:
        self.ids = ids  # organisation id at each position
        # Positions verified, the most recent verification first, then by name; and their
        # verification times, negated (ascending, for bisect).
        self.verified, self.verified_times = verified, verified_times
        verified_set = set(verified)
        by_verification = array(
            "l", [*verified, *(p for p in range(len(ids)) if p not in verified_set)]
        )
        # Each sort order: the positions in it, and each position's rank in it.
        self.orders = {
            "-updated": (newest, _ranks(newest)),  # newest first, then by name
            "-verified": (by_verification, _ranks(by_verification)),  # never verified last
        }
        self._verification: tuple[int, dict[str, FrozenBitMap]] | None = None
        self.vocabulary = vocabulary  # every word of every search_text, sorted
        self.postings = postings  # positions whose text has vocabulary[i]
        self.acronyms = acronyms  # upper-cased acronym -> positions
        self.values = values  # filter name -> value -> positions
        self.direct_zones = direct_zones  # zone -> positions linked to it (not below it)
        self.catalogues = catalogues  # what the facets offer, read with the data
        self.typology_parents = {t.pk: t.parent_id for t in catalogues.typologies}
        self.everything = FrozenBitMap(range(len(ids)))

    # -- filtering ---------------------------------------------------------------------

    def words(self, search: str) -> BitMap:
        """Positions whose text has, for each word of ``search``, a word starting so."""
        found = BitMap(self.everything)
        for word in fold(search).split():
            start = bisect_left(self.vocabulary, word)
            stop = bisect_left(self.vocabulary, word + LAST_CHARACTER, start)
            found &= BitMap.union(BitMap(), *self.postings[start:stop])
            if not found:
                break
        return found

    def verification(self) -> dict[str, FrozenBitMap]:
        """Positions verified in the last 12 months, and the others: computed from the
        clock, since a record falls due without any write (kept while the cut stays put)."""
        cut = bisect_right(self.verified_times, -verification_cutoff().timestamp())
        if self._verification is None or self._verification[0] != cut:
            recent = FrozenBitMap(self.verified[:cut])
            due = FrozenBitMap(self.everything - recent)
            self._verification = (cut, {VERIFIED_RECENTLY: recent, VERIFICATION_DUE: due})
        return self._verification[1]

    def _facet_values(self) -> dict[str, dict]:
        return {**self.values, "verified": self.verification()}

    def _union(self, name: str, keys: Iterable) -> BitMap:
        bitmaps = self._facet_values()[name] if name == "verified" else self.values[name]
        return BitMap.union(BitMap(), *(bitmaps[key] for key in keys if key in bitmaps))

    def matching(self, name: str, value) -> BitMap | None:
        """Positions kept by filter ``name`` with its cleaned ``value``; None: no narrowing."""
        if not value:
            return None
        if name == "q":
            return self.words(value)
        keys = {item.pk for item in value} if name in KEYED_FACETS else set(value)
        if name == "typology":
            # Choosing a family includes its sub-groups.
            keys |= {pk for pk, parent in self.typology_parents.items() if parent in keys}
        return self._union(name, keys)

    def narrowing(self, criteria: dict) -> dict[str, BitMap]:
        """Each filter of ``criteria`` (a FilterSet's cleaned_data) that narrows the list."""
        kept = {}
        for name, value in criteria.items():
            if name != "sort" and (positions := self.matching(name, value)) is not None:
                kept[name] = positions
        return kept

    def _intersection(self, bitmaps: Iterable[BitMap]) -> BitMap:
        result = BitMap(self.everything)
        for positions in sorted(bitmaps, key=len):
            result &= positions
        return result

    # -- results -----------------------------------------------------------------------

    def matches(self, criteria: dict) -> BitMap:
        """The positions the list shows."""
        return self._intersection(self.narrowing(criteria).values())

    def search(self, criteria: dict) -> tuple[BitMap, dict[str, dict]]:
        """The positions the list shows, and the facet counts in facets.py's shape: for
        each facet, counts on the list filtered by every *other* filter, by value, and
        the list's length under "total"."""
        kept = self.narrowing(criteria)
        result = self._intersection(kept.values())
        counts: dict[str, dict] = {"total": {None: len(result)}}
        for name, bitmaps in self._facet_values().items():
            if name in kept:
                base = self._intersection(p for other, p in kept.items() if other != name)
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
        if ordering.sort in self.orders:
            order, rank = self.orders[ordering.sort]
            ranks = BitMap(rank[p] for p in result)
            return [self.ids[order[r]] for r in ranks[start:stop]]
        first = BitMap()
        if ordering.acronym:
            first = result & self.acronyms.get(ordering.acronym.upper(), FrozenBitMap())
        rest = result - first if first else result
        positions = list(first[start:stop])
        positions += rest[max(0, start - len(first)) : max(0, stop - len(first))]
        return [self.ids[p] for p in positions]


def _bitmaps(members: dict) -> dict:
    return {key: FrozenBitMap(positions) for key, positions in members.items()}


def build() -> FacetIndex:
    """Read the published organisations, their links and the catalogues (nine queries,
    whatever the data)."""
    catalogues = FacetEntries.load()
    rows = list(
        Organisation.objects.published()
        .order_by(*BY_NAME)
        .values_list(
            "pk", "search_text", "acronym", "updated_at", "verified_at", *FIELD_FACETS.values()
        )
    )
    ids = array("q", (row[0] for row in rows))
    position = {pk: i for i, pk in enumerate(ids)}
    # Newest first, then the name order: the SQL's ("-updated_at", *BY_NAME).
    newest = array("l", sorted(range(len(rows)), key=lambda i: (-rows[i][3].timestamp(), i)))
    # The most recent verification first, then the name order: the SQL's BY_VERIFICATION.
    verified = sorted((-row[4].timestamp(), i) for i, row in enumerate(rows) if row[4] is not None)

    words: dict[str, list[int]] = defaultdict(list)
    acronyms: dict[str, list[int]] = defaultdict(list)
    values: dict[str, dict] = {name: defaultdict(list) for name in FIELD_FACETS}
    for i, (_pk, text, acronym, _updated, _verified, *columns) in enumerate(rows):
        for word in set(text.split()):
            words[word].append(i)
        if acronym:
            acronyms[acronym.upper()].append(i)
        for name, value in zip(FIELD_FACETS, columns, strict=True):
            values[name][value].append(i)

    # Every link in one query: (facet, organisation, linked entry). What the public sees:
    # link_facets(None) holds public needs only.
    facet = Value("zone", output_field=CharField())
    links = [OrganisationZone.objects.order_by().values_list(facet, "organisation_id", "zone_id")]
    for name, (rows, column, _repeats) in link_facets(None).items():
        facet = Value(name, output_field=CharField())
        links.append(rows.order_by().values_list(facet, "organisation_id", column))
    # A zone holds the organisations working in it or anywhere below it.
    ancestors = {
        zone.pk: [int(part) for part in zone.path.strip("/").split("/")]
        for zone in catalogues.zones
    }
    linked: dict[str, dict] = {name: defaultdict(set) for name in ["zone", *link_facets(None)]}
    direct_zones: dict[int, list[int]] = defaultdict(list)
    for name, organisation, key in links[0].union(*links[1:], all=True).iterator():
        if (i := position.get(organisation)) is not None:
            if name == "zone":
                direct_zones[key].append(i)
            for entry in ancestors[key] if name == "zone" else (key,):
                linked[name][entry].add(i)
    values.update(linked)

    vocabulary = sorted(words)
    return FacetIndex(
        ids=ids,
        newest=newest,
        verified=array("I", (i for _time, i in verified)),
        verified_times=array("d", (time for time, _i in verified)),
        vocabulary=vocabulary,
        postings=[FrozenBitMap(words[word]) for word in vocabulary],
        acronyms=_bitmaps(acronyms),
        values={name: _bitmaps(members) for name, members in values.items()},
        direct_zones=_bitmaps(direct_zones),
        catalogues=catalogues,
    )


_lock = threading.Lock()
_current: tuple[tuple[int, int], FacetIndex] | None = None


def facet_index() -> FacetIndex:
    """This process's index of the current data (one query to check it, when it is)."""
    global _current
    version = (local_writes(), current_version())
    if _current is None or _current[0] != version:
        with _lock:  # one thread builds; the others wait for it rather than build too
            if _current is None or _current[0] != version:
                _current = (version, build())
    return _current[1]


def forget() -> None:
    """Drop this process's index (tests: each starts from its own database)."""
    global _current
    _current = None


class IndexedResults(Sequence):
    """The list's results for a Paginator: its length, and the organisations of a slice
    read by id (one query, plus the caller's prefetches)."""

    def __init__(self, index: FacetIndex, result: BitMap, ordering: Ordering, organisations):
        self.index, self.result, self.ordering = index, result, ordering
        self.organisations = organisations

    def __len__(self) -> int:
        return len(self.result)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("IndexedResults reads slices only")
        start, stop, _step = item.indices(len(self))
        ids = self.index.page(self.result, self.ordering, start, stop)
        found = {o.pk: o for o in self.organisations.filter(pk__in=ids)}
        # An organisation unpublished since the index was built is left out.
        return [found[pk] for pk in ids if pk in found]
