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

Memory: one FrozenBitMap per word and field, the sorted vocabulary, two 4-byte hashes per
organisation (name, acronym) and 8 bytes per other name; no Python object per
organisation. Single letters (elisions l', d') are not indexed: a query drops them too
(terms.py).

**Ranking.** ``find(query, lookup, exact)`` looks every term up in every tier once;
``Matches.positions()`` is the result (every term matches in some tier), and
``Matches.ranked(within)`` its positions within ``within`` in disjoint classes, best first:
the exact acronym or name, then by score, descending. A position's score is the sum over
terms of the weight of the best tier the term matches in (``WEIGHTS``: a word of the name
outweighs any other tier). Within a class the positions keep the BitMap's order, the name
order: ties go by name. ``rank(query, lookup, within, exact)`` does both at once.

``lookup(tier, alternative, whole_word) -> BitMap`` is the engine's: ``TextPostings.positions``
for the text tiers; for ``Tier.THEMES`` the organisations of a theme whose French or English
name has a word starting so, for ``Tier.ZONES`` those of a zone so named or below it, for
``Tier.LINKS`` those of a partner or network so named.
"""

import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from itertools import pairwise

from pyroaring import BitMap, FrozenBitMap

from common.text import fold
from directory.search.terms import Query, acronym_key

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


def _indexed_words(text: str) -> Iterator[str]:
    return (word for word in fold(text).split() if len(word) > 1)


class TextPostings:
    """Built by TextPostingsBuilder; immutable, read by every thread without a lock."""

    def __init__(
        self,
        vocabulary: list[str],
        postings: dict[Tier, tuple[array, list[FrozenBitMap]]],
        name_hashes: array,
        acronym_hashes: array,
        other_names: tuple[array, array],
    ) -> None:
        self._vocabulary = vocabulary
        # For each text tier: the vocabulary indexes of its words, ascending, and the
        # positions having each.
        self._postings = postings
        self._name_hashes = name_hashes  # _hash(fold(name)) at each position
        self._acronym_hashes = acronym_hashes  # _hash(acronym_key(acronym)) at each position
        # The positions having other names, ascending, and the _hash(fold(other name)) of each.
        self._other_positions, self._other_hashes = other_names

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
        words, bitmaps = self._postings[tier]
        first, last = bisect_left(words, start), bisect_left(words, stop)
        return BitMap.union(BitMap(), *bitmaps[first:last])

    def exact(self, query: Query) -> BitMap:
        """The positions whose acronym is ``query.acronym_key`` or whose name is
        ``query.exact_name``: among those having its words, those whose hash is the same."""
        found = BitMap()
        if query.acronym_key:
            key, wanted = query.acronym_key.lower(), _hash(query.acronym_key)
            candidates = self.positions(Tier.NAME, key, whole_word=True)
            found |= BitMap(p for p in candidates if self._acronym_hashes[p] == wanted)
        if words := set(_indexed_words(query.exact_name)):
            wanted = _hash(query.exact_name)
            names = self._having(Tier.NAME, words)
            found |= BitMap(p for p in names if self._name_hashes[p] == wanted)
            other_names = self._having(Tier.OTHER_NAMES, words)
            found |= BitMap(p for p in other_names if wanted in self._other_name_hashes(p))
        return found

    def _having(self, tier: Tier, words: Iterable[str]) -> BitMap:
        return BitMap.intersection(*(self.positions(tier, word, whole_word=True) for word in words))

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


class TextPostingsBuilder:
    """Collects the organisations' words one organisation at a time (a BitMap per word and
    field, no list of organisations), then builds the frozen TextPostings."""

    def __init__(self) -> None:
        self._words: dict[Tier, dict[str, BitMap]] = {tier: {} for tier in TEXT_TIERS}
        self._name_hashes = array("I")
        self._acronym_hashes = array("I")
        self._other_positions, self._other_hashes = array("I"), array("I")

    def _add_words(self, tier: Tier, words: Iterable[str], position: int) -> None:
        postings = self._words[tier]
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
        key = acronym_key(acronym)
        # The acronym's words ("ramdel", "mali") and its compact form ("ramdelmali").
        acronym_words = [*_indexed_words(acronym), *([key.lower()] if key else [])]
        self._add_words(Tier.NAME, [*_indexed_words(name), *acronym_words], position)
        for other_name in other_names:
            self._add_words(Tier.OTHER_NAMES, _indexed_words(other_name), position)
            self._other_positions.append(position)
            self._other_hashes.append(_hash(fold(other_name)))
        self._add_words(Tier.DESCRIPTION, _indexed_words(description), position)
        _put(self._name_hashes, position, _hash(fold(name)))
        _put(self._acronym_hashes, position, _hash(key))

    def build(self) -> TextPostings:
        """The frozen postings; the builder is emptied as it goes."""
        vocabulary = sorted(set().union(*self._words.values()))
        postings = {}
        for tier, words in self._words.items():
            indexes, bitmaps = array("I"), []
            for i, word in enumerate(vocabulary):
                if (positions := words.pop(word, None)) is not None:
                    indexes.append(i)
                    bitmaps.append(FrozenBitMap(positions))
            postings[tier] = (indexes, bitmaps)
        other_names = _by_position(self._other_positions, self._other_hashes)
        return TextPostings(
            vocabulary, postings, self._name_hashes, self._acronym_hashes, other_names
        )


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
