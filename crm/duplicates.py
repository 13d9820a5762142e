"""Likely duplicate organisations: same folded name or acronym, similar names, or a
shared e-mail address or phone number.

Archived records are left out (a merged-away record is archived). Pairs that staff
marked as distinct are left out too.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from crm.models import DistinctPair
from organisations.models import ContactChannel, Organisation
from organisations.text import fold

# token_sort_ratio on folded names; 92 catches a dropped letter or a swapped word in a
# long name ("CAMARCI"/"CAMRCI") without pairing names that share only a generic start.
SIMILARITY_THRESHOLD = 92

_DIGITS = re.compile(r"\d+")


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
    pairs: dict[tuple[int, int], list[str]] = defaultdict(list)

    def flag(ids, reason):
        ids = sorted(set(ids))
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                if reason not in pairs[(first, second)]:
                    pairs[(first, second)].append(reason)

    for ids in _groups(organisations, lambda o: fold(o.name)):
        flag(ids, str(_("same name")))
    for ids in _groups(organisations, lambda o: fold(o.acronym).replace(" ", "")):
        flag(ids, str(_("same acronym")))
    for first, second, score in _similar_names(organisations):
        flag([first, second], str(_("similar names (%(score)d%%)") % {"score": score}))
    for kind, ids in _shared_channels():
        reason = _("shared e-mail") if kind == ContactChannel.Kind.EMAIL else _("shared phone")
        flag(ids, str(reason))

    distinct = set(DistinctPair.objects.values_list("first_id", "second_id"))
    return [
        DuplicatePair(by_id[first], by_id[second], reasons)
        for (first, second), reasons in sorted(pairs.items())
        if (first, second) not in distinct
    ]


def _groups(organisations, key):
    groups = defaultdict(list)
    for organisation in organisations:
        value = key(organisation)
        if value:
            groups[value].append(organisation.pk)
    return [ids for ids in groups.values() if len(ids) > 1]


def _similar_names(organisations):
    folded = [fold(organisation.name) for organisation in organisations]
    for i, name in enumerate(folded):
        if not name:
            continue
        # Only the names after this one, so each pair is scored once.
        matches = process.extract(
            name,
            folded[i + 1 :],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=SIMILARITY_THRESHOLD,
            limit=None,
        )
        for other_name, score, offset in matches:
            # "Association 1" and "Association 2" are two organisations.
            if other_name == name or _DIGITS.findall(other_name) != _DIGITS.findall(name):
                continue
            yield organisations[i].pk, organisations[i + 1 + offset].pk, int(score)


def normalise_channel(kind: str, value: str) -> str:
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
        normalised = normalise_channel(kind, value)
        if normalised:
            owners[(kind, normalised)].add(organisation_id)
    return [(kind, ids) for (kind, _value), ids in owners.items() if len(ids) > 1]
