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
would. A write that names no organisation (a catalogue entry, a bulk import) has it read
again whole, in the background while requests go on with the index they have
(pagecache/following.py).
"""

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from pyroaring import BitMap, FrozenBitMap

from directory.facets import KEYED_FACETS
from directory.index_data import (
    EMPTY,
    SECONDS_PER_DAY,
    IndexData,
    read_all,
    read_changes,
)
from directory.search.terms import parse, with_typos
from directory.search.text import TEXT_TIERS, Matches, Tier, find
from organisations.verification import (
    VERIFICATION_DUE,
    VERIFIED_RECENTLY,
    verification_cutoff,
)
from organisations.visibility import sees_private
from pagecache.following import Follower

# Results this long or shorter are sorted by date whole; longer ones give their first
# pages from a heap.
SORTED_WHOLE = 20_000
# More organisations changed than this since the index was read: read everything again.
MOST_CHANGED = 2_000
# A list's page asks the matches of its search again: the last ones are kept.
REMEMBERED_SEARCHES = 64


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


RELEVANCE = "relevance"


@dataclass(frozen=True)
class Ordering:
    """How a page of results is ordered: by name, last update ("-updated"), last
    verification ("-verified"), or by relevance to a search ``text`` (the default when
    there is one; by name when there is none)."""

    sort: str = ""
    text: str = ""

    @classmethod
    def of(cls, criteria: dict) -> "Ordering":
        """The order a list has for these criteria (a FilterSet's cleaned_data)."""
        text = (criteria.get("q") or "").strip()
        sort = criteria.get("sort") or (RELEVANCE if text else "")
        return cls(sort=sort, text=text if sort == RELEVANCE else "")


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
        self.text = data.text  # the words of names, acronyms, other names, descriptions
        self.values = data.values  # filter name -> value -> positions, whoever looks
        self.direct_zones = data.direct_zones  # zone -> positions linked to it, not below
        self.catalogues = data.catalogues  # what the facets offer, read with the data
        self.typology_parents = {t.pk: t.parent_id for t in data.catalogues.typologies}
        # Each sort order: the positions' keys (ascending), then the name order.
        self.sort_keys = {"-updated": data.updated, "-verified": data.verified}
        self._searches: dict[str, Matches] = {}  # the last searches' matches, by text

    def updated(self, changed: set[int]) -> "FacetIndex | None":
        """This index with the organisations ``changed`` read again; None when they are
        too many or cannot be placed in it (the index must be read whole again)."""
        if len(changed) > MOST_CHANGED:
            return None
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

    @cached_property
    def vocabulary(self) -> list[str]:
        """Every word a search can find, sorted: a word typed that starts none of them is
        read with the words one typo away."""
        words = self.data.catalogue_words
        found = {*self.text.vocabulary(), *words.themes.vocabulary(), *words.zones.vocabulary()}
        return sorted(found.union(words.links.vocabulary()))

    def _lookup(self, tier: Tier, prefix: str, whole_word: bool) -> BitMap:
        """The positions where a word starting with ``prefix`` (or equal to it) is found in
        ``tier``: the organisations' own words, or the catalogue entries so named."""
        if tier in TEXT_TIERS:
            return self.text.positions(tier, prefix, whole_word)
        words = self.data.catalogue_words
        if tier is Tier.THEMES:
            return self._holding("theme", words.themes.entries(prefix, whole_word))
        if tier is Tier.ZONES:  # a zone holds those working anywhere below it
            return self._holding("zone", words.zones.entries(prefix, whole_word))
        entries = words.links.entries(prefix, whole_word)
        partners = self._holding("partner", (pk for kind, pk in entries if kind == "partner"))
        return partners | self._holding(
            "network", (pk for kind, pk in entries if kind == "network")
        )

    def _holding(self, facet: str, keys: Iterable) -> BitMap:
        bitmaps = self.values[facet]
        return BitMap.union(BitMap(), *(bitmaps[key] for key in keys if key in bitmaps))

    def text_matches(self, text: str) -> Matches | None:
        """Where each term of the search ``text`` matches; None when it has no term."""
        if (found := self._searches.get(text)) is None:
            synonyms = self.data.catalogue_words.synonyms
            query = with_typos(parse(text, synonyms), self.vocabulary, synonyms)
            found = find(query, self._lookup, self.text.exact(query)) if query.terms else None
            if len(self._searches) >= REMEMBERED_SEARCHES:
                self._searches.clear()
            self._searches[text] = found
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

    def _facet(self, name: str, audience: Audience) -> dict:
        """One filter's value -> positions (the clock's split only for "verified")."""
        if name == "verified":
            return self.verification()
        by_audience = self.data.audience_values[audience]
        return by_audience[name] if name in by_audience else self.values[name]

    def matching(self, name: str, value, audience: Audience = Audience.PUBLIC) -> BitMap | None:
        """Positions kept by filter ``name`` with its cleaned ``value``; None: no narrowing."""
        if not value:
            return None
        if name == "q":
            matches = self.text_matches(value)
            return None if matches is None else matches.positions()
        keys = {item.pk for item in value} if name in KEYED_FACETS else set(value)
        if name == "typology":
            # Choosing a family includes its sub-groups.
            keys |= {pk for pk, parent in self.typology_parents.items() if parent in keys}
        bitmaps = self._facet(name, audience)
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
        if ordering.sort == RELEVANCE and (matches := self.text_matches(ordering.text)):
            classes = matches.ranked(result)
        else:
            classes = [result]
        positions: list[int] = []
        for positions_of_class in classes:  # each in the name order
            if start < len(positions_of_class):
                positions += positions_of_class[start:stop]
            start, stop = max(0, start - len(positions_of_class)), stop - len(positions_of_class)
            if stop <= 0:
                break
        return [self.ids[p] for p in positions]

    def ordered_ids(self, result: BitMap, ordering: Ordering) -> list[int]:
        """Every organisation id of ``result`` in ``ordering`` (downloads)."""
        return self.page(result, ordering, 0, len(result))


_followed = Follower(lambda: FacetIndex(read_all()), FacetIndex.updated)


def facet_index() -> FacetIndex:
    """This process's index of the current data (one query to check it, when it is)."""
    return _followed.get()


def found_ids(text: str) -> list[int]:
    """Every organisation (whatever its status) ``text`` finds, in the list's order."""
    index = facet_index()
    criteria = {"q": text}
    return index.ordered_ids(index.matches(criteria, Audience.STAFF), Ordering.of(criteria))


def forget() -> None:
    """Drop this process's index (tests: each starts from its own database)."""
    _followed.forget()
