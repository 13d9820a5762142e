"""Zones in the order readers expect: each country in the seed's order (Mali first), then its
regions by official code (ML-1 Kayes … ML-10 Taoudénit, then the district ML-BKO), not by
name nor by the text of their primary-key paths ("1/104/" before "1/12/")."""

from collections.abc import Iterable

from common.numbers import is_plain_integer
from organisations.models import Zone


def _rank(zone: Zone) -> tuple[int, int, str, str, int]:
    if zone.parent_id is None:
        return (0, 0, "", "", zone.pk)
    code = zone.iso_code.rpartition("-")[2]
    if is_plain_integer(code):
        return (1, int(code), "", "", zone.pk)
    # Without a numbered code (ML-BKO, cercles), after the numbered ones, by code then name.
    return (2, 0, zone.iso_code or "\uffff", zone.name_folded, zone.pk)


def in_tree_order(zones: Iterable[Zone], known: Iterable[Zone]) -> list[Zone]:
    """``zones`` each after its parent, siblings by official code. ``known`` holds their
    ancestors (an ancestor missing from it ranks by primary key)."""
    by_pk = {zone.pk: zone for zone in known}

    def key(zone: Zone) -> list[tuple]:
        ancestors = (int(pk) for pk in zone.path.strip("/").split("/"))
        return [_rank(by_pk[pk]) if pk in by_pk else (3, 0, "", "", pk) for pk in ancestors]

    return sorted(zones, key=key)
