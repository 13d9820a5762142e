"""« Trouver de l'aide » from memory: every service in name order, those the public sees
(published services of published organisations) and, for each zone, person served, theme
and language, the positions of the services linked to it (roaring bitmaps, as
directory/facet_index.py does for organisations). Who asks is a parameter of the search,
never a second path: staff who see private data search every service.

Read again, in two queries, when the data changed (the page cache's version; in the
background while requests go on with the index they have, pagecache/following.py); a
question is then a union and intersections of bitmaps, and a page reads its 20 services
by id.
"""

from array import array
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import CharField, Exists, F, OuterRef, Value
from pyroaring import BitMap, FrozenBitMap

from organisations.models import Zone
from pagecache.following import Follower
from services.models import Service, zone_and_ancestor_ids

# Criterion -> (the relation of Service, the linked entry's column).
LINKS = {
    "zone": ("zones", "zone_id"),
    "population": ("populations", "populationgroup_id"),
    "theme": ("themes", "theme_id"),
    "language": ("languages", "language_id"),
}


class ServiceIndex:
    def __init__(
        self, ids: array, published: FrozenBitMap, linked: dict[str, dict[int, FrozenBitMap]]
    ):
        self.ids = ids  # service id at each position (name order)
        self.linked = linked  # criterion -> linked entry id -> positions
        self.everything = FrozenBitMap(range(len(ids)))
        self.published = published  # published services of published organisations

    def _union(self, name: str, keys) -> BitMap:
        bitmaps = self.linked[name]
        return BitMap.union(BitMap(), *(bitmaps[key] for key in keys if key in bitmaps))

    def search(
        self, private: bool, zone: Zone | None, zones: list[Zone], **entry_ids: int | None
    ) -> BitMap:
        """Positions of the services for ``zone`` (or above or inside it, among ``zones``)
        linked to every entry of ``entry_ids`` (population, theme, language ids): the
        published ones, or every one for those who see private data (``private``)."""
        result = BitMap(self.everything if private else self.published)
        if zone is not None:
            inside = {z.pk for z in zones if z.path.startswith(zone.path)}
            result &= self._union("zone", {*zone_and_ancestor_ids(zone), *inside})
        for name, entry_id in entry_ids.items():
            if entry_id is not None:
                result &= self._union(name, [entry_id])
        return result


def build() -> ServiceIndex:
    public = Service.objects.filter(pk=OuterRef("pk")).published()
    rows = Service.objects.order_by("name", "pk").values_list("pk", Exists(public))
    ids, published = array("q"), BitMap()
    for position, (pk, is_public) in enumerate(rows.iterator()):
        ids.append(pk)
        if is_public:
            published.add(position)
    position = {pk: i for i, pk in enumerate(ids)}
    queries = [
        getattr(Service, relation)
        .through.objects.order_by()
        .values_list(Value(name, output_field=CharField()), "service_id", F(column))
        for name, (relation, column) in LINKS.items()
    ]
    linked: dict[str, dict[int, list[int]]] = {name: defaultdict(list) for name in LINKS}
    for name, service_id, key in queries[0].union(*queries[1:], all=True).iterator():
        if (i := position.get(service_id)) is not None:
            linked[name][key].append(i)
    return ServiceIndex(
        ids,
        FrozenBitMap(published),
        {
            name: {key: FrozenBitMap(positions) for key, positions in entries.items()}
            for name, entries in linked.items()
        },
    )


_followed = Follower(build)


def service_index() -> ServiceIndex:
    """This process's index of the current data (one query to check it, when it is)."""
    return _followed.get()


def forget() -> None:
    _followed.forget()


class IndexedServices(Sequence):
    """The answer for a Paginator: its length, and the services of a slice read by id."""

    def __init__(self, index: ServiceIndex, result: BitMap, services):
        self.index, self.result, self.services = index, result, services

    def __len__(self) -> int:
        return len(self.result)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("IndexedServices reads slices only")
        start, stop, _step = item.indices(len(self))
        ids = [self.index.ids[p] for p in self.result[start:stop]]
        found = {s.pk: s for s in self.services.filter(pk__in=ids)}
        # A service unpublished since the index was built is left out.
        return [found[pk] for pk in ids if pk in found]
