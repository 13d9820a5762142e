"""Maps of where organisations work, as data for an inline SVG template.

Symbols carry their number and a label, so the map reads without colour, and each
links to the filtered list it counts.
"""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from directory import basemap
from organisations.models import Zone

# Countries and abroad: West Africa, the Maghreb and Europe.
ABROAD_FRAME = basemap.Frame(-20.0, 2.0, 28.0, 56.0, width=400)
PADDING_DEGREES = 1.5


@dataclass
class Symbol:
    x: float
    y: float
    radius: float
    count: int
    label: str
    url: str
    label_left: bool = False

    @property
    def label_x(self) -> float:
        gap = self.radius + 2
        return round(self.x - gap if self.label_left else self.x + gap, 1)


@dataclass
class Map:
    title: str
    width: int
    height: int
    outlines: tuple[tuple[str, str], ...]
    highlighted: str
    symbols: list[Symbol]
    # Counted places that the drawing cannot show (too far away, no coordinates).
    off_map: list[tuple[str, int, str]]


def list_url(zone: Zone) -> str:
    return reverse("directory:organisation_list") + "?" + urlencode({"zone": zone.pk})


def _radius(count: int, largest: int) -> float:
    return round(7 + 11 * math.sqrt(count / largest), 1) if largest else 7


def _symbols(frame, placed, largest) -> list[Symbol]:
    symbols = []
    for zone, count, (lon, lat) in placed:
        x, y = frame.project(lon, lat)
        symbols.append(
            Symbol(
                x,
                y,
                _radius(count, largest),
                count,
                zone.display_name,
                list_url(zone),
                label_left=x > frame.width * 0.7,
            )
        )
    # Draw big symbols first so small ones stay visible on top.
    return sorted(symbols, key=lambda s: -s.radius)


def regions_map(country: Zone, regions: list[Zone], counts: dict[int, int]) -> Map | None:
    """The country's regions as symbols at their capitals (Zone.latitude/longitude)."""
    placed = [
        (z, counts[z.pk], (float(z.longitude), float(z.latitude)))
        for z in regions
        if counts.get(z.pk) and z.latitude is not None and z.longitude is not None
    ]
    if not placed:
        return None
    lons = [p[2][0] for p in placed]
    lats = [p[2][1] for p in placed]
    frame = basemap.Frame(
        min(lons) - PADDING_DEGREES - 1,
        min(lats) - PADDING_DEGREES,
        max(lons) + PADDING_DEGREES + 1,
        max(lats) + PADDING_DEGREES,
        width=360,
    )
    largest = max(p[1] for p in placed)
    off_map = [
        (z.display_name, counts[z.pk], list_url(z))
        for z in regions
        if counts.get(z.pk) and (z.latitude is None or z.longitude is None)
    ]
    return Map(
        country.display_name,
        frame.width,
        frame.height,
        basemap.outline_paths(frame),
        country.iso_numeric,
        _symbols(frame, placed, largest),
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
        title,
        ABROAD_FRAME.width,
        ABROAD_FRAME.height,
        basemap.outline_paths(ABROAD_FRAME),
        "",
        _symbols(ABROAD_FRAME, placed, largest),
        off_map,
    )
