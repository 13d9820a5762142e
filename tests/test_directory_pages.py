"""Home, network, theme, zone and map pages; language switch and page metadata."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from directory.views import PREVIEW_SIZE
from networks.factories import NetworkFactory
from organisations.factories import OrganisationFactory, SourceFactory, ZoneIndicatorFactory
from organisations.models import Organisation
from tests.directory_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_shows_counts_search_map_and_entry_points(client, world):
    page = html(client, reverse("directory:home"))
    assert '<input id="home-q" name="q" type="search"' in page
    assert re.search(
        r"<strong>4</strong>\s*organisations répertoriées", page
    )  # the draft is not counted
    # Regions are counted per country: France's organisation works in France, no region.
    assert re.search(r"<strong>3</strong>\s*régions couvertes \(Mali\)", page)
    assert "(France)" not in page
    assert f'href="/organisations/?zone={world.gao.pk}"' in page  # a region entry and symbol
    assert 'href="/organisations/?typology=retour"' in page
    assert 'href="/organisations/?theme=reinsertion"' in page
    assert "<svg" in page and "Made with Natural Earth" not in page  # credit is in French
    assert "Cartes réalisées avec Natural Earth" in page


def test_the_map_labels_symbols_with_numbers_and_links_them(client, world):
    page = html(client, reverse("directory:map"))
    # Kayes counts Grdr and OMRIB (in its cercle Yélimané): a symbol reading "2".
    kayes = re.search(
        rf'<a href="/organisations/\?zone={world.kayes.pk}">.*?class="n">(\d+)</text>.*?'
        r'class="place[^"]*">Kayes</text></a>',
        page,
    )
    assert kayes and kayes.group(1) == "2"
    assert f'href="/organisations/?zone={world.france.pk}"' in page  # abroad
    assert re.search(r'cx="\d+(\.\d+)?"', page)  # numbers never localised with commas


def test_networks_are_grouped_by_level(client, world):
    page = html(client, reverse("directory:network_list"))
    national = page.index("Réseaux nationaux")
    african = page.index("Réseaux africains")
    assert national < page.index("Plateforme nationale migration") < african
    assert african < page.index("Réseau africain migration")


def test_a_network_page_lists_published_members(client, world):
    NetworkFactory(slug="vide", name="Réseau vide", website="https://reseau.example.org")
    page = html(client, reverse("directory:network_detail", args=["africain"]))
    assert "Grdr Migration" in page and "Brouillon de Gao" not in page
    assert "https://reseau.example.org" in html(client, "/reseaux/vide/")
    assert client.get("/reseaux/inconnu/").status_code == 404


def test_a_theme_page_lists_its_organisations(client, world):
    page = html(client, reverse("directory:theme_detail", args=["reinsertion"]))
    assert "OMRIB" in page and "Grdr" in page and "ARACEM" in page
    assert "Brouillon" not in page and "Tilé Coura" not in page
    assert "Réinsertion des migrants de retour" in html(client, reverse("directory:theme_list"))


def test_a_zone_page_includes_descendants_and_migration_figures(client, world):
    ZoneIndicatorFactory(
        zone=world.kayes,
        value=123456,
        source=SourceFactory(document="Synthèse nationale Mali 2022", section="Tableau 1"),
        data_source="RGPH 2009",
    )
    page = html(client, world.kayes.get_absolute_url())
    assert "OMRIB" in page and "Grdr" in page and "Tilé Coura" not in page
    assert "123" in page and "Tableau 1" in page and "RGPH 2009" in page
    assert "Yélimané" in page
    assert client.get("/zones/999999/").status_code == 404


def test_english_is_under_en_and_the_switch_links_both_ways(client, world):
    french = html(client, "/organisations/?theme=reinsertion")
    assert '<html lang="fr">' in french
    assert 'href="/en/organisations/?theme=reinsertion"' in french
    english = html(client, "/en/organisations/?theme=reinsertion")
    assert '<html lang="en">' in english
    assert 'href="/organisations/?theme=reinsertion"' in english
    assert "Organisations" in english and "Search" in english


@pytest.mark.parametrize(
    "url",
    ["/", "/organisations/", "/organisations/aracem/", "/reseaux/", "/themes/", "/statistiques/"],
)
def test_pages_have_title_description_canonical_and_alternates(client, world, url):
    page = html(client, url)
    assert page.count("<h1") == 1
    assert re.search(r"<title>[^<]+</title>", page)
    assert re.search(r'<meta name="description" content="[^"]+">', page)
    assert f'<link rel="canonical" href="http://testserver{url}">' in page
    assert f'<link rel="alternate" hreflang="en" href="http://testserver/en{url}">' in page
    assert '<main id="main"' in page and "<nav" in page and "<header" in page


@pytest.mark.parametrize(
    "url", ["/", "/reseaux/", "/reseaux/plateforme/", "/themes/reinsertion/", "/statistiques/"]
)
def test_page_queries_do_not_grow_with_the_data(client, world, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as captured:
        html(client, url)
    few = len(captured)
    reintegration = world.omrib.themes.get()
    platform = world.refoules.memberships.get().network
    for _ in range(15):
        organisation = OrganisationFactory(zones=[world.gao], themes=[reintegration])
        platform.memberships.create(organisation=organisation)
    with django_assert_max_num_queries(few):
        html(client, url)


def test_zone_page_queries_do_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as captured:
        html(client, world.mali.get_absolute_url())
    few = len(captured)
    OrganisationFactory.create_batch(15, zones=[world.gao, world.yelimane])
    with django_assert_max_num_queries(few):
        html(client, world.mali.get_absolute_url())


def test_long_zone_pages_show_the_first_organisations_and_link_to_the_list(client, world):
    OrganisationFactory.create_batch(PREVIEW_SIZE, zones=[world.segou])
    response = client.get(world.segou.get_absolute_url())
    assert len(response.context["organisations"]) == PREVIEW_SIZE
    assert response.context["total"] == PREVIEW_SIZE + 1  # with Tilé Coura
    page = response.content.decode()
    assert f'<a href="/organisations/?zone={world.segou.pk}">Voir les {PREVIEW_SIZE + 1}' in page


def test_dates_follow_the_language(client, world):
    Organisation.objects.filter(pk=world.tile_coura.pk).update(
        updated_at=datetime(2026, 3, 5, 12, tzinfo=UTC)
    )
    english = html(client, "/en/organisations/atc/")
    french = html(client, "/organisations/atc/")  # last, so French stays active after
    assert "Dernière mise à jour\u00a0:" in french and "5 mars 2026" in french
    assert "Last update:" in english and "March 5, 2026" in english


def test_an_approximate_member_count_reads_as_approximate(client, world):
    NetworkFactory(
        slug="forim",
        name="FORIM",
        level="international",
        member_count=1000,
        member_count_is_approximate=True,
    )
    NetworkFactory(slug="fam", name="FAM", member_count=34)
    page = html(client, reverse("directory:network_list"))
    assert re.search(r"≈ 1\u00a0000\s+membres déclarés", page)
    assert re.search(r"· 34\s+membres déclarés", page)
