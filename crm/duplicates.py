"""Likely duplicate organisations: same folded name or acronym, similar names, or a
shared e-mail address or phone number.

Archived records are left out (a merged-away record is archived). Pairs that staff
marked as distinct are left out too.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from common.text import fold
from crm.models import DistinctPair
from organisations.models import ContactChannel, Organisation, OrganisationAlias

# token_sort_ratio on folded names; 92 catches a dropped letter or a swapped word in a
# long name ("CAMARCI"/"CAMRCI") without pairing names that share only a generic start.
SIMILARITY_THRESHOLD = 92

_DIGITS = re.compile(r"\d+")
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


@dataclass
class DuplicatePair:
    first: Organisation
    second: Organisation
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        return (self.first.pk, self.second.pk)


def find_duplicates() -> list[DuplicatePair]:
    organisations = list(
        Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)
        .only("pk", "name", "acronym", "slug", "status")
        .order_by("pk")
    )
    by_id = {organisation.pk: organisation for organisation in organisations}
    other_names = defaultdict(set)
    aliases = OrganisationAlias.objects.exclude(
        organisation__status=Organisation.Status.ARCHIVED
    ).values_list("organisation_id", "name")
    for organisation_id, alias in aliases:
        other_names[organisation_id].add(fold(alias))
    pairs: dict[tuple[int, int], list[str]] = defaultdict(list)

    def flag(ids, reason):
        ids = sorted(set(ids))
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                if reason not in pairs[(first, second)]:
                    pairs[(first, second)].append(reason)

    for ids in _groups(organisations, lambda o: [fold(o.name)]):
        flag(ids, str(_("same name")))
    for ids in _groups(organisations, lambda o: [_compact(o.acronym)]):
        flag(ids, str(_("same acronym")))
    # A name or acronym that is another record's other name (CAMRCI for CAMARCI).
    named = defaultdict(set)
    for organisation in organisations:
        for value in {fold(organisation.name), fold(organisation.acronym)} - {""}:
            named[value].add(organisation.pk)
    for organisation_id, names in other_names.items():
        for name in names:
            for other_id in named.get(name, set()) - {organisation_id}:
                flag([organisation_id, other_id], str(_("name is another record's other name")))
    for first, second, score in _similar_names(organisations):
        flag([first, second], str(_("similar names (%(score)d%%)") % {"score": score}))
    for kind, ids in _shared_channels():
        reason = _("shared e-mail") if kind == ContactChannel.Kind.EMAIL else _("shared phone")
        flag(ids, str(reason))

    distinct = set(DistinctPair.objects.values_list("first_id", "second_id"))
    found = [
        DuplicatePair(by_id[first], by_id[second], reasons)
        for (first, second), reasons in sorted(pairs.items())
        if (first, second) not in distinct
    ]
    # The pairs with the most reasons first: the likeliest duplicates.
    found.sort(key=lambda pair: -len(pair.reasons))
    return found


def _compact(text: str) -> str:
    return fold(text).replace(" ", "")


def _groups(organisations, keys):
    """Ids of the organisations sharing a key, for every key shared by two or more."""
    groups = defaultdict(set)
    for organisation in organisations:
        for value in keys(organisation):
            if value:
                groups[value].add(organisation.pk)
    return [ids for ids in groups.values() if len(ids) > 1]


def _similar_names(organisations):
    """Pairs of similar names, found by blocking rather than by comparing every pair: each
    distinct name is compared with its neighbours in a few orders where similar names end
    up close (alphabetical, alphabetical from the end, and among the names sharing one of
    its rarest words). All pairs took 80 s at 50,000 organisations and grew as the square."""
    folded = [fold(organisation.name) for organisation in organisations]
    # token_sort_ratio, with each name's words sorted once rather than at every comparison.
    holders = defaultdict(list)
    for index, name in enumerate(folded):
        if name:
            holders[" ".join(sorted(name.split()))].append(index)
    names = list(holders)
    candidates: set[tuple[int, int]] = {(n, n) for n in range(len(names))}
    for block in (range(len(names)), *_rare_word_blocks(names)):
        for order in (lambda n: names[n], lambda n: names[n][::-1]):
            _add_neighbours(sorted(block, key=order), names, candidates)
    pairs = set()
    for first, second in candidates:
        score = int(fuzz.ratio(names[first], names[second]))
        for i in holders[names[first]]:
            for j in holders[names[second]]:
                # Equal names are flagged as such; reordered words are still compared.
                if folded[i] != folded[j] and _may_be_the_same(folded[i], folded[j]):
                    pairs.add((min(i, j), max(i, j), score))
    for i, j, score in sorted(pairs):
        yield organisations[i].pk, organisations[j].pk, score


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
    if kind == ContactChannel.Kind.PHONE:
        digits = re.sub(r"\D", "", value)
        return digits if len(digits) >= 8 else ""
    return value.strip().casefold()


def _shared_channels():
    owners = defaultdict(set)
    rows = (
        ContactChannel.objects.filter(
            Q(kind=ContactChannel.Kind.PHONE) | Q(kind=ContactChannel.Kind.EMAIL)
        )
        .exclude(organisation__status=Organisation.Status.ARCHIVED)
        .values_list("organisation_id", "kind", "value")
    )
    for organisation_id, kind, value in rows:
        normalised = _normalise_channel(kind, value)
        if normalised:
            owners[(kind, normalised)].add(organisation_id)
    return [(kind, ids) for (kind, _value), ids in owners.items() if len(ids) > 1]
