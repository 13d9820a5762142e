"""Where the organisations' words are, and the order of the results of a search.

Positions are the organisations' places in the list's name order (directory/facet_index.py);
a set of organisations is a pyroaring BitMap of positions.

**Text postings.** ``TextPostingsBuilder.add(position, name, acronym, other_names,
description)`` for each organisation, then ``.build()`` gives the immutable ``TextPostings``:

- ``vocabulary()``: every indexed word of every field, folded, sorted, unique (what
  ``terms.with_typos`` needs, with the catalogue's words the engine adds);
- ``positions(tier, prefix, whole_word=False)``: the organisations with a word starting with
  ``prefix`` (or equal to it) in ``Tier.NAME`` (name and acronym), ``Tier.OTHER_NAMES`` or
  ``Tier.DESCRIPTION``;
- ``exact(query)``: the organisations whose compacted acronym is ``query.acronym_key``
  ("A.M.E." = "AME") or whose folded name or other name is ``query.exact_name``.

Memory: one FrozenBitMap per word and field (the acronyms' words kept apart from the
name's), one per number of words in a name, the sorted vocabulary, two 4-byte hashes per
organisation (name, acronym) and 8 bytes per other name; no Python object per
organisation (bench/search_text_bench.py: 8 MB at 180,000). Single letters (elisions l',
d') are not indexed: a query drops them too (terms.py).

**Ranking.** ``find(query, lookup, exact)`` looks every term up in every tier once;
``Matches.positions()`` is the result (every term matches in some tier), and
``Matches.ranked(within)`` its positions within ``within`` in disjoint classes, best first:
the exact acronym or name, then by score, descending. A position's score is the sum over
terms of the weight of the best tier the term matches in (``WEIGHTS``: a word of the name
outweighs any other tier). Within a class the positions keep the BitMap's order, the name
order: ties go by name. ``rank(query, lookup, within, exact)`` does both at once.

``lookup(tier, alternative, whole_word) -> BitMap`` is the engine's: ``TextPostings.positions``
for the text tiers; for ``Tier.THEMES`` the organisations of a theme whose French or English
name has a word starting so (or equal to it when ``whole_word``), for ``Tier.ZONES`` those
of a zone so named, or in a zone below it, for ``Tier.LINKS`` the partners and members of
the networks whose name or acronym has such a word. ``CatalogueWords`` finds those
entries by their words; its vocabulary belongs in the one given to ``terms.with_typos``,
with ``TextPostings.vocabulary()``.
"""

import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from itertools import pairwise

from pyroaring import BitMap, FrozenBitMap

from common.text import fold
from directory.search.terms import Query, compact

# Sorts after every character: the words starting with w lie between w and w + this.
LAST_CHARACTER = "\U0010ffff"


class Tier(IntEnum):
    """Where a term may match, best first."""

    NAME = 0  # the name and the acronym
    OTHER_NAMES = 1
    THEMES = 2  # French and English names
    ZONES = 3  # a zone's name finds the organisations of the zones below it too
    LINKS = 4  # partners and networks
    DESCRIPTION = 5


# A term's weight by the best tier it matches in; each is more than all those after it
# together, so one word of the name outranks anything else a term can bring.
WEIGHTS = {tier: 2 ** (len(Tier) - 1 - tier) for tier in Tier}
TEXT_TIERS = (Tier.NAME, Tier.OTHER_NAMES, Tier.DESCRIPTION)

Lookup = Callable[[Tier, str, bool], BitMap]


def _hash(text: str) -> int:
    """A stable 32-bit digest; 0 stands for no text."""
    if not text:
        return 0
    return zlib.crc32(text.encode()) or 1


def _put(hashes: array, position: int, value: int) -> None:
    """hashes[position] = value, the array grown with zeros if need be."""
    if len(hashes) <= position:
        hashes.frombytes(bytes(hashes.itemsize * (position + 1 - len(hashes))))
    hashes[position] = value


def _indexed_words(folded: str) -> set[str]:
    """The words of a folded text that are indexed: all but single letters."""
    return {word for word in folded.split() if len(word) > 1}


class _Field(IntEnum):
    """Where the words are kept; Tier.NAME reads both the name's and the acronym's."""

    NAME = 0
    ACRONYM = 1  # its words ("ramdel", "mali") and its compact form ("ramdelmali")
    OTHER_NAMES = 2
    DESCRIPTION = 3


_TIER_FIELDS = {
    Tier.NAME: (_Field.NAME, _Field.ACRONYM),
    Tier.OTHER_NAMES: (_Field.OTHER_NAMES,),
    Tier.DESCRIPTION: (_Field.DESCRIPTION,),
}
_NOTHING = FrozenBitMap()


class TextPostings:
    """Built by TextPostingsBuilder; immutable, read by every thread without a lock."""

    def __init__(
        self,
        vocabulary: list[str],
        postings: dict[_Field, tuple[array, list[FrozenBitMap]]],
        hashes: tuple[array, array, array, array],
        lengths: tuple[dict[int, FrozenBitMap], dict[int, FrozenBitMap]],
    ) -> None:
        self._vocabulary = vocabulary
        # For each field: the vocabulary indexes of its words, ascending, and the positions
        # having each.
        self._postings = postings
        # _hash(fold(name)) and _hash(acronym_key(acronym)) at each position; the positions
        # having other names, ascending, and the _hash(fold(other name)) of each.
        self._name_hashes, self._acronym_hashes, self._other_positions, self._other_hashes = hashes
        # The positions whose name, or one of whose other names, has n different words.
        self._name_lengths, self._other_lengths = lengths

    def vocabulary(self) -> list[str]:
        """Every indexed word, sorted (shared: not to be modified)."""
        return self._vocabulary

    def positions(self, tier: Tier, prefix: str, whole_word: bool = False) -> BitMap:
        """The positions with, in ``tier`` (a text tier), a word starting with ``prefix``, or
        equal to it when ``whole_word``."""
        start = bisect_left(self._vocabulary, prefix)
        if whole_word:
            found = start < len(self._vocabulary) and self._vocabulary[start] == prefix
            stop = start + 1 if found else start
        else:
            stop = bisect_left(self._vocabulary, prefix + LAST_CHARACTER, start)
        fields = _TIER_FIELDS[tier]
        return BitMap.union(BitMap(), *(b for f in fields for b in self._slice(f, start, stop)))

    def _slice(self, field: _Field, start: int, stop: int) -> list[FrozenBitMap]:
        """The postings of ``field`` for the vocabulary's words start…stop."""
        words, bitmaps = self._postings[field]
        return bitmaps[bisect_left(words, start) : bisect_left(words, stop)]

    def _having(self, field: _Field, words: set[str]) -> BitMap:
        """The positions having every one of ``words`` in ``field``."""
        found = []
        for word in words:
            start = bisect_left(self._vocabulary, word)
            if start == len(self._vocabulary) or self._vocabulary[start] != word:
                return BitMap()
            found.append(BitMap.union(BitMap(), *self._slice(field, start, start + 1)))
        return BitMap.intersection(*found)

    def exact(self, query: Query) -> BitMap:
        """The positions whose acronym is ``query.acronym_key`` or whose name or other name
        is ``query.exact_name``: among those having its words, and as many, those whose
        hash is the same."""
        found = BitMap()
        if query.acronym_key:
            wanted = _hash(query.acronym_key)
            candidates = self._having(_Field.ACRONYM, {query.acronym_key.lower()})
            found |= BitMap(p for p in candidates if self._acronym_hashes[p] == wanted)
        if words := _indexed_words(query.exact_name):
            wanted = _hash(query.exact_name)
            names = self._having(_Field.NAME, words)
            names &= self._name_lengths.get(len(words), _NOTHING)
            found |= BitMap(p for p in names if self._name_hashes[p] == wanted)
            others = self._having(_Field.OTHER_NAMES, words)
            others &= self._other_lengths.get(len(words), _NOTHING)
            found |= BitMap(p for p in others if wanted in self._other_name_hashes(p))
        return found

    def _other_name_hashes(self, position: int) -> array:
        start = bisect_left(self._other_positions, position)
        stop = bisect_right(self._other_positions, position, start)
        return self._other_hashes[start:stop]


def _by_position(positions: array, hashes: array) -> tuple[array, array]:
    """The other names' positions and hashes in position order (``add`` may come in any)."""
    if all(a <= b for a, b in pairwise(positions)):
        return positions, hashes
    pairs = sorted(zip(positions, hashes, strict=True))
    return array("I", (p for p, _h in pairs)), array("I", (h for _p, h in pairs))


def _frozen(bitmaps: dict) -> dict:
    return {key: FrozenBitMap(positions) for key, positions in bitmaps.items()}


class TextPostingsBuilder:
    """Collects the organisations' words one organisation at a time (a BitMap per word and
    field, no list of organisations), then builds the frozen TextPostings."""

    def __init__(self) -> None:
        self._words: dict[_Field, dict[str, BitMap]] = {field: {} for field in _Field}
        self._name_hashes, self._acronym_hashes = array("I"), array("I")
        self._other_positions, self._other_hashes = array("I"), array("I")
        self._name_lengths: dict[int, BitMap] = defaultdict(BitMap)
        self._other_lengths: dict[int, BitMap] = defaultdict(BitMap)

    def _add_words(self, field: _Field, words: Iterable[str], position: int) -> None:
        postings = self._words[field]
        for word in words:
            if (bitmap := postings.get(word)) is None:
                bitmap = postings[word] = BitMap()
            bitmap.add(position)

    def add(
        self,
        position: int,
        name: str,
        acronym: str,
        other_names: Iterable[str],
        description: str,
    ) -> None:
        # Each text folded once: folding is most of the build's time.
        folded_name, folded_acronym = fold(name), fold(acronym)
        name_words = _indexed_words(folded_name)
        self._add_words(_Field.NAME, name_words, position)
        self._name_lengths[len(name_words)].add(position)
        _put(self._name_hashes, position, _hash(folded_name))
        key = compact(folded_acronym)
        acronym_words = _indexed_words(folded_acronym) | ({key.lower()} if key else set())
        self._add_words(_Field.ACRONYM, acronym_words, position)
        _put(self._acronym_hashes, position, _hash(key))
        for other_name in other_names:
            folded_other = fold(other_name)
            other_words = _indexed_words(folded_other)
            self._add_words(_Field.OTHER_NAMES, other_words, position)
            self._other_lengths[len(other_words)].add(position)
            self._other_positions.append(position)
            self._other_hashes.append(_hash(folded_other))
        self._add_words(_Field.DESCRIPTION, _indexed_words(fold(description)), position)

    def build(self) -> TextPostings:
        """The frozen postings; the builder is emptied as it goes."""
        vocabulary = sorted(set().union(*self._words.values()))
        postings = {}
        for field, words in self._words.items():
            indexes, bitmaps = array("I"), []
            for i, word in enumerate(vocabulary):
                if (positions := words.pop(word, None)) is not None:
                    indexes.append(i)
                    bitmaps.append(FrozenBitMap(positions))
            postings[field] = (indexes, bitmaps)
        others = _by_position(self._other_positions, self._other_hashes)
        hashes = (self._name_hashes, self._acronym_hashes, *others)
        lengths = (_frozen(self._name_lengths), _frozen(self._other_lengths))
        return TextPostings(vocabulary, postings, hashes, lengths)


class CatalogueWords:
    """The words of catalogue entries' names, for the engine's THEMES, ZONES and LINKS
    lookups: ``entries(prefix)`` are the keys of the entries having a word starting so.

    Built from (key, name, acronym) triples: a theme twice, by its French and English names;
    a zone by its name; a partner or network by its name and acronym (found as its words
    and compacted, as an organisation's). Immutable; which organisations an entry brings
    is the engine's (a zone's and those below it, a network's members).
    """

    def __init__(self, entries: Iterable[tuple[Hashable, str, str]]) -> None:
        keys: dict[str, set] = defaultdict(set)
        for key, name, acronym in entries:
            folded_acronym = fold(acronym)
            words = _indexed_words(fold(name)) | _indexed_words(folded_acronym)
            if folded_acronym:
                words.add(compact(folded_acronym).lower())
            for word in words:
                keys[word].add(key)
        self._words = sorted(keys)
        self._keys = [frozenset(keys[word]) for word in self._words]

    def vocabulary(self) -> list[str]:
        """Every word of the entries' names and acronyms, sorted (shared: not to be modified)."""
        return self._words

    def entries(self, prefix: str, whole_word: bool = False) -> frozenset:
        """The keys of the entries with a word starting with ``prefix`` (or equal to it)."""
        start = bisect_left(self._words, prefix)
        if whole_word:
            found = start < len(self._words) and self._words[start] == prefix
            return self._keys[start] if found else frozenset()
        stop = bisect_left(self._words, prefix + LAST_CHARACTER, start)
        return frozenset().union(*self._keys[start:stop])


@dataclass(frozen=True)
class Matches:
    """Where each term of a query matches: ``by_term[t][tier]``, and the exact matches."""

    by_term: tuple[tuple[BitMap, ...], ...]
    exact: BitMap

    def positions(self) -> BitMap:
        """The positions where every term matches in some tier (no term: none)."""
        if not self.by_term:
            return BitMap()
        return BitMap.intersection(*(BitMap.union(*tiers) for tiers in self.by_term))

    def ranked(self, within: BitMap) -> list[BitMap]:
        """The matching positions within ``within`` in disjoint classes, best first."""
        matching = self.positions() & within
        # An exact acronym or name counts only where its words are the name's (a hash
        # can collide) and every term matches.
        names = [tiers[Tier.NAME] | tiers[Tier.OTHER_NAMES] for tiers in self.by_term]
        exact = BitMap.intersection(matching, self.exact, *names)
        by_score: dict[int, BitMap] = {0: matching - exact}
        for tiers in self.by_term:
            scored: dict[int, BitMap] = {}
            for score, members in by_score.items():
                unscored = BitMap(members)  # every one matches this term in some tier
                for tier, positions in zip(Tier, tiers, strict=True):
                    if hit := unscored & positions:
                        better = score + WEIGHTS[tier]
                        scored[better] = scored.get(better, BitMap()) | hit
                        unscored -= hit
            by_score = scored
        classes = [exact, *(by_score[score] for score in sorted(by_score, reverse=True))]
        return [positions for positions in classes if positions]


def find(query: Query, lookup: Lookup, exact: BitMap | None = None) -> Matches:
    """Look each term of ``query`` up in each tier, once (``exact``: TextPostings.exact)."""
    by_term = tuple(
        tuple(
            BitMap.union(BitMap(), *(lookup(tier, a, term.whole_word) for a in term.alternatives))
            for tier in Tier
        )
        for term in query.terms
    )
    return Matches(by_term, exact if exact is not None else BitMap())


def rank(query: Query, lookup: Lookup, within: BitMap, exact: BitMap | None = None) -> list[BitMap]:
    """The positions of ``within`` matching ``query``, in disjoint classes, best first."""
    return find(query, lookup, exact).ranked(within)
