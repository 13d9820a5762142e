""" "Organisations working in the same zones on the same themes", for a profile page."""

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
    # zone_overlap() and the shared themes summed on bitmaps (a bit-sliced counter: one
    # bitmap per binary digit of each candidate's key), never candidate by candidate:
    # tens of thousands of them at 200,000 organisations. The key orders by the overlap,
    # then by the zone score: overlap · unit + zone score, unit above any zone score.
    unit = sum(len(chain) for chain in chains) + 2
    digits: list[BitMap] = []
    through_a_country = BitMap()
    for chain in chains:
        # For each of its zones, the candidates working in it or below score its depth;
        # the others, the depth of the closest containing zone they are linked to;
        # meeting only through a country scores 1, once.
        unmet = BitMap(candidates)
        levels = [(len(chain), below.get(chain[-1], EMPTY))]
        levels += [(depth, direct.get(pk, EMPTY)) for depth, pk in enumerate(chain[:-1], 1)][::-1]
        for depth, linked in levels:
            met = unmet & linked
            unmet -= met
            if depth == 1:
                through_a_country |= met
            elif met:
                _add(digits, met, depth * unit + depth)
    _add(digits, through_a_country, unit + 1)
    for positions in themes:
        _add(digits, candidates & positions, unit)
    best = []
    for position in _top(digits, candidates, limit):
        key = sum(1 << i for i, digit in enumerate(digits) if position in digit)
        overlap, zone_score = divmod(key, unit)
        best.append((index.ids[position], (overlap - zone_score, zone_score)))
    return _loaded(best)


def _add(digits: list[BitMap], positions: BitMap, weight: int) -> None:
    """Add ``weight`` to the key of each of ``positions`` (binary addition with carries,
    a bitmap per digit)."""
    digit = 0
    while weight:
        if weight & 1:
            carry, at = positions, digit
            while carry:
                while len(digits) <= at:
                    digits.append(BitMap())
                digits[at], carry = digits[at] ^ carry, digits[at] & carry
                at += 1
        weight >>= 1
        digit += 1


def _top(digits: list[BitMap], candidates: BitMap, limit: int) -> list[int]:
    """The ``limit`` positions of ``candidates`` with the highest keys, highest first,
    equal keys in position (name) order."""
    chosen, remaining = BitMap(), BitMap(candidates)
    for digit in reversed(digits):
        with_digit = remaining & digit
        if len(chosen) + len(with_digit) > limit:
            remaining = with_digit  # the rest of the best lie among these
        else:
            chosen |= with_digit
            remaining -= with_digit
    # ``remaining`` now share one key, below those chosen: the first by name complete them.
    tied = list(remaining[: limit - len(chosen)]) if len(chosen) < limit else []

    def key(position: int) -> int:
        return sum(1 << i for i, digit in enumerate(digits) if position in digit)

    return sorted(chosen, key=lambda p: (-key(p), p)) + tied


def _loaded(best: list[tuple[int, tuple[int, int]]]) -> list[Referral]:
    loaded = Organisation.objects.in_bulk([pk for pk, _scores in best])
    return [Referral(loaded[pk], *scores) for pk, scores in best if pk in loaded]
