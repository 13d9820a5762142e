"""Likely duplicate organisations: same folded name or acronym, similar names, or a
shared e-mail address or phone number.

Archived records are left out (a merged-away record is archived). Pairs that staff
marked as distinct are left out too.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from heapq import nsmallest
from itertools import combinations, repeat
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from common.collector import cycle_collector_paused
from common.text import fold
from crm.models import DistinctPair
from organisations.models import ContactChannel, Organisation, OrganisationAlias

# token_sort_ratio on folded names; 92 catches a dropped letter or a swapped word in a
# long name ("CAMARCI"/"CAMRCI") without pairing names that share only a generic start.
SIMILARITY_THRESHOLD = 92

_DIGITS = re.compile(r"\d+")
_NON_DIGITS = re.compile(r"\D+")
# The channels compared, as plain strings (an enum member's lookup costs more, 500,000 times).
_PHONE, _EMAIL = ContactChannel.Kind.PHONE.value, ContactChannel.Kind.EMAIL.value
# Words whose difference does not make two names different organisations.
_MINOR_WORDS = frozenset(
    ["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les"]
    + ["pour", "sur", "the", "of", "and", "for", "in"]
)
# Below this, the words that differ between two names are different words (Kayes and
# Sikasso), not two spellings of one ("camarci" and "camrci").
_SAME_WORD_THRESHOLD = 75
# Blocking of similar names: each name is compared with the next _WINDOW names of each
# order, and grouped with the names sharing one of its _RARE_KEYS rarest words.
_WINDOW = 12
_RARE_KEYS = 2
# Up to this many records sharing a name, an acronym or a phone, every two are a pair; more
# (a generic name among thousands of records) are each paired with the first only.
_FULLY_PAIRED = 10


@dataclass
class DuplicatePair:
    first: Organisation
    second: Organisation
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        return (self.first.pk, self.second.pk)


class FoundDuplicates(NamedTuple):
    pairs: list[DuplicatePair]  # the likeliest first (most reasons), at most the limit asked
    total: int


# Why two records may be one, in the order they are listed; a pair's reasons are a bit mask.
SAME_NAME, SAME_ACRONYM, OTHER_NAME, SIMILAR_NAMES, SHARED_EMAIL, SHARED_PHONE = (
    1 << bit for bit in range(6)
)


def find_duplicates(limit: int | None = None) -> FoundDuplicates:
    """The likely duplicate pairs, the likeliest (most reasons) first, and how many there
    are. Records sharing a generic name make many pairs (1.2 million among 50,000 demo
    records): pairs are kept as integers and only those returned become objects."""
    # It allocates a million small containers: 1 s of 2.8 s at 200,000 was the collector's.
    with cycle_collector_paused():
        return _find_duplicates(limit)


def _find_duplicates(limit: int | None) -> FoundDuplicates:
    rows = (
        Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)
        .order_by("pk")
        .values_list("pk", "name", "acronym")
    )
    pks, names, acronyms = zip(*rows, strict=True) if rows else ((), (), ())
    # Names repeat ("Association des femmes de …"): each distinct one is folded once.
    fold_once = cache(fold)
    folded = [fold_once(name) for name in names]
    pairs: dict[int, int] = {}  # (first pk << 32 | second pk) -> reasons

    def flag(ids, reason):
        ids = sorted(set(ids))
        # Records sharing a generic name: each with the first is enough to merge them all.
        linked = combinations(ids, 2) if len(ids) <= _FULLY_PAIRED else zip(repeat(ids[0]), ids[1:])
        for first, second in linked:
            key = first << 32 | second
            pairs[key] = pairs.get(key, 0) | reason

    for ids in _groups(zip(pks, folded, strict=True)):
        flag(ids, SAME_NAME)
    acronyms = [fold_once(acronym) for acronym in acronyms]
    compact = (acronym.replace(" ", "") for acronym in acronyms)
    for ids in _groups(zip(pks, compact, strict=True)):
        flag(ids, SAME_ACRONYM)
    # A name or acronym that is another record's other name (CAMRCI for CAMARCI).
    aliases = [
        (organisation_id, fold(alias))
        for organisation_id, alias in OrganisationAlias.objects.exclude(
            organisation__status=Organisation.Status.ARCHIVED
        ).values_list("organisation_id", "name")
    ]
    other_names = {alias for _organisation_id, alias in aliases} - {""}
    named = defaultdict(set)
    for pk, name, acronym in zip(pks, folded, acronyms, strict=True):
        for value in (name, acronym):
            if value in other_names:
                named[value].add(pk)
    for organisation_id, alias in aliases:
        for other_id in named.get(alias, set()) - {organisation_id}:
            flag([organisation_id, other_id], OTHER_NAME)
    scores = {}
    for first, second, score in _similar_names(pks, folded):
        key = first << 32 | second
        pairs[key] = pairs.get(key, 0) | SIMILAR_NAMES
        scores[key] = score
    for kind, ids in _shared_channels(set(pks)):
        flag(ids, SHARED_EMAIL if kind == _EMAIL else SHARED_PHONE)
    for first, second in DistinctPair.objects.values_list("first_id", "second_id"):
        pairs.pop(first << 32 | second, None)

    chosen = _likeliest(pairs, limit)
    chosen_ids = {pk for key in chosen for pk in (key >> 32, key & 0xFFFFFFFF)}
    by_id = Organisation.objects.only("pk", "name", "acronym", "slug", "status").in_bulk(chosen_ids)
    return FoundDuplicates(
        [
            DuplicatePair(
                by_id[key >> 32], by_id[key & 0xFFFFFFFF], _reasons(pairs[key], scores.get(key))
            )
            for key in chosen
        ],
        len(pairs),
    )


def _likeliest(pairs: dict[int, int], limit: int | None) -> list[int]:
    """The keys of the pairs with the most reasons first, then by key; at most ``limit``.

    Pairs are bucketed by their number of reasons so that the keys, plain integers, are
    compared without a key function: 0.5 s less at 200,000 organisations."""
    by_count = defaultdict(list)
    for key, mask in pairs.items():
        by_count[mask.bit_count()].append(key)
    chosen: list[int] = []
    for count in sorted(by_count, reverse=True):
        room = None if limit is None else limit - len(chosen)
        if room is not None and room <= 0:
            break
        keys = by_count[count]
        chosen += sorted(keys) if room is None or room >= len(keys) else nsmallest(room, keys)
    return chosen


def _reasons(mask: int, score: int | None) -> list[str]:
    labels = {
        SAME_NAME: _("same name"),
        SAME_ACRONYM: _("same acronym"),
        OTHER_NAME: _("name is another record's other name"),
        SIMILAR_NAMES: _("similar names (%(score)d%%)") % {"score": score or 0},
        SHARED_EMAIL: _("shared e-mail"),
        SHARED_PHONE: _("shared phone"),
    }
    return [str(label) for reason, label in labels.items() if mask & reason]


def _groups(keyed_ids):
    """Ids sharing a key, for every non-empty key shared by two or more: (id, key) pairs in."""
    groups = defaultdict(set)
    for pk, value in keyed_ids:
        if value:
            groups[value].add(pk)
    return [ids for ids in groups.values() if len(ids) > 1]


def _similar_names(pks, folded: list[str]):
    """Pairs of similar names, found by blocking rather than by comparing every pair: each
    distinct name is compared with its neighbours in a few orders where similar names end
    up close (alphabetical, alphabetical from the end, and among the names sharing one of
    its rarest words). All pairs took 80 s at 50,000 organisations and grew as the square."""
    # token_sort_ratio, with each name's words sorted once rather than at every comparison;
    # the records holding each sorted name, by their folded name (the words' order).
    holders: defaultdict[str, defaultdict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, name in enumerate(folded):
        if name:
            holders[" ".join(sorted(name.split()))][name].append(index)
    names = list(holders)
    candidates: set[tuple[int, int]] = {(n, n) for n in range(len(names))}
    for block in (range(len(names)), *_rare_word_blocks(names)):
        for order in (lambda n: names[n], lambda n: names[n][::-1]):
            _add_neighbours(sorted(block, key=order), names, candidates)
    pairs = set()
    may_be_the_same = cache(_may_be_the_same)
    for first, second in candidates:
        score = int(fuzz.ratio(names[first], names[second]))
        for name, indices in holders[names[first]].items():
            for other, other_indices in holders[names[second]].items():
                # Equal names are flagged as such; reordered words are still compared.
                if name != other and may_be_the_same(name, other):
                    pairs.update(
                        (min(i, j), max(i, j), score) for i in indices for j in other_indices
                    )
    for i, j, score in sorted(pairs):
        yield pks[i], pks[j], score


def _rare_word_blocks(sorted_words: list[str]) -> list[list[int]]:
    """For each name, its rarest words (the place, the proper name) as blocking keys: the
    indices of the names sharing one of them. A typo in one of the two still leaves the
    other in common."""
    frequency: Counter[str] = Counter()
    words_of = [[word for word in set(name.split()) if len(word) > 2] for name in sorted_words]
    for words in words_of:
        frequency.update(words)
    blocks = defaultdict(list)
    for i, words in enumerate(words_of):
        for word in sorted(words, key=lambda word: (frequency[word], word))[:_RARE_KEYS]:
            blocks[word].append(i)
    return [members for members in blocks.values() if len(members) > 1]


def _add_neighbours(order: list[int], names: list[str], candidates: set) -> None:
    """The pairs scoring above the threshold among each name and the next ones in ``order``."""
    for position, i in enumerate(order):
        following = order[position + 1 : position + 1 + _WINDOW]
        matches = process.extract(
            names[i],
            [names[j] for j in following],
            scorer=fuzz.ratio,
            score_cutoff=SIMILARITY_THRESHOLD,
            limit=None,
        )
        for _match, _score, offset in matches:
            j = following[offset]
            candidates.add((min(i, j), max(i, j)))


def _may_be_the_same(name: str, other: str) -> bool:
    """False when the names differ by a number or by a distinctive word.

    "Association 1" and "Association 2" are two organisations; so are the associations
    of the cercles of Kayes and of Sikasso, however long the words they share.
    """
    if _DIGITS.findall(name) != _DIGITS.findall(other):
        return False
    words, other_words = set(name.split()), set(other.split())
    only_here = " ".join(sorted(words - other_words - _MINOR_WORDS))
    only_there = " ".join(sorted(other_words - words - _MINOR_WORDS))
    if only_here and only_there:
        return fuzz.ratio(only_here, only_there) >= _SAME_WORD_THRESHOLD
    return True


def _normalise_channel(kind: str, value: str) -> str:
    if kind == _PHONE:
        digits = _NON_DIGITS.sub("", value)
        return digits if len(digits) >= 8 else ""
    return value.strip().casefold()


def _shared_channels(active: set[int]) -> list[tuple[str, set[int]]]:
    """(kind, ids) of the ``active`` records sharing a phone or an e-mail address.

    The records are told apart here rather than by a join in SQL (0.5 s less at 200,000),
    and each distinct value is normalised once: many records share one (a network's
    e-mail)."""
    rows = (
        ContactChannel.objects.filter(kind__in=[_PHONE, _EMAIL])
        .order_by()  # in any order: not sorting 500,000 rows
        .values_list("organisation_id", "kind", "value")
    )
    holders = {_PHONE: defaultdict(set), _EMAIL: defaultdict(set)}
    for organisation_id, kind, value in rows:
        if organisation_id in active:
            holders[kind][value].add(organisation_id)
    shared = []
    for kind, by_value in holders.items():
        owners = defaultdict(set)
        for value, ids in by_value.items():
            if normalised := _normalise_channel(kind, value):
                owners[normalised] |= ids
        shared += [(kind, ids) for ids in owners.values() if len(ids) > 1]
    return shared
