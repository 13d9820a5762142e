"""« Où l'aide manque »: every cell equals a count made directly in the database, links to
the list it counts, and never counts nor names an unpublished organisation."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.text import slugify

from organisations.factories import (
    CercleFactory,
    OrganisationFactory,
    RegionFactory,
    ThemeFactory,
    ZoneFactory,
)
from organisations.models import Organisation, Theme, Zone
from services.factories import ServiceFactory
from services.models import PopulationGroup, Service
from tests.gaps_world import HIDDEN, build_world

pytestmark = pytest.mark.django_db

GAPS = "/ou-l-aide-manque/"
GAPS_CSV = "/ou-l-aide-manque.csv"


def theme_counts(response) -> dict[tuple[str, str], int]:
    matrix = response.context["matrix"]
    return {
        (row.zone.name, column.slug): cell.count
        for row in matrix.rows
        for column, cell in zip(matrix.columns, row.cells, strict=True)
    }


def totals(response) -> dict[str, int]:
    return {row.zone.name: row.total.count for row in response.context["matrix"].rows}


def direct_theme_count(zone: Zone, theme: Theme) -> int:
    return Organisation.objects.published().in_zone(zone).filter(theme_links__theme=theme).count()


def direct_people_count(zone: Zone, people: PopulationGroup) -> int:
    services = Service.objects.published().serving(zone).for_people(people.slug)
    return Organisation.objects.filter(pk__in=services.values("organisation")).count()


def test_theme_cells_of_regions_equal_direct_counts(client):
    world = build_world()
    response = client.get(GAPS)
    assert response.status_code == 200
    counts = theme_counts(response)
    # Kayes counts the organisation recorded in its cercle Yélimané and the one in a commune.
    assert counts == {
        ("Kayes", "protection"): 2,
        ("Kayes", "reinsertion"): 1,
        ("Kayes", "diaspora"): 0,
        ("Gao", "protection"): 0,
        ("Gao", "reinsertion"): 1,
        ("Gao", "diaspora"): 0,
        ("Ségou", "protection"): 0,
        ("Ségou", "reinsertion"): 0,
        ("Ségou", "diaspora"): 0,
    }
    assert totals(response) == {"Kayes": 3, "Gao": 1, "Ségou": 0}
    for region in (world.kayes, world.gao, world.segou):
        for theme in (world.protection, world.reinsertion, world.diaspora):
            assert counts[(region.name, theme.slug)] == direct_theme_count(region, theme)
    assert response.context["matrix"].empty_cells == 6


def test_a_regions_link_opens_its_cercles(client):
    world = build_world()
    page = client.get(GAPS).content.decode()
    assert f'<a href="{GAPS}?zone={world.kayes.pk}&amp;view=themes">Kayes</a>' in page
    response = client.get(GAPS, {"zone": world.kayes.pk})
    assert theme_counts(response) == {
        ("Kita", "protection"): 0,
        ("Kita", "reinsertion"): 0,
        ("Kita", "diaspora"): 0,
        ("Yélimané", "protection"): 1,
        ("Yélimané", "reinsertion"): 0,
        ("Yélimané", "diaspora"): 0,
    }
    assert totals(response) == {"Kita": 1, "Yélimané": 1}  # Kita: the commune's organisation
    html = response.content.decode()
    assert f'<a href="{GAPS}?zone={world.mali.pk}&amp;view=themes">Mali</a> › ' in html


def test_people_cells_equal_direct_counts(client):
    world = build_world()
    response = client.get(GAPS, {"view": "people"})
    matrix = response.context["matrix"]
    assert [c.slug for c in matrix.columns] == list(
        PopulationGroup.objects.values_list("slug", flat=True)
    )
    cells = {
        (row.zone.name, column.slug): cell.count
        for row in matrix.rows
        for column, cell in zip(matrix.columns, row.cells, strict=True)
    }
    # The country-wide service serves every region; the service for Yélimané serves Kayes;
    # the draft service and the hidden organisations' services count nowhere.
    assert cells[("Kayes", "migrants-de-retour")] == 2
    assert cells[("Gao", "migrants-de-retour")] == 1
    assert cells[("Ségou", "migrants-de-retour")] == 1
    assert cells[("Gao", "migrants-expulses")] == 1
    assert cells[("Ségou", "migrants-expulses")] == 0
    assert totals(response) == {"Kayes": 2, "Gao": 2, "Ségou": 1}
    for region in (world.kayes, world.gao, world.segou):
        for people in PopulationGroup.objects.all():
            assert cells[(region.name, people.slug)] == direct_people_count(region, people)
    cercles = client.get(GAPS, {"view": "people", "zone": world.kayes.pk}).context["matrix"]
    returnees = [c.slug for c in cercles.columns].index("migrants-de-retour")
    assert {r.zone.name: r.cells[returnees].count for r in cercles.rows} == {
        "Kita": 1,  # the country-wide service only
        "Yélimané": 2,
    }


CELL = r'<td class="num[^"]*"><a href="([^"]+)">(?:<span[^>]*>✕ </span>)?(\d+)</a>'


def linked_cells(html: str) -> list[tuple[str, int]]:
    return [(url.replace("&amp;", "&"), int(n)) for url, n in re.findall(CELL, html)]


def test_every_cell_links_to_the_list_it_counts(client):
    world = build_world()
    for zone in (world.mali, world.kayes):
        cells = linked_cells(client.get(GAPS, {"zone": zone.pk}).content.decode())
        assert len(cells) == 3 * 4 if zone == world.mali else 2 * 4
        for url, n in cells:
            assert url.startswith("/organisations/?zone=")
            assert client.get(url).context["paginator"].count == n, url


def test_every_people_cell_opens_find_help_with_the_organisations_it_counts(client):
    build_world()
    cells = linked_cells(client.get(GAPS, {"view": "people"}).content.decode())
    assert len(cells) == 3 * (1 + PopulationGroup.objects.count())
    for url, n in cells:
        assert url.startswith("/trouver-de-l-aide/?zone=")
        services = client.get(url).context["page"].object_list
        assert len({service.organisation_id for service in services}) == n, url


def test_empty_cells_are_marked_by_more_than_colour(client):
    world = build_world()
    html = client.get(GAPS).content.decode()
    segou_row = html.split(f'view=themes">{world.segou.name}</a></th>', 1)[1].split("</tr>", 1)[0]
    url = f"/organisations/?zone={world.segou.pk}&amp;theme=diaspora"
    empty = f'<td class="num gap"><a href="{url}"><span aria-hidden="true">✕ </span>0</a></td>'
    assert empty in segou_row
    assert segou_row.count('<span aria-hidden="true">✕ </span>0') == 4
    assert "✕ 0\u00a0: personne" in html  # the key, in words
    assert '<caption id="gaps-caption">' in html
    assert '<th scope="row">' in html
    assert html.count('<th scope="col">') == 2 + 3


def test_unpublished_organisations_are_never_counted_nor_named(client, staff_client):
    build_world()
    for address in (GAPS, GAPS + "?view=people", GAPS_CSV, "/carte/?theme=diaspora"):
        body = client.get(address).content.decode()
        assert HIDDEN not in body, address
    # Staff see the same public counts (a public page: its cached copy is everyone's).
    staff = staff_client.get(GAPS)
    assert totals(staff)["Ségou"] == 0
    assert HIDDEN not in staff.content.decode()


def test_the_csv_holds_the_matrix_cell_for_cell(client):
    world = build_world()
    ThemeFactory(name="=HYPERLINK(1)", slug="formule")
    response = client.get(GAPS_CSV, {"zone": world.mali.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="gaps-mali-themes.csv"'
    text = response.content.decode()
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        # Themes by position, then name.
        ["Zone", "Code", "Tous thèmes", "'=HYPERLINK(1)", "Diaspora", "Protection", "Réinsertion"],
        ["Kayes", "ML-1", "3", "0", "0", "2", "1"],
        ["Ségou", "ML-4", "0", "0", "0", "0", "0"],  # regions by their ISO code's number
        ["Gao", "ML-7", "1", "0", "0", "0", "1"],
    ]
    cercles = client.get("/en" + GAPS_CSV, {"zone": world.kayes.pk, "view": "people"})
    rows = list(csv.reader(io.StringIO(cercles.content.decode().removeprefix("\ufeff"))))
    assert rows[0][:4] == ["Zone", "Code", "Any people served", "Returnees"]
    assert rows[1][:4] == ["Kita", "ML0105", "1", "1"]  # the P-code when recorded
    assert rows[2][:4] == ["Yélimané", "", "2", "2"]


@pytest.mark.parametrize(
    "query",
    [{"zone": "abc"}, {"zone": "999999"}, {"view": "everything"}, {"zone": "cercle"}],
)
def test_a_wrong_parameter_is_a_clear_400(client, query):
    world = build_world()
    if query.get("zone") == "cercle":
        query = {"zone": world.kita.pk}  # a cercle has no level below it here
    page = client.get(GAPS, query)
    assert page.status_code == 400
    assert "Choisissez" in page.content.decode()
    download = client.get(GAPS_CSV, query)
    assert download.status_code == 400
    assert "Choisissez" in download.content.decode()


def test_it_answers_in_english_and_french(client):
    build_world()
    assert "<h1>Où l’aide manque</h1>" in client.get(GAPS).content.decode()
    english = client.get("/en" + GAPS).content.decode()
    assert "<h1>Where help is missing</h1>" in english
    assert "Organisations by place in Mali and theme — 6 empty cells" in english


def test_the_statistics_page_links_to_it(client):
    build_world()
    assert f'<a href="{GAPS}">Où l’aide manque</a>' in client.get("/statistiques/").content.decode()


def test_the_counts_take_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    world = build_world()
    # Warm the list's index (built once per data version, nine queries): then the themes
    # take one query (the version check) and people served two, whatever the data.
    client.get(GAPS)
    for _n in range(30):
        organisation = OrganisationFactory(zones=[world.kita, world.gao], themes=[world.diaspora])
        ServiceFactory(
            organisation=organisation, zones=[world.yelimane], populations=[world.returnees]
        )
    client.get(GAPS)
    with django_assert_max_num_queries(4):
        assert totals(client.get(GAPS))["Gao"] == 31
    with django_assert_max_num_queries(2):
        assert totals(client.get(GAPS, {"view": "people"}))["Kayes"] == 32
    with django_assert_max_num_queries(2):
        client.get(GAPS_CSV, {"view": "people", "zone": world.kayes.pk})


def test_a_country_sized_page_weighs_at_most_60_kb(client):
    """Mali's eleven regions, its eleven themes with their long names, and the stylesheet."""
    mali = ZoneFactory(name="Mali", level="country", iso_code="ML")
    regions = [
        ZoneFactory(name=f"Région numéro {n}", level="region", parent=mali, iso_code=f"ML-{n}")
        for n in range(1, 12)
    ]
    long_name = "Accueil, protection et assistance des déplacés internes"
    themes = [
        ThemeFactory(name=f"{long_name} {n}", slug=f"{slugify(long_name)}-{n}") for n in range(11)
    ]
    for n, region in enumerate(regions):
        OrganisationFactory(zones=[region], themes=themes[: n + 1])
    stylesheet = Path(finders.find("css/site.css")).stat().st_size
    for view in ("themes", "people"):
        response = client.get(GAPS, {"view": view})
        assert len(response.context["matrix"].rows) == 11
        assert len(response.content) + stylesheet <= 60_000, view


def test_a_themes_map_marks_the_regions_where_nobody_works(client):
    world = build_world()
    response = client.get("/carte/", {"theme": "protection"})
    assert response.status_code == 200
    (theme_map,) = response.context["theme_maps"]
    symbols = {s.label: s for s in theme_map.symbols}
    assert {label: s.count for label, s in symbols.items()} == {"Kayes": 2, "Gao": 0, "Ségou": 0}
    assert symbols["Ségou"].empty and not symbols["Kayes"].empty
    assert symbols["Gao"].url == f"/organisations/?zone={world.gao.pk}&theme=protection"
    html = response.content.decode()
    assert html.count('class="gap"/>') == 2
    assert html.count('class="n gap">0</text>') == 2
    assert client.get("/carte/", {"theme": "inconnu"}).status_code == 400
    # Without a theme, the map is the usual one.
    assert client.get("/carte/").context["theme_maps"] == []
    assert reverse("directory:map") in client.get(GAPS).content.decode()


def test_a_people_map_marks_the_regions_no_service_is_for(client):
    world = build_world()
    response = client.get("/carte/", {"population": "migrants-expulses"})
    assert response.status_code == 200
    (people_map,) = response.context["people_maps"]
    symbols = {s.label: s for s in people_map.symbols}
    # The gaps page's people column, region by region.
    gaps_page = client.get(GAPS, {"view": "people"}).context["matrix"]
    column = [c.slug for c in gaps_page.columns].index("migrants-expulses")
    expected = {row.zone.name: row.cells[column].count for row in gaps_page.rows}
    assert {label: s.count for label, s in symbols.items()} == expected
    assert expected == {"Kayes": 0, "Gao": 1, "Ségou": 0}
    assert symbols["Kayes"].empty and not symbols["Gao"].empty
    assert symbols["Gao"].url == (
        f"/trouver-de-l-aide/?zone={world.gao.pk}&population=migrants-expulses"
    )
    html = response.content.decode()
    assert 'id="people-map"' in html and 'id="map-people-466-title"' in html
    assert html.count('class="n gap">0</text>') == 2
    assert '<option value="migrants-expulses" selected>' in html
    # Beside a theme's map, each keeps its own title.
    both = client.get("/carte/", {"population": "migrants-expulses", "theme": "protection"})
    assert both.context["theme_maps"] and both.context["people_maps"]
    assert 'id="map-theme-466-title"' in both.content.decode()
    # The gaps page's people view offers it.
    html = client.get(GAPS, {"view": "people"}).content.decode()
    assert 'action="/carte/#people-map"' in html and 'name="population"' in html


def test_an_unknown_people_served_on_the_map_is_a_clear_400(client):
    build_world()
    response = client.get("/carte/", {"population": "inconnus"})
    assert response.status_code == 400
    assert "Choisissez un public servi dans la liste." in response.content.decode()
    assert client.get("/carte/").context["people_maps"] == []


def cercle_counts(response, maps_key: str) -> dict[str, tuple[int, str]]:
    """Each cercle's (count, link) on the page's only map of ``maps_key``: placed symbols
    and places listed under the map alike."""
    (cercles_map,) = response.context[maps_key]
    shown = {s.label: (s.count, s.url) for s in cercles_map.symbols}
    shown |= {label: (count, url) for label, count, url in cercles_map.off_map}
    return shown


def test_the_map_shows_a_regions_cercles_as_the_gaps_page_counts_them(client):
    world = build_world()
    world.kita.latitude, world.kita.longitude = 13.04, -9.49
    world.kita.save()
    regions_page = client.get("/carte/").content.decode()
    kayes_url = f"/carte/?zone={world.kayes.pk}"
    assert f'href="{kayes_url}"' in regions_page  # each region's cercles, from the regions
    assert f'href="/carte/?zone={world.gao.pk}"' not in regions_page  # Gao has no cercles
    response = client.get(kayes_url)
    assert response.status_code == 200
    (cercles_map,) = response.context["region_maps"]
    assert cercles_map.title == "Kayes" and response.context["abroad_map"] is None
    # Kita has its place: a symbol; Yélimané has none: listed under the map, its count linked.
    assert [s.label for s in cercles_map.symbols] == ["Kita"]
    assert [label for label, _count, _url in cercles_map.off_map] == ["Yélimané"]
    gaps_rows = client.get(GAPS, {"zone": world.kayes.pk}).context["matrix"].rows
    assert (
        {name: count for name, (count, _url) in cercle_counts(response, "region_maps").items()}
        == {row.zone.name: row.total.count for row in gaps_rows}
        == {"Kita": 1, "Yélimané": 1}
    )
    html = response.content.decode()
    assert "Cercles\u00a0: Kayes" in html and "Toutes les régions" in html
    assert f'<a href="/organisations/?zone={world.yelimane.pk}">Yélimané (1)</a>' in html
    # Without any cercle placed, no empty outline: the cercles' counts, said as such.
    world.kita.latitude = world.kita.longitude = None
    world.kita.save()
    html = client.get(kayes_url).content.decode()
    assert "<svg" not in html.split("Cercles\u00a0: Kayes", 1)[1]
    assert "aucun lieu n’est encore enregistré" in html


def test_a_regions_cercles_carry_the_theme_and_people_layers(client):
    world = build_world()
    query = {"zone": world.kayes.pk, "theme": "reinsertion", "population": "migrants-de-retour"}
    response = client.get("/carte/", query)
    assert response.status_code == 200
    themes = cercle_counts(response, "theme_maps")
    assert themes == {
        "Yélimané": (0, f"/organisations/?zone={world.yelimane.pk}&theme=reinsertion"),
        "Kita": (0, f"/organisations/?zone={world.kita.pk}&theme=reinsertion"),
    }
    people = cercle_counts(response, "people_maps")
    cercles = client.get(GAPS, {"view": "people", "zone": world.kayes.pk}).context["matrix"]
    column = [c.slug for c in cercles.columns].index("migrants-de-retour")
    assert people == {
        row.zone.name: (row.cells[column].count, row.cells[column].url) for row in cercles.rows
    }
    assert {name: count for name, (count, _url) in people.items()} == {"Kita": 1, "Yélimané": 2}
    html = response.content.decode()
    assert html.count("✕ </span>0)") == 2  # the two cercles where nobody works on the theme
    # The region links keep the layers; the forms keep the region.
    assert f'<input type="hidden" name="zone" value="{world.kayes.pk}">' in html
    assert 'href="/carte/?theme=reinsertion&amp;population=migrants-de-retour"' in html
    # The layers' explanations speak of cercles, not of regions.
    assert "Organisations publiées sur ce thème dans chaque cercle" in html
    assert "pour ce public dans chaque cercle" in html
    assert "dans chaque région" not in html


@pytest.mark.parametrize("zone", ["mali", "yelimane", "abc"])
def test_only_a_region_opens_cercles_on_the_map(client, zone):
    world = build_world()
    value = getattr(world, zone).pk if hasattr(world, zone) else zone
    response = client.get("/carte/", {"zone": value})
    assert response.status_code == 400
    assert "Choisissez une région de l’annuaire." in response.content.decode()


def test_the_map_layers_take_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    world = build_world()
    query = {"theme": "protection", "population": "migrants-de-retour"}
    client.get("/carte/", query)  # the index is built once
    for _n in range(5):
        OrganisationFactory(zones=[world.yelimane], themes=[world.protection])
        ServiceFactory(zones=[world.kita], populations=[world.returnees])
    client.get("/carte/")  # the index is read again, and this page cached, not the others
    for params in (query, {**query, "zone": world.kayes.pk}):
        with django_assert_max_num_queries(4):
            assert client.get("/carte/", params).status_code == 200


def test_the_map_forms_keep_a_region_whose_number_is_in_the_thousands(client):
    # French pages write 12345 as « 12 345 »: a form sending that back would lose the region.
    region = RegionFactory(pk=12345, name="Tombouctou")
    OrganisationFactory(zones=[CercleFactory(parent=region, name="Goundam")])
    html = client.get("/carte/", {"zone": 12345}).content.decode()
    assert html.count('<input type="hidden" name="zone" value="12345">') == 2
