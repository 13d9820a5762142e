""" "Organisations working in the same zones on the same themes", for a profile page."""

import heapq
from collections import defaultdict
from dataclasses import dataclass

from pyroaring import BitMap, FrozenBitMap

from directory.facet_index import Audience, FacetIndex
from organisations.models import Organisation

EMPTY = FrozenBitMap()


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


def related_in_index(
    organisation: Organisation, index: FacetIndex, audience: Audience, limit: int = 8
) -> list[Referral]:
    """Organisations ``audience`` may see sharing at least one theme and one zone (or a
    zone containing or contained in one of its zones), best overlap first, then by name:
    bitmaps for the candidates and the zones each one meets, then one query for the
    ``limit`` best. Reads the organisation's prefetched zone and theme links.
    """
    theme_ids = [link.theme_id for link in organisation.theme_links.all()]
    zone_paths = [link.zone.path for link in organisation.zone_links.all()]
    if not theme_ids or not zone_paths:
        return []
    below, direct = index.values["zone"], index.direct_zones
    chains = [[int(part) for part in path.strip("/").split("/")] for path in zone_paths]
    themes = [index.values["theme"].get(pk, EMPTY) for pk in theme_ids]
    near = BitMap.union(
        BitMap(),
        *(below.get(chain[-1], EMPTY) for chain in chains),
        *(direct.get(pk, EMPTY) for chain in chains for pk in chain[:-1]),
    )
    candidates = near & BitMap.union(BitMap(), *themes) & index.visible(audience)
    if (itself := index.position(organisation.pk)) is not None:
        candidates.discard(itself)
    # zone_overlap() on bitmaps: for each of its zones, the candidates working in it or
    # below score its depth; the others, the depth of the closest containing zone they
    # are linked to; meeting only through a country scores 1, once.
    zone_score: dict[int, int] = defaultdict(int)
    through_a_country = BitMap()
    for chain in chains:
        unmet = BitMap(candidates)
        levels = [(len(chain), below.get(chain[-1], EMPTY))]
        levels += [(depth, direct.get(pk, EMPTY)) for depth, pk in enumerate(chain[:-1], 1)][::-1]
        for depth, linked in levels:
            met = unmet & linked
            unmet -= met
            if depth == 1:
                through_a_country |= met
            else:
                for position in met:
                    zone_score[position] += depth
    for position in through_a_country:
        zone_score[position] += 1
    shared: dict[int, int] = defaultdict(int)
    for positions in themes:
        for position in candidates & positions:
            shared[position] += 1
    scores = {index.ids[p]: (shared[p], zone_score[p]) for p in candidates}
    # Candidates come in name order; nsmallest keeps it among equal scores.
    best = heapq.nsmallest(limit, scores, key=lambda pk: _rank(*scores[pk]))
    return _loaded(best, scores)


def _rank(shared_themes: int, zone_score: int) -> tuple[int, int]:
    return (-(shared_themes + zone_score), -zone_score)


def _loaded(best: list[int], scores: dict[int, tuple[int, int]]) -> list[Referral]:
    loaded = Organisation.objects.in_bulk(best)
    return [Referral(loaded[pk], *scores[pk]) for pk in best if pk in loaded]
