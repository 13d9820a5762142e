"""The public organisation list: filters, search, facets, pagination, errors."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from directory.views import PAGE_SIZE
from organisations.factories import OrganisationFactory
from tests.directory_world import build_world

pytestmark = pytest.mark.django_db

URL = reverse("directory:organisation_list")


@pytest.fixture
def world():
    return build_world()


def slugs(response) -> list[str]:
    return [o.slug for o in response.context["page"].object_list]


def get(client, query: str = ""):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.content[:500]
    return response


def test_it_lists_published_organisations_only_sorted_by_name(client, world):
    OrganisationFactory(name="Écoute sans sigle", slug="ecoute", acronym="")
    assert slugs(get(client)) == ["aracem", "atc", "ecoute", "grdr", "omrib"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=segou", ["atc"]),
        ("q=SÉGOU", ["atc"]),
        ("q=tile coura", ["atc"]),
        ("q=Tilé-Coura", ["atc"]),
        # "refoulés" and its synonyms (retour, rapatrié…): the name first, then the themes.
        ("q=refoules", ["aracem", "grdr", "omrib"]),
        ("q=aracem", ["aracem"]),
        ("q=omrib", ["omrib"]),
        ("q=expulses du nord", ["aracem"]),  # an alias
        ("q=yelimane", ["omrib"]),  # a zone name
        ("q=reinsertion refoules", ["aracem", "grdr", "omrib"]),  # every word, anywhere
        ("q=tile gao", []),  # all words must match
        ("q=brouillon", []),  # drafts never appear
        ("q=refo", ["aracem"]),  # the start of a word
        ("q=oules", []),  # not the middle of one
    ],
)
def test_search_is_accent_and_case_insensitive(client, world, query, expected):
    assert slugs(get(client, query)) == expected


def test_staff_who_see_private_data_list_drafts_too(staff_client, world):
    # One engine: staff see the drafts too ("Brouillon de Gao" first: Gao is in its name).
    def typology_counts(response) -> dict[str, int]:
        facets = {f.name: f for f in response.context["facets"]}
        return {o.value: o.count for o in facets["typology"].options}

    staff_view, public_view = get(staff_client, "q=gao"), get(Client(), "q=gao")
    assert slugs(staff_view) == ["brouillon", "aracem"]
    assert slugs(public_view) == ["aracem"]
    assert typology_counts(staff_view) == {"retour": 2}
    assert typology_counts(public_view) == {"retour": 1}


def test_choosing_a_typology_family_includes_its_subgroups(client, world):
    assert slugs(get(client, "typology=nationales")) == ["atc", "omrib"]
    assert slugs(get(client, "typology=locales")) == ["omrib"]


def test_several_values_of_one_filter_are_alternatives(client, world):
    assert slugs(get(client, "typology=retour&typology=internationales")) == ["aracem", "grdr"]


def test_a_region_includes_its_cercles(client, world):
    assert slugs(get(client, f"zone={world.kayes.pk}")) == ["grdr", "omrib"]


def test_a_country_includes_its_regions(client, world):
    assert slugs(get(client, f"zone={world.mali.pk}")) == ["aracem", "atc", "grdr", "omrib"]
    assert slugs(get(client, f"zone={world.france.pk}")) == ["grdr"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=reinsertion", ["aracem", "grdr", "omrib"]),
        ("theme=diaspora&theme=protection", ["aracem", "atc", "grdr"]),
        ("legal_form=formal", ["aracem", "atc", "grdr", "omrib"]),
        ("registration=approved", ["aracem"]),
        ("scope=cercle&scope=international", ["grdr", "omrib"]),
        ("network=plateforme", ["aracem", "atc"]),
        ("network=africain", ["grdr"]),
        ("partner=ddc", ["aracem"]),
        ("partner=ue", []),
        ("budget=under_5k", ["omrib"]),
        ("need=finances", ["aracem"]),
        ("need=plaidoyer", []),  # a private need never filters in
        ("country=FR", ["grdr"]),
    ],
)
def test_each_filter(client, world, query, expected):
    assert slugs(get(client, query)) == expected


def test_filters_combine(client, world):
    query = f"theme=reinsertion&zone={world.kayes.pk}&scope=cercle&q=initiatives"
    assert slugs(get(client, query)) == ["omrib"]
    assert slugs(get(client, f"theme=protection&zone={world.kayes.pk}")) == []


def test_it_sorts_by_last_update(client, world):
    world.tile_coura.save()  # now the most recently updated
    assert slugs(get(client, "sort=-updated"))[0] == "atc"


def facet(response, name):
    return {
        option.value: option.count
        for f in response.context["facets"]
        if f.name == name
        for option in f.options
    }


def test_facet_counts_are_what_choosing_the_option_gives(client, world):
    response = get(client, "theme=reinsertion")
    assert facet(response, "zone") == {
        str(world.mali.pk): 3,
        str(world.kayes.pk): 2,
        str(world.gao.pk): 1,
        str(world.france.pk): 1,
    }
    # Counted without the theme filter itself, so other themes show what they would add.
    assert facet(response, "theme") == {"reinsertion": 3, "protection": 2, "diaspora": 1}
    assert facet(response, "typology") == {
        "nationales": 1,
        "locales": 1,
        "retour": 1,
        "internationales": 1,
    }
    assert facet(response, "need") == {"finances": 1}
    assert facet(response, "network") == {"plateforme": 1, "africain": 1}
    html = response.content.decode()
    assert re.search(r"Protection des migrants <span class=\"count\">\(2\)</span>", html)


def test_an_empty_result_offers_to_remove_each_filter(client, world):
    response = get(client, f"theme=protection&zone={world.kayes.pk}")
    html = response.content.decode()
    assert "Aucune organisation" in html or "No organisation" in html
    remove_links = [url for _label, _value, url in response.context["widen"]]
    assert remove_links == [f"{URL}?theme=protection", f"{URL}?zone={world.kayes.pk}"]
    assert [label for label, _value, _url in response.context["widen"]] == ["Zone", "Thème"]
    assert response.context["widen"][1][1] == "Protection des migrants"


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=99",
        "page=0",
        "zone=abc",
        "zone=999999",
        "theme=unknown-theme",
        "legal_form=sideways",
        "sort=shoe-size",
        "country=ZZ",
    ],
)
def test_malformed_values_are_a_400_not_a_500(client, world, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Cette recherche ne peut pas être comprise</h1>" in html
    label = {"page": "Page", "zone": "Zone", "theme": "Thème", "legal_form": "Forme juridique"}
    name = query.split("=")[0]
    if name in label:
        assert f"<strong>{label[name]}</strong>" in html


def test_pagination_keeps_the_filters(client, world):
    OrganisationFactory.create_batch(
        PAGE_SIZE + 5, legal_form="informal", registration_kind="de_facto"
    )
    response = get(client, "legal_form=informal&page=2")
    assert len(response.context["page"].object_list) == 5
    html = response.content.decode()
    assert 'href="?legal_form=informal&amp;page=1"' in html
    assert 'aria-current="page"' in html


def test_the_number_of_queries_does_not_grow_with_the_data(
    client, world, django_assert_max_num_queries
):
    query = f"theme=reinsertion&zone={world.mali.pk}&q=a"
    # The first request reads the in-memory index: eleven reads more (the seven catalogues,
    # the organisations, their other names, their links, the synonyms).
    with django_assert_max_num_queries(17) as building:
        get(client, query)
    # Then: the stamp, the chosen theme and zone, the page and its two prefetches.
    with django_assert_max_num_queries(6) as captured:
        get(client, query)
    built, few = len(building), len(captured)
    assert built == few + 11
    for _ in range(40):
        organisation = OrganisationFactory(
            zones=[world.gao, world.yelimane], themes=[world.omrib.themes.first()]
        )
        organisation.refresh_search_text()
    with django_assert_max_num_queries(built):  # rebuilt: the data changed
        get(client, query)
    with django_assert_max_num_queries(few):
        response = get(client, query)
    assert len(response.context["page"].object_list) == PAGE_SIZE


def test_an_exact_acronym_comes_first(client, world):
    OrganisationFactory(name="Aaa Omribien", slug="aaa").refresh_search_text()
    assert slugs(get(client, "q=omrib")) == ["omrib", "aaa"]
    assert slugs(get(client, "q=omrib&sort=name")) == ["aaa", "omrib"]
