"""« Où l'aide manque » (where help is missing): how many organisations work in each zone,
crossed with themes or with the people their services serve, so empty cells show where
nobody does.

The rows are a country's regions, or a region's cercles; every zone of that level is a
row, so a place where nobody works shows as a row of zeros. Counts are of *published*
organisations, whoever asks (a public page and its CSV).

- Zones × themes: organisations working in the zone or anywhere below it (the list's
  meaning of ``?zone=``: an organisation recorded in a cercle counts in its region) with
  the theme. Read from the list's in-memory index (directory/facet_index.py), so each cell
  equals the list it links to (``?zone=…&theme=…``).
- Zones × people served: organisations with a published service serving the zone for those
  people. A service serves the zone when it is recorded for it, for a place above it (a
  region's or the whole country's service serves its cercles) or for a place inside it, as
  « Trouver de l'aide » answers; so each cell links there (``?zone=…&population=…``), whose
  services belong to exactly the organisations counted. One query whatever the data.
"""

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from pyroaring import BitMap, FrozenBitMap

from directory.facet_index import FacetIndex
from directory.zone_order import in_tree_order
from organisations.models import Theme, Zone
from services.models import Service

THEMES = "themes"
PEOPLE = "people"
VIEWS = (THEMES, PEOPLE)
# The level of the rows under a zone of each level.
ROW_LEVEL = {Zone.Level.COUNTRY: Zone.Level.REGION, Zone.Level.REGION: Zone.Level.CERCLE}


@dataclass
class Cell:
    count: int
    url: str


@dataclass
class Row:
    zone: Zone
    total: Cell  # organisations of the row whatever the column
    cells: list[Cell]
    code: str  # the zone's official or ISO code, for the CSV

    @property
    def all_cells(self) -> list[Cell]:
        return [self.total, *self.cells]


@dataclass
class Column:
    label: str
    slug: str


@dataclass
class Matrix:
    parent: Zone
    view: str
    columns: list[Column]
    rows: list[Row]

    @property
    def empty_cells(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if not cell.count)


def _url(name: str, **params) -> str:
    return reverse(name) + "?" + urlencode(params)


def row_zones(parent: Zone, zones: list[Zone]) -> list[Zone]:
    """Every zone of the level below ``parent`` (regions of a country, cercles of a region)
    that lies under it, in the order readers expect."""
    level = ROW_LEVEL[parent.level]
    rows = [z for z in zones if z.parent_id == parent.pk and z.level == level]
    return in_tree_order(rows, zones)


def zone_code(zone: Zone) -> str:
    return zone.official_code or zone.iso_code


NOBODY = FrozenBitMap()


def published_in(index: FacetIndex, zone: Zone) -> BitMap:
    """Published organisations working in ``zone`` or anywhere below it."""
    return index.values["zone"].get(zone.pk, NOBODY) & index.published


def on_theme(index: FacetIndex, zone: Zone, theme: Theme, here: BitMap | None = None) -> int:
    """Published organisations working in ``zone`` or anywhere below it on ``theme``
    (``here``: those of the zone, when the caller has them already)."""
    here = published_in(index, zone) if here is None else here
    return here.intersection_cardinality(index.values["theme"].get(theme.pk, NOBODY))


def theme_matrix(parent: Zone, index: FacetIndex) -> Matrix:
    """Organisations per zone (with everything below it) and theme, from the index."""
    zones, themes = index.catalogues.zones, index.catalogues.themes
    rows = []
    for zone in row_zones(parent, zones):
        here = published_in(index, zone)
        cells = [
            Cell(
                on_theme(index, zone, theme, here),
                _url("directory:organisation_list", zone=zone.pk, theme=theme.slug),
            )
            for theme in themes
        ]
        total = Cell(len(here), _url("directory:organisation_list", zone=zone.pk))
        rows.append(Row(zone, total, cells, zone_code(zone)))
    columns = [Column(t.display_name, t.slug) for t in themes]
    return Matrix(parent, THEMES, columns, rows)


def _serving_links() -> list[tuple[int, str, int | None]]:
    """(organisation, path of a zone served, population or None) of every published
    service of a published organisation: one query."""
    return list(
        Service.objects.published()
        .filter(zones__isnull=False)
        .order_by()
        .values_list("organisation_id", "zones__path", "populations")
        .distinct()
    )


def people_matrix(parent: Zone, index: FacetIndex) -> Matrix:
    """Organisations per zone and people served, by their published services."""
    zones, populations = index.catalogues.zones, index.catalogues.populations
    row_list = row_zones(parent, zones)
    # Which rows a service's zone serves: the rows below it, or the row it lies in.
    served_rows: dict[str, list[int]] = {}
    everyone: dict[int, set[int]] = defaultdict(set)  # row -> organisations
    for_people: dict[tuple[int, int], set[int]] = defaultdict(set)  # (row, population)
    for organisation, path, population in _serving_links():
        if path not in served_rows:
            served_rows[path] = [
                z.pk for z in row_list if z.path.startswith(path) or path.startswith(z.path)
            ]
        for row in served_rows[path]:
            everyone[row].add(organisation)
            if population is not None:
                for_people[(row, population)].add(organisation)
    rows = []
    for zone in row_list:
        cells = [
            Cell(
                len(for_people.get((zone.pk, population.pk), ())),
                _url("directory:find_help", zone=zone.pk, population=population.slug),
            )
            for population in populations
        ]
        total = Cell(len(everyone.get(zone.pk, ())), _url("directory:find_help", zone=zone.pk))
        rows.append(Row(zone, total, cells, zone_code(zone)))
    columns = [Column(p.display_name, p.slug) for p in populations]
    return Matrix(parent, PEOPLE, columns, rows)


def build(parent: Zone, view: str, index: FacetIndex) -> Matrix:
    return (people_matrix if view == PEOPLE else theme_matrix)(parent, index)


def countries_with_regions(zones: list[Zone]) -> list[Zone]:
    """The countries whose regions are recorded: the matrix's first level."""
    with_regions = {z.parent_id for z in zones if z.level == Zone.Level.REGION}
    return in_tree_order([z for z in zones if z.pk in with_regions], zones)
