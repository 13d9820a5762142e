""" "Organisations working in the same zones on the same themes", for a profile page."""

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet

from organisations.models import Organisation, OrganisationTheme, OrganisationZone


@dataclass
class Referral:
    organisation: Organisation
    shared_themes: int
    zone_score: int

    @property
    def score(self) -> int:
        return self.shared_themes + self.zone_score


def _depth(path: str) -> int:
    return path.count("/")


def _meeting_depth(path: str, other: str) -> int:
    """Depth of the smaller of two zones when one contains the other, else 0."""
    if path.startswith(other) or other.startswith(path):
        return min(_depth(path), _depth(other))
    return 0


def zone_overlap(paths: list[str], other_paths: list[str]) -> int:
    """How much two sets of zones share, the more precise places counting more.

    Zones meet when one contains the other (Yélimané cercle lies in Kayes region, which
    lies in Mali): for each of the first set's zones, the closest meeting scores the
    depth of the smaller zone (the same cercle 3, a cercle and its region 2); meeting
    only through a whole country scores 1, once. Zones side by side (two regions of one
    country) do not meet.
    """
    best = [max((_meeting_depth(p, o) for o in other_paths), default=0) for p in paths]
    precise = sum(depth for depth in best if depth > 1)
    return precise + (1 if 1 in best else 0)


def related_organisations(
    organisation: Organisation, candidates: QuerySet, limit: int = 8
) -> list[Referral]:
    """Organisations sharing at least one theme and one zone (or a zone containing or
    contained in one of its zones), best overlap first. Four queries: the candidates are
    scored on their ids and names, and only the ``limit`` best are loaded."""
    theme_ids = list(organisation.theme_links.values_list("theme_id", flat=True))
    paths = list(organisation.zone_links.values_list("zone__path", flat=True))
    if not theme_ids or not paths:
        return []
    ancestor_ids = {int(part) for path in paths for part in path.strip("/").split("/")}
    related_zone = reduce(or_, (Q(zone__path__startswith=p) for p in paths)) | Q(
        zone_id__in=ancestor_ids
    )
    zone_links = OrganisationZone.objects.filter(related_zone)
    theme_links = OrganisationTheme.objects.filter(theme_id__in=theme_ids)
    names = dict(
        candidates.exclude(pk=organisation.pk)
        .filter(Exists(zone_links.filter(organisation=OuterRef("pk"))))
        .filter(Exists(theme_links.filter(organisation=OuterRef("pk"))))
        .values_list("pk", "name")
    )
    ids = list(names)
    their_paths = defaultdict(list)
    for organisation_id, path in OrganisationZone.objects.filter(
        organisation_id__in=ids
    ).values_list("organisation_id", "zone__path"):
        their_paths[organisation_id].append(path)
    shared = defaultdict(int)
    for organisation_id in theme_links.filter(organisation_id__in=ids).values_list(
        "organisation_id", flat=True
    ):
        shared[organisation_id] += 1
    scores = {pk: (shared[pk], zone_overlap(paths, their_paths[pk])) for pk in ids}
    best = sorted(ids, key=lambda pk: (-sum(scores[pk]), -scores[pk][1], names[pk]))[:limit]
    loaded = Organisation.objects.in_bulk(best)
    return [Referral(loaded[pk], *scores[pk]) for pk in best]
