"""Maps drawn from the shipped Natural Earth outlines: symbols readable, nothing lost."""

import json
import math

import pytest

from directory import basemap, maps
from organisations.factories import ZoneFactory

pytestmark = pytest.mark.django_db


def test_the_shipped_outlines_cover_west_africa_and_europe():
    frame = maps.ABROAD_FRAME
    drawn = dict(basemap.outline_paths(frame))
    for iso in ("466", "686", "562", "250", "724"):  # Mali, Senegal, Niger, France, Spain
        assert drawn[iso].startswith("M")
    assert basemap.load()["credit"] == "Made with Natural Earth"


def test_close_symbols_are_pushed_apart_and_keep_their_true_place():
    mali = ZoneFactory(name="Mali", iso_numeric="466")
    bamako = ZoneFactory(
        name="Bamako", level="region", parent=mali, latitude=12.639, longitude=-8.003
    )
    koulikoro = ZoneFactory(
        name="Koulikoro", level="region", parent=mali, latitude=12.863, longitude=-7.560
    )
    far = ZoneFactory(name="Sans coordonnées", level="region", parent=mali)
    drawn = maps.regions_map(
        mali, [bamako, koulikoro, far], {bamako.pk: 18, koulikoro.pk: 8, far.pk: 2}
    )
    big, small = drawn.symbols
    assert (big.label, big.count, small.label, small.count) == ("Bamako", 18, "Koulikoro", 8)
    assert math.hypot(big.x - small.x, big.y - small.y) >= big.radius + small.radius
    assert small.place_x is not None and big.place_x is None
    assert big.url == f"/organisations/?zone={bamako.pk}"
    # A counted region the drawing cannot place is listed, not dropped.
    assert drawn.off_map == [("Sans coordonnées", 2, f"/organisations/?zone={far.pk}")]


def test_labels_stay_inside_the_map():
    mali = ZoneFactory(name="Mali", iso_numeric="466")
    kidal = ZoneFactory(name="Kidal", level="region", parent=mali, latitude=18.441, longitude=1.408)
    drawn = maps.regions_map(mali, [kidal], {kidal.pk: 3})
    (symbol,) = drawn.symbols
    assert 0 <= symbol.label_x <= drawn.width and 0 <= symbol.label_y <= drawn.height


def test_build_basemap_keeps_the_region_and_simplifies(tmp_path):
    square = [
        [-5.0, 12.0],
        [-4.999, 12.0005],
        [-4.0, 12.0],
        [-4.0, 13.0],
        [-5.0, 13.0],
        [-5.0, 12.0],
    ]
    far_away = [[100.0, 10.0], [101.0, 10.0], [101.0, 11.0], [100.0, 10.0]]
    source = tmp_path / "countries.geojson"
    source.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "id": "466",
                        "properties": {"name": "Mali"},
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                    },
                    {
                        "id": "764",
                        "properties": {"name": "Thailand"},
                        "geometry": {"type": "Polygon", "coordinates": [far_away]},
                    },
                ],
            }
        )
    )
    built = basemap.build(source)
    (mali,) = built["countries"]
    assert mali["iso_numeric"] == "466"
    assert len(mali["rings"][0]) == 5  # the near-duplicate point is gone
    assert mali["centroid"] == (-4.5, 12.5)
