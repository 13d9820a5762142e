"""Country outlines drawn as inline SVG, from Natural Earth data shipped with the app.

``build_basemap`` (a management command) cuts the countries of West Africa, the
Maghreb and Europe out of the Natural Earth 1:50m file, simplifies them and writes
``directory/data/basemap.json``; pages then draw maps from that file with no tile
server, CDN or script. Natural Earth is public domain ("Made with Natural Earth").
"""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

BASEMAP_PATH = Path(__file__).resolve().parent / "data" / "basemap.json"

# West Africa, the Maghreb and Europe, where the organisations and their diasporas work.
EXTENT = (-26.0, -2.0, 42.0, 62.0)  # west, south, east, north (degrees)
SIMPLIFY_DEGREES = 0.04

Ring = list[tuple[float, float]]


def _perpendicular_distance(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    if (x1, y1) == (x2, y2):
        return math.hypot(x - x1, y - y1)
    return abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / math.hypot(x2 - x1, y2 - y1)


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker simplification, iterative so long coastlines don't recurse deeply."""
    if len(ring) < 4:
        return ring
    keep = {0, len(ring) - 1}
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            d = _perpendicular_distance(ring[index], ring[first], ring[last])
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep.add(farthest)
            stack += [(first, farthest), (farthest, last)]
    return [ring[i] for i in sorted(keep)]


def _polygons(geometry: dict) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _centroid(ring: Ring) -> tuple[float, float]:
    """Area-weighted centroid of a ring (where a country's symbol goes)."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not area:
        return ring[0]
    return (round(cx / (3 * area), 2), round(cy / (3 * area), 2))


def build(source: Path) -> dict:
    west, south, east, north = EXTENT
    countries = []
    for feature in json.loads(source.read_text())["features"]:
        rings = []
        for polygon in _polygons(feature["geometry"]):
            outer = [tuple(point) for point in polygon[0]]
            xs, ys = [p[0] for p in outer], [p[1] for p in outer]
            if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                continue
            simplified = simplify(outer, SIMPLIFY_DEGREES)
            if len(simplified) >= 4:
                rings.append([(round(x, 2), round(y, 2)) for x, y in simplified])
        if not rings:
            continue
        largest = max(rings, key=len)
        countries.append(
            {
                "iso_numeric": feature["id"],
                "name": feature["properties"]["name"],
                "centroid": _centroid(largest),
                "rings": rings,
            }
        )
    return {"credit": "Made with Natural Earth", "countries": countries}


@lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(BASEMAP_PATH.read_text())


@dataclass(frozen=True)
class Frame:
    """A rectangle of the earth drawn into an SVG of ``width`` pixels (plate carrée,
    with longitudes shrunk by the cosine of the middle latitude so shapes look right)."""

    west: float
    south: float
    east: float
    north: float
    width: int = 400

    @property
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * self._shrink)

    @property
    def _shrink(self) -> float:
        return math.cos(math.radians((self.north + self.south) / 2))

    @property
    def height(self) -> int:
        return round((self.north - self.south) * self.scale)

    def project(self, longitude: float, latitude: float) -> tuple[float, float]:
        x = (longitude - self.west) * self._shrink * self.scale
        y = (self.north - latitude) * self.scale
        return round(x, 1), round(y, 1)

    def contains(self, longitude: float, latitude: float) -> bool:
        return self.west <= longitude <= self.east and self.south <= latitude <= self.north


@lru_cache(maxsize=8)
def outline_paths(frame: Frame) -> tuple[tuple[str, str], ...]:
    """(iso_numeric, SVG path data) for every country touching ``frame``.

    Points are rounded to whole pixels and repeats dropped, so paths are as light as
    the drawing size allows.
    """
    paths = []
    for country in load()["countries"]:
        parts = []
        for ring in country["rings"]:
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            if (
                max(xs) < frame.west
                or min(xs) > frame.east
                or max(ys) < frame.south
                or min(ys) > frame.north
            ):
                continue
            points = []
            for lon, lat in ring:
                x, y = frame.project(lon, lat)
                point = (round(x), round(y))
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 3:
                parts.append("M" + "L".join(f"{x} {y}" for x, y in points) + "Z")
        if parts:
            paths.append((country["iso_numeric"], "".join(parts)))
    return tuple(paths)


def centroids() -> dict[str, tuple[float, float]]:
    """Longitude and latitude of each shipped country's symbol, by ISO numeric code."""
    return {c["iso_numeric"]: tuple(c["centroid"]) for c in load()["countries"]}
