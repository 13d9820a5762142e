"""Maps of where organisations work, as data for an inline SVG template.

Symbols carry their number and a label, so the map reads without colour, and each
links to the filtered list it counts.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from directory import basemap
from organisations.models import Zone

# Countries and abroad: West Africa, the Maghreb and Europe.
ABROAD_FRAME = basemap.Frame(-20.0, 2.0, 28.0, 56.0, width=400)
PADDING_DEGREES = 0.6


@dataclass
class Symbol:
    x: float
    y: float
    radius: float
    count: int
    label: str
    url: str
    label_x: float = 0
    label_y: float = 0
    anchor: str = "start"  # SVG text-anchor of the label: start, end or middle
    # Where the place really is, when the symbol was pushed aside (a leader line joins them).
    place_x: float | None = None
    place_y: float | None = None

    @property
    def empty(self) -> bool:
        """Nobody works there: drawn as a crossed square, not a disc (not by colour only)."""
        return self.count == 0


def _spread(symbols: list[Symbol]) -> None:
    """Push smaller symbols off bigger ones they would hide (Koulikoro is next to
    Bamako), so every number stays readable; each moved symbol keeps its true place."""
    ordered = sorted(symbols, key=lambda s: -s.radius)
    for index, symbol in enumerate(ordered):
        for bigger in ordered[:index]:
            dx, dy = symbol.x - bigger.x, symbol.y - bigger.y
            distance = math.hypot(dx, dy)
            needed = symbol.radius + bigger.radius + 1
            if distance >= needed:
                continue
            if symbol.place_x is None:
                symbol.place_x, symbol.place_y = symbol.x, symbol.y
            if distance == 0:
                dx, dy, distance = 0.0, -1.0, 1.0
            symbol.x = round(bigger.x + dx / distance * needed, 1)
            symbol.y = round(bigger.y + dy / distance * needed, 1)


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlap(box: Box, others: list[Box]) -> float:
    """Area of ``box`` hidden by ``others``."""
    left, top, right, bottom = box
    return sum(
        max(0.0, min(right, o_right) - max(left, o_left))
        * max(0.0, min(bottom, o_bottom) - max(top, o_top))
        for o_left, o_top, o_right, o_bottom in others
    )


def _place_labels(symbols: list[Symbol], width: int, height: int) -> None:
    """Put each label beside its symbol where it hides the least of the other labels
    and symbols (right, left, below, above; right first on ties), inside the map."""
    circles = {
        id(s): (s.x - s.radius, s.y - s.radius, s.x + s.radius, s.y + s.radius) for s in symbols
    }
    labels: list[Box] = []
    for symbol in sorted(symbols, key=lambda s: s.x):
        others = [box for key, box in circles.items() if key != id(symbol)] + labels
        text_width, gap = 7 * len(symbol.label), symbol.radius + 2
        candidates = []
        for x, y, anchor in (
            (symbol.x + gap, symbol.y, "start"),
            (symbol.x - gap, symbol.y, "end"),
            (symbol.x, symbol.y + gap + 8, "middle"),
            (symbol.x, symbol.y - gap - 2, "middle"),
        ):
            left = {"start": x, "end": x - text_width, "middle": x - text_width / 2}[anchor]
            box = (left, y - 6, left + text_width, y + 6)
            outside = box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height
            candidates.append((outside, _overlap(box, others), x, y, anchor, box))
        outside, _hidden, x, y, anchor, box = min(candidates, key=lambda c: (c[0], c[1]))
        symbol.label_x, symbol.label_y, symbol.anchor = round(x, 1), round(y, 1), anchor
        labels.append(box)


@dataclass
class Map:
    key: str  # unique on a page: the country's ISO numeric code, or "countries"
    title: str
    width: int
    height: int
    outlines: tuple[tuple[str, str], ...]
    highlighted: str
    symbols: list[Symbol]
    # Counted places that the drawing cannot show (too far away, no coordinates).
    off_map: list[tuple[str, int, str]]


def list_url(zone: Zone, narrower: dict | None = None) -> str:
    """The list of the zone, narrowed by ``narrower``'s other list parameters."""
    return (
        reverse("directory:organisation_list")
        + "?"
        + urlencode({"zone": zone.pk, **(narrower or {})})
    )


def _radius(count: int, largest: int) -> float:
    # Sizes only tell amounts apart; a map of ones (a profile's regions) keeps small dots.
    return round(7 + 11 * math.sqrt(count / largest), 1) if largest > 1 else 7


Link = Callable[[Zone], str]  # the page a zone's symbol opens


def _symbols(frame, placed, largest, link: Link = list_url) -> list[Symbol]:
    symbols = []
    for zone, count, (lon, lat) in placed:
        x, y = frame.project(lon, lat)
        url = link(zone)
        symbols.append(Symbol(x, y, _radius(count, largest), count, zone.display_name, url))
    _spread(symbols)
    _place_labels(symbols, frame.width, frame.height)
    # Draw big symbols first so small ones stay visible on top.
    return sorted(symbols, key=lambda s: -s.radius)


def _country_bounds(iso_numeric: str) -> tuple[float, float, float, float] | None:
    for country in basemap.load()["countries"]:
        if country["iso_numeric"] == iso_numeric:
            points = [point for ring in country["rings"] for point in ring]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            return min(xs), min(ys), max(xs), max(ys)
    return None


def regions_map(
    country: Zone,
    regions: list[Zone],
    counts: dict[int, int],
    link: Link = list_url,
    with_empty: bool = False,
    layer: str = "regions",
    title: str = "",
) -> Map | None:
    """The country's regions (or a region's cercles) as symbols at their capitals
    (Zone.latitude/longitude), each linking to ``link(zone)`` (its list, by default); those
    without a place are listed under the map. With ``with_empty``, every zone of ``regions``
    is shown, those counting none as empty symbols. ``layer`` names the map among the
    page's others (its SVG title's id); ``title`` is the country's name unless given."""

    def shown(zone: Zone) -> bool:
        return bool(counts.get(zone.pk)) or (with_empty and zone.pk in counts)

    placed = [
        (z, counts[z.pk], (float(z.longitude), float(z.latitude)))
        for z in regions
        if shown(z) and z.latitude is not None and z.longitude is not None
    ]
    off_map = [
        (z.display_name, counts[z.pk], link(z))
        for z in regions
        if shown(z) and (z.latitude is None or z.longitude is None)
    ]
    bounds = _country_bounds(country.iso_numeric)
    # Nothing to place: the country's outline still frames the list of places under it.
    if not placed and not (bounds and off_map):
        return None
    lons = [p[2][0] for p in placed]
    lats = [p[2][1] for p in placed]
    # The whole country's outline, or around the symbols when it is not shipped.
    west, south, east, north = bounds or (min(lons), min(lats), max(lons), max(lats))
    frame = basemap.Frame(
        min([west, *lons]) - PADDING_DEGREES,
        min([south, *lats]) - PADDING_DEGREES,
        max([east, *lons]) + PADDING_DEGREES,
        max([north, *lats]) + PADDING_DEGREES,
        width=360,
    )
    largest = max((p[1] for p in placed), default=0)
    return Map(
        f"{layer}-{country.iso_numeric or country.pk}",
        title or country.display_name,
        frame.width,
        frame.height,
        basemap.outline_paths(frame),
        country.iso_numeric,
        _symbols(frame, placed, largest, link),
        off_map,
    )


def countries_map(countries: list[Zone], counts: dict[int, int], title: str) -> Map:
    """Countries where organisations work, as symbols at the country's centre."""
    centres = basemap.centroids()
    placed, off_map = [], []
    for zone in countries:
        count = counts.get(zone.pk)
        if not count:
            continue
        centre = centres.get(zone.iso_numeric)
        if centre and ABROAD_FRAME.contains(*centre):
            placed.append((zone, count, centre))
        else:
            off_map.append((zone.display_name, count, list_url(zone)))
    largest = max((p[1] for p in placed), default=0)
    return Map(
        "countries",
        title,
        ABROAD_FRAME.width,
        ABROAD_FRAME.height,
        basemap.outline_paths(ABROAD_FRAME),
        "",
        _symbols(ABROAD_FRAME, placed, largest),
        off_map,
    )
