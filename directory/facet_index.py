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

It is rebuilt, in one process, when the data-version stamp has moved (a write committed
anywhere) or when this process itself wrote (before its commit), so a list never shows
data older than the page cache would.
"""

import ctypes
import ctypes.util
import gc
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

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
from organisations.visibility import sees_private
from pagecache.stamp import current_version, local_writes

# Sorts after every character: the words starting with w lie between w and w + this.
LAST_CHARACTER = "\U0010ffff"
EMPTY = FrozenBitMap()


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


# Facets whose links depend on the audience (private needs, unpublished services).
AUDIENCE_FACETS = ("need", "services_for")


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


def _ranks(order: array) -> array:
    """rank[position]: where each position comes in ``order``."""
    rank = array("l", bytes(len(order) * order.itemsize))
    for i, position in enumerate(order):
        rank[position] = i
    return rank


class FacetIndex:
    """The organisations as bitmaps of positions in the list's name order.

    Immutable once built: requests of every thread read it without a lock.
    """

    def __init__(
        self,
        ids: array,
        positions: array,
        published: FrozenBitMap,
        newest: array,
        verified: array,
        verified_times: array,
        vocabulary: list[str],
        postings: list[FrozenBitMap],
        acronyms: dict[str, FrozenBitMap],
        values: dict[str, dict],
        audience_values: dict[Audience, dict[str, dict]],
        direct_zones: dict[int, FrozenBitMap],
        catalogues: FacetEntries,
    ) -> None:
        self.ids = ids  # organisation id at each position
        self._positions = positions  # position of each organisation id (-1: none)
        self.published = published
        self.everything = FrozenBitMap(range(len(ids)))
        # Positions verified, the most recent verification first, then by name; and their
        # verification times, negated (ascending, for bisect).
        self.verified, self.verified_times = verified, verified_times
        unverified = self.everything - FrozenBitMap(verified)
        by_verification = array("l", verified)
        by_verification.extend(unverified)
        # Each sort order: the positions in it, and each position's rank in it.
        self.orders = {
            "-updated": (newest, _ranks(newest)),  # newest first, then by name
            "-verified": (by_verification, _ranks(by_verification)),  # never verified last
        }
        self._verification: tuple[int, dict[str, FrozenBitMap]] | None = None
        self.vocabulary = vocabulary  # every word of every search_text, sorted
        self.postings = postings  # positions whose text has vocabulary[i]
        self.acronyms = acronyms  # upper-cased acronym -> positions
        self.values = values  # filter name -> value -> positions, whoever looks
        self.audience_values = audience_values  # audience -> filter name -> value -> positions
        self.direct_zones = direct_zones  # zone -> positions linked to it (not below it)
        self.catalogues = catalogues  # what the facets offer, read with the data
        self.typology_parents = {t.pk: t.parent_id for t in catalogues.typologies}

    def visible(self, audience: Audience) -> FrozenBitMap:
        """The positions ``audience`` may see."""
        return self.everything if audience.private else self.published

    def position(self, pk: int) -> int | None:
        """The position of organisation ``pk``, if the index holds it."""
        if 0 <= pk < len(self._positions) and (found := self._positions[pk]) >= 0:
            return found
        return None

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

    def facet_values(self, audience: Audience) -> dict[str, dict]:
        """Filter name -> value -> positions, as ``audience`` counts them."""
        return {
            **self.values,
            **self.audience_values[audience],
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
        if ordering.sort in self.orders:
            order, rank = self.orders[ordering.sort]
            ranks = BitMap(rank[p] for p in result)
            return [self.ids[order[r]] for r in ranks[start:stop]]
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


def _postings() -> defaultdict:
    """Positions per key while building: arrays of C integers, not lists of Python ints
    (lists of 200,000 organisations' word positions cost hundreds of megabytes)."""
    return defaultdict(partial(array, "I"))


def _frozen(postings: dict) -> dict:
    return {key: FrozenBitMap(positions) for key, positions in postings.items()}


def _link_rows(positions: array):
    """(facet, position, linked entry) of every link, in one query. Needs and services
    come twice, tagged with the audience counting them: "need:public", "need:staff"."""
    zone = Value("zone", output_field=CharField())
    queries = [OrganisationZone.objects.order_by().values_list(zone, "organisation_id", "zone_id")]
    public = link_facets(private=False)
    for name, (rows, column, _repeats) in link_facets(private=True).items():
        tagged = {name: rows}
        if name in AUDIENCE_FACETS:
            tagged = {
                f"{name}:{Audience.STAFF}": rows,
                f"{name}:{Audience.PUBLIC}": public[name][0],
            }
        for tag, links in tagged.items():
            label = Value(tag, output_field=CharField())
            queries.append(links.order_by().values_list(label, "organisation_id", column))
    for tag, organisation, key in queries[0].union(*queries[1:], all=True).iterator():
        if organisation < len(positions) and (i := positions[organisation]) >= 0:
            yield tag, i, key


def _release_memory() -> None:
    """Give the build's scratch memory back to the system (glibc keeps freed pages)."""
    gc.collect()
    if library := ctypes.util.find_library("c"):
        trim = getattr(ctypes.CDLL(library), "malloc_trim", None)
        if trim is not None:
            trim(0)


def build() -> FacetIndex:
    """Read every organisation, its links and the catalogues (nine queries, whatever the
    data), streaming the rows so that memory holds the index, not the table."""
    catalogues = FacetEntries.load()
    rows = (
        Organisation.objects.order_by(*BY_NAME)
        .values_list(
            "pk",
            "status",
            "search_text",
            "acronym",
            "updated_at",
            "verified_at",
            *FIELD_FACETS.values(),
        )  # fmt: skip
        .iterator(chunk_size=5000)
    )
    ids, updated, published = array("q"), array("d"), BitMap()
    verified: list[tuple[float, int]] = []
    words, acronyms = _postings(), _postings()
    values = {name: _postings() for name in FIELD_FACETS}
    for i, (pk, status, text, acronym, updated_at, verified_at, *columns) in enumerate(rows):
        ids.append(pk)
        updated.append(-updated_at.timestamp())
        if status == Organisation.Status.PUBLISHED:
            published.add(i)
        if verified_at is not None:
            verified.append((-verified_at.timestamp(), i))
        for word in set(text.split()):
            words[word].append(i)
        if acronym:
            acronyms[acronym.upper()].append(i)
        for name, value in zip(FIELD_FACETS, columns, strict=True):
            values[name][value].append(i)
    positions = array("l", [-1]) * (max(ids, default=0) + 1)
    for i, pk in enumerate(ids):
        positions[pk] = i
    # Newest first, then the name order (a stable sort): the SQL's ("-updated_at", *BY_NAME).
    newest = array("l", sorted(range(len(ids)), key=updated.__getitem__))
    del updated
    # The most recent verification first, then the name order: BY_VERIFICATION.
    verified.sort()

    # A zone holds the organisations working in it or anywhere below it.
    ancestors = {
        zone.pk: [int(part) for part in zone.path.strip("/").split("/")]
        for zone in catalogues.zones
    }
    linked: dict[str, defaultdict] = defaultdict(_postings)
    direct_zones = _postings()
    for tag, i, key in _link_rows(positions):
        if tag == "zone":
            direct_zones[key].append(i)
            for entry in ancestors[key]:
                linked["zone"][entry].append(i)
        else:
            linked[tag][key].append(i)
    shared = {name: _frozen(postings) for name, postings in values.items()}
    for name in ["zone", *(n for n in link_facets(private=False) if n not in AUDIENCE_FACETS)]:
        shared[name] = _frozen(linked.pop(name, {}))
    audience_values = {
        audience: {name: _frozen(linked.pop(f"{name}:{audience}", {})) for name in AUDIENCE_FACETS}
        for audience in Audience
    }
    vocabulary = sorted(words)
    index = FacetIndex(
        ids=ids,
        positions=positions,
        published=FrozenBitMap(published),
        newest=newest,
        verified=array("I", (i for _time, i in verified)),
        verified_times=array("d", (time for time, _i in verified)),
        vocabulary=vocabulary,
        postings=[FrozenBitMap(words[word]) for word in vocabulary],
        acronyms=_frozen(acronyms),
        values=shared,
        audience_values=audience_values,
        direct_zones=_frozen(direct_zones),
        catalogues=catalogues,
    )
    del words, values, linked, verified
    _release_memory()
    return index


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


def found_ids(text: str) -> list[int]:
    """Every organisation (whatever its status) ``text`` finds, in the list's order."""
    index = facet_index()
    criteria = {"q": text}
    return index.ordered_ids(index.matches(criteria, Audience.STAFF), Ordering.of(criteria))


def forget() -> None:
    """Drop this process's index (tests: each starts from its own database)."""
    global _current
    _current = None
