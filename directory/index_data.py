"""What the in-memory index holds, read from the database: all of it, or the changes.

Positions follow the list's name order (``BY_NAME``, as the database sorts it) with a gap:
the i-th organisation gets position 2·(i + 1), so that one added or renamed later can
take the free position between its neighbours. An update then reads the changed
organisations only and makes new bitmaps for the keys they leave or join, sharing every
other bitmap with the index it replaces (requests still reading that one are untouched).
"""

import ctypes
import ctypes.util
import gc
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial

from django.db.models import CharField, Q, Value
from django.db.models.functions import Substr
from pyroaring import BitMap, FrozenBitMap

from directory.facets import FIELD_FACETS, FacetEntries, link_facets
from directory.filters import BY_NAME
from directory.search.terms import Query, Synonyms
from directory.search.text import CatalogueWords, TextPostings, TextPostingsBuilder, Tier
from organisations.models import Organisation, OrganisationAlias, OrganisationZone
from organisations.synonyms import synonym_groups

EMPTY = FrozenBitMap()
NEVER = float("inf")  # the verification time of an organisation never verified
SECONDS_PER_DAY = 86_400
# Facets whose links depend on who looks (private needs, unpublished services).
AUDIENCE_FACETS = ("need", "services_for")
AUDIENCES = ("public", "staff")
# An update places at most this many added or renamed organisations (one query each);
# more, and the index is read again.
MOST_PLACED = 50

COLUMNS = ("pk", "status", "search_text", "acronym", "updated_at", "verified_at")
TEXT_COLUMNS = ("name", "description")


class LayeredText:
    """The words of the organisations: those read whole (``base``), less the positions of
    the organisations changed since (``stale``), plus theirs as they are now (``delta``,
    read from the few changed texts kept). The interface of TextPostings."""

    def __init__(self, base: TextPostings, delta: TextPostings | None, stale: BitMap) -> None:
        self.base, self.delta, self.stale = base, delta, FrozenBitMap(stale)
        words = base.vocabulary()
        if delta is not None:
            words = sorted(set(words).union(delta.vocabulary()))
        self._vocabulary = words

    def vocabulary(self) -> list[str]:
        return self._vocabulary

    def _layered(self, found_in) -> BitMap:
        found = found_in(self.base) - self.stale if self.stale else found_in(self.base)
        return found | found_in(self.delta) if self.delta is not None else found

    def positions(self, tier: Tier, prefix: str, whole_word: bool = False) -> BitMap:
        return self._layered(lambda text: text.positions(tier, prefix, whole_word))

    def exact(self, query: Query) -> BitMap:
        return self._layered(lambda text: text.exact(query))


@dataclass(frozen=True)
class Catalogue:
    """What a search finds in the catalogues, and the synonyms it reads with (read whole
    again when any of them changes)."""

    themes: CatalogueWords
    zones: CatalogueWords
    links: CatalogueWords  # partners ("partner", pk) and networks ("network", pk)
    synonyms: Synonyms


def _catalogue_words(catalogues: FacetEntries) -> Catalogue:
    return Catalogue(
        themes=CatalogueWords(
            (theme.pk, name, "")
            for theme in catalogues.themes
            for name in (theme.name, theme.name_en)
        ),
        zones=CatalogueWords((zone.pk, zone.name, "") for zone in catalogues.zones),
        links=CatalogueWords(
            [
                *((("partner", p.pk), p.name, p.acronym) for p in catalogues.partners),
                *((("network", n.pk), n.name, n.acronym) for n in catalogues.networks),
            ]
        ),
        synonyms=Synonyms(synonym_groups()),
    )


@dataclass(frozen=True)
class IndexData:
    ids: array  # organisation id at each position (-1: free)
    positions: array  # position of each organisation id (-1: none)
    name_keys: array  # hash of each position's name key: an edit that keeps it keeps its place
    updated: array  # each position's last update, negated (newest first when ascending)
    verified: array  # each position's last verification, negated; NEVER if none
    everything: FrozenBitMap  # positions held
    published: FrozenBitMap
    verified_days: dict[int, FrozenBitMap]  # day of the last verification -> positions
    text: LayeredText  # the words of names, acronyms, other names and descriptions
    # The texts of the organisations changed since the index was read whole, by id.
    changed_texts: dict[int, tuple]
    values: dict[str, dict]  # filter -> value -> positions, whoever looks
    audience_values: dict[str, dict[str, dict]]  # "public"/"staff" -> filter -> value -> …
    direct_zones: dict[int, FrozenBitMap]  # zone -> positions linked to it (not below it)
    catalogues: FacetEntries
    catalogue_words: Catalogue


def _postings() -> defaultdict:
    """Positions per key while reading: arrays of C integers, not lists of Python ints
    (lists of 200,000 organisations' word positions cost hundreds of megabytes)."""
    return defaultdict(partial(array, "I"))


def _frozen(postings: dict) -> dict:
    return {key: FrozenBitMap(positions) for key, positions in postings.items()}


class _Read:
    """The keys of each organisation read, by position, as C arrays, and its words."""

    def __init__(self) -> None:
        self.everything, self.published = BitMap(), BitMap()
        self.verified_days = _postings()
        self.values = {name: _postings() for name in FIELD_FACETS}
        self.linked: dict[str, defaultdict] = defaultdict(_postings)
        self.direct_zones = _postings()
        self.text = TextPostingsBuilder()

    def add_row(self, position: int, row: tuple, other_names: list[str]) -> None:
        _pk, status, _key, acronym, _updated, verified_at, name, description, *columns = row
        self.everything.add(position)
        if status == Organisation.Status.PUBLISHED:
            self.published.add(position)
        if verified_at is not None:
            self.verified_days[int(verified_at.timestamp() // SECONDS_PER_DAY)].append(position)
        self.text.add(position, name, acronym, other_names, description)
        for facet, value in zip(FIELD_FACETS, columns, strict=True):
            self.values[facet][value].append(position)

    def add_links(self, positions: array, ancestors: dict, only: list[int] | None) -> None:
        for tag, position, key in _link_rows(positions, only):
            if tag == "zone":
                self.direct_zones[key].append(position)
                for entry in ancestors[key]:
                    self.linked["zone"][entry].append(position)
            else:
                self.linked[tag][key].append(position)

    def families(self) -> dict[str, dict]:
        """Each family of bitmaps, by the name _families_of() gives it."""
        shared = {name: _frozen(postings) for name, postings in self.values.items()}
        for name in ["zone", *(n for n in link_facets(private=False) if n not in AUDIENCE_FACETS)]:
            shared[name] = _frozen(self.linked.get(name, {}))
        return {
            "verified_days": _frozen(self.verified_days),
            "direct_zones": _frozen(self.direct_zones),
            **{f"values.{name}": bitmaps for name, bitmaps in shared.items()},
            **{
                f"{audience}.{name}": _frozen(self.linked.get(f"{name}:{audience}", {}))
                for audience in AUDIENCES
                for name in AUDIENCE_FACETS
            },
        }


def _link_rows(positions: array, only: list[int] | None) -> Iterator[tuple[str, int, int]]:
    """(facet, position, linked entry) of every link (of the organisations ``only``), in
    one query. Needs and services come twice, tagged with the audience counting them:
    "need:public", "need:staff"."""
    zone = Value("zone", output_field=CharField())
    queries = [OrganisationZone.objects.order_by().values_list(zone, "organisation_id", "zone_id")]
    public = link_facets(private=False)
    for name, (rows, column, _repeats) in link_facets(private=True).items():
        tagged = {name: rows}
        if name in AUDIENCE_FACETS:
            tagged = {f"{name}:staff": rows, f"{name}:public": public[name][0]}
        for tag, links in tagged.items():
            label = Value(tag, output_field=CharField())
            queries.append(links.order_by().values_list(label, "organisation_id", column))
    if only is not None:
        queries = [query.filter(organisation_id__in=only) for query in queries]
    for tag, organisation, key in queries[0].union(*queries[1:], all=True).iterator():
        if (
            key is not None
            and organisation < len(positions)
            and (i := positions[organisation]) >= 0
        ):
            yield tag, i, key


def _ancestors(catalogues: FacetEntries) -> dict[int, list[int]]:
    """Each zone, itself and the zones above it: a zone holds the organisations working in
    it or anywhere below it."""
    return {
        zone.pk: [int(part) for part in zone.path.strip("/").split("/")]
        for zone in catalogues.zones
    }


def _release_memory() -> None:
    """Give the reading's scratch memory back to the system (glibc keeps freed pages)."""
    gc.collect()
    if library := ctypes.util.find_library("c"):
        trim = getattr(ctypes.CDLL(library), "malloc_trim", None)
        if trim is not None:
            trim(0)


def _rows(organisations) -> Iterator[tuple]:
    columns = (*COLUMNS, *TEXT_COLUMNS, *FIELD_FACETS.values())
    return organisations.values_list(*columns).iterator(chunk_size=5000)


def _other_names(only: Iterable[int] | None = None) -> dict[int, list[str]]:
    """The other names of each organisation having some (of those ``only``)."""
    aliases = OrganisationAlias.objects.order_by("pk")
    if only is not None:
        aliases = aliases.filter(organisation_id__in=only)
    found = defaultdict(list)
    for organisation, name in aliases.values_list("organisation_id", "name"):
        found[organisation].append(name)
    return found


def _name_key(row: tuple) -> int:
    """32 bits of the hash of the row's place in the name order: should two keys collide,
    a renamed organisation would keep its place until the index is next read whole."""
    return hash((row[2][:100], row[0])) % 2**31


def read_all() -> IndexData:
    """Every organisation, its links and the catalogues (eleven queries, whatever the
    data), streaming the rows so that memory holds the index, not the table."""
    catalogues = FacetEntries.load()
    other_names = _other_names()
    # Position 0 and every odd position start free.
    # 32-bit ids and keys: half the memory of Python's 64-bit integers.
    ids, name_keys = array("i", [-1]), array("i", [0])
    updated, verified = array("d", [0]), array("d", [NEVER])
    read = _Read()
    for row in _rows(Organisation.objects.order_by(*BY_NAME)):
        ids.extend((-1, row[0]))
        name_keys.extend((0, _name_key(row)))
        updated.extend((0, -row[4].timestamp()))
        verified.extend((NEVER, -row[5].timestamp() if row[5] else NEVER))
        read.add_row(len(ids) - 1, row, other_names.get(row[0], []))
    del other_names
    positions = array("i", [-1]) * (max(ids, default=0) + 1)
    for i, pk in enumerate(ids):
        if pk >= 0:
            positions[pk] = i
    read.add_links(positions, _ancestors(catalogues), None)
    data = IndexData(
        ids=ids,
        positions=positions,
        name_keys=name_keys,
        updated=updated,
        verified=verified,
        everything=FrozenBitMap(read.everything),
        published=FrozenBitMap(read.published),
        text=LayeredText(read.text.build(), None, BitMap()),
        changed_texts={},
        catalogues=catalogues,
        catalogue_words=_catalogue_words(catalogues),
        **_unfolded(read.families()),
    )
    del read
    _release_memory()
    return data


def _unfolded(families: dict[str, dict]) -> dict:
    """IndexData's bitmap fields from the families of _families_of()."""
    return {
        "verified_days": families["verified_days"],
        "direct_zones": families["direct_zones"],
        "values": {n[7:]: b for n, b in families.items() if n.startswith("values.")},
        "audience_values": {
            audience: {name: families[f"{audience}.{name}"] for name in AUDIENCE_FACETS}
            for audience in AUDIENCES
        },
    }


# -- updates ---------------------------------------------------------------------------


def _place(data: IndexData, row: tuple, moving: set[int], taken: set[int]) -> int | None:
    """A free position between the organisation's neighbours in the name order (those
    in place: not ``moving``, or already given a position in ``taken``), or None when
    there is none (one query)."""
    key, pk = row[2][:100], row[0]
    named = Organisation.objects.annotate(name_key=Substr("search_text", 1, 100))
    before = named.filter(Q(name_key__lt=key) | Q(name_key=key, pk__lt=pk)).exclude(pk__in=moving)
    previous = before.order_by("-name_key", "-pk").values_list("pk", flat=True).first()
    low = data.positions[previous] if previous is not None else 0
    for position in range(low + 1, len(data.ids)):
        if position in taken:
            continue
        if data.ids[position] < 0 or data.ids[position] in moving:
            return position  # free, or left by an organisation moving elsewhere
        return None  # the next organisation in place: no room between
    return len(data.ids) if len(data.ids) not in taken else None


def _patched(bitmaps: dict, leaving: BitMap, joining: dict) -> dict:
    """``bitmaps`` without the positions ``leaving`` and with those ``joining`` each key:
    new bitmaps for the keys touched, the same objects for the others."""
    patched = dict(bitmaps)
    if leaving:
        for key, positions in bitmaps.items():
            if positions.intersect(leaving):
                patched[key] = FrozenBitMap(positions - leaving)
    for key, positions in joining.items():
        patched[key] = FrozenBitMap(patched.get(key, EMPTY) | BitMap(positions))
    return patched


def read_changes(data: IndexData, changed: set[int]) -> IndexData | None:
    """``data`` with the organisations ``changed`` read again (or removed, when deleted);
    None when they cannot all be placed (read everything again then)."""
    rows = list(_rows(Organisation.objects.filter(pk__in=changed).order_by(*BY_NAME)))
    leaving = BitMap(p for pk in changed if (p := _position(data, pk)) is not None)
    # An edit that keeps the name key keeps the position; the others move.
    new_places = {
        row[0]: current
        for row in rows
        if (current := _position(data, row[0])) is not None
        and data.name_keys[current] == _name_key(row)
    }
    moving = changed - new_places.keys()
    taken = set(new_places.values())
    to_place = [row for row in rows if row[0] in moving]
    if len(to_place) > MOST_PLACED:
        return None
    for row in to_place:
        if (position := _place(data, row, moving, taken)) is None:
            return None
        new_places[row[0]] = position
        taken.add(position)

    size = max([len(data.ids), *(p + 1 for p in new_places.values())])
    ids, name_keys = _grown(data.ids, size, -1), _grown(data.name_keys, size, 0)
    updated, verified = _grown(data.updated, size, 0), _grown(data.verified, size, NEVER)
    positions = _grown(data.positions, max(len(data.positions), max(changed) + 1), -1)
    for position in leaving:
        positions[ids[position]] = -1
        ids[position], name_keys[position] = -1, 0
        updated[position], verified[position] = 0, NEVER
    other_names = _other_names(changed)
    texts = {pk: text for pk, text in data.changed_texts.items() if pk not in changed}
    read = _Read()
    for row in rows:
        position = new_places[row[0]]
        ids[position], positions[row[0]], name_keys[position] = row[0], position, _name_key(row)
        updated[position] = -row[4].timestamp()
        verified[position] = -row[5].timestamp() if row[5] else NEVER
        read.add_row(position, row, other_names.get(row[0], []))
        texts[row[0]] = (row[3], row[6], row[7], other_names.get(row[0], []))
    read.add_links(positions, _ancestors(data.catalogues), list(changed))
    joining = read.families()
    families = {
        name: _patched(bitmaps, leaving, joining.get(name, {}))
        for name, bitmaps in _families_of(data).items()
    }
    return replace(
        data,
        ids=ids,
        positions=positions,
        name_keys=name_keys,
        updated=updated,
        verified=verified,
        everything=FrozenBitMap(read.everything | (data.everything - leaving)),
        published=FrozenBitMap(read.published | (data.published - leaving)),
        text=_layered(data.text, texts, positions, leaving),
        changed_texts=texts,
        **_unfolded(families),
    )


def _layered(text: LayeredText, texts: dict[int, tuple], positions: array, leaving: BitMap):
    """The words read whole, less the positions of every organisation changed since, plus
    those organisations' words as they are now (from ``texts``, by id)."""
    delta = TextPostingsBuilder()
    for pk, (acronym, name, description, other_names) in texts.items():
        delta.add(positions[pk], name, acronym, other_names, description)
    return LayeredText(text.base, delta.build(), text.stale | leaving)


def _families_of(data: IndexData) -> dict[str, dict]:
    """The bitmaps of ``data`` by family, named as _Read.families() names them."""
    return {
        "verified_days": data.verified_days,
        "direct_zones": data.direct_zones,
        **{f"values.{name}": bitmaps for name, bitmaps in data.values.items()},
        **{
            f"{audience}.{name}": data.audience_values[audience][name]
            for audience in AUDIENCES
            for name in AUDIENCE_FACETS
        },
    }


def _position(data: IndexData, pk: int) -> int | None:
    if 0 <= pk < len(data.positions) and (found := data.positions[pk]) >= 0:
        return found
    return None


def _grown(values: array, size: int, filler) -> array:
    """A copy of ``values`` at least ``size`` long, the new entries ``filler``."""
    grown = array(values.typecode, values)
    if size > len(grown):
        grown.extend(array(values.typecode, [filler]) * (size - len(grown)))
    return grown
