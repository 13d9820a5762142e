"""The read-only API: organisations filtered as the public list, linked resources, privacy."""

import pytest
from django.urls import reverse

from directory.filters import BY_NAME
from organisations.factories import OrganisationFactory
from organisations.models import Organisation, Zone
from tests.export_world import (
    PRIVATE_EMAIL,
    PRIVATE_NEED,
    PRIVATE_NOTES,
    PRIVATE_PERSON,
    PRIVATE_PHONE,
    build_export_world,
)

pytestmark = pytest.mark.django_db


def api_slugs(client, **params) -> list[str]:
    response = client.get(reverse("api:organisation-list"), params)
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["results"]]


def list_page_slugs(client, **params) -> list[str]:
    response = client.get(reverse("directory:organisation_list"), params)
    assert response.status_code == 200
    return [organisation.slug for organisation in response.context["page"].object_list]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "gao"},
        {"theme": "protection"},
        {"typology": "retour"},
        {"partner": "ue"},
        {"network": "reseau-migration"},
        {"need": "formation"},
        {"need": "formation-privee"},
        {"country": "ML"},
        {"sort": "-updated"},
    ],
)
def test_filters_give_what_the_public_list_gives(client, params):
    build_export_world()
    assert api_slugs(client, **params) == list_page_slugs(client, **params)


def test_zone_filter_includes_the_zones_below(client):
    world = build_export_world()
    assert api_slugs(client, zone=world.kayes.pk) == ["ame"]
    assert api_slugs(client, zone=world.gao.pk) == list_page_slugs(client, zone=world.gao.pk)


def test_a_malformed_filter_is_a_400(client):
    response = client.get(reverse("api:organisation-list"), {"zone": "999999"})
    assert response.status_code == 400
    assert "zone" in response.json()


def test_anonymous_callers_see_public_data_only(client):
    build_export_world()
    body = client.get(reverse("api:organisation-list")).content.decode()
    for planted in (PRIVATE_PHONE, PRIVATE_EMAIL, PRIVATE_PERSON, PRIVATE_NOTES, PRIVATE_NEED):
        assert planted not in body
    assert client.get(reverse("api:organisation-detail", args=["brouillon"])).status_code == 404
    assert "brouillon" not in api_slugs(client)


def test_staff_allowed_to_see_private_data_see_it(staff_client):
    build_export_world()
    # Their lists come from SQL, the public's from the in-memory index.
    assert "brouillon" in api_slugs(staff_client, zone=Zone.objects.get(name="Kayes").pk)
    ame = staff_client.get(reverse("api:organisation-detail", args=["ame"])).json()
    assert ame["staff_notes"] == PRIVATE_NOTES
    assert PRIVATE_PHONE in [channel["value"] for channel in ame["channels"]]
    assert PRIVATE_PERSON in [person["name"] for person in ame["contact_persons"]]
    assert PRIVATE_NEED in [need["category"] for need in ame["needs"]]


def test_an_organisation_links_to_its_zones_themes_networks_and_partners(client):
    world = build_export_world()
    ame = client.get(reverse("api:organisation-detail", args=["ame"])).json()
    assert ame["url"] == "http://testserver/api/organisations/ame/"
    assert ame["page"] == "http://testserver/organisations/ame/"
    assert ame["zones"] == [
        f"http://testserver/api/zones/{world.kayes.pk}/",
        f"http://testserver/api/zones/{world.bafoulabe.pk}/",
    ]
    assert ame["themes"] == [
        "http://testserver/api/themes/protection/",
        "http://testserver/api/themes/reinsertion/",
    ]
    assert ame["networks"] == ["http://testserver/api/networks/reseau-migration/"]
    assert ame["partners"] == ["http://testserver/api/partners/ue/"]
    assert "staff_notes" not in ame
    for url in ame["zones"] + ame["themes"] + ame["networks"] + ame["partners"]:
        assert client.get(url).status_code == 200


def test_pagination(client):
    OrganisationFactory.create_batch(7)
    page = client.get(reverse("api:organisation-list"), {"page_size": 5}).json()
    assert page["count"] == 7
    assert len(page["results"]) == 5
    assert client.get(page["next"]).json()["previous"] is not None


def test_a_page_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    build_export_world()
    OrganisationFactory.create_batch(30)
    url = reverse("api:organisation-list")
    client.get(url)  # the first request after a write rebuilds the in-memory index
    # The stamp, the page's organisations and their nine prefetches; no COUNT.
    with django_assert_max_num_queries(11):
        response = client.get(url, {"page_size": 100})
    assert response.json()["count"] == 33
    with django_assert_max_num_queries(11):  # the last page: no OFFSET either
        response = client.get(url, {"page_size": 10, "page": 4})
    assert [o["slug"] for o in response.json()["results"]] == [
        o.slug for o in Organisation.objects.published().order_by(*BY_NAME)[30:]
    ]


def test_cors_is_open_for_reading(client):
    response = client.get(reverse("api:organisation-list"), HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_the_fields_of_a_known_organisation(client):
    world = build_export_world()
    ame = client.get(reverse("api:organisation-detail", args=["ame"])).json()
    assert {key: ame[key] for key in ("slug", "name", "acronym", "other_names", "typology")} == {
        "slug": "ame",
        "name": "Association Malienne des Expulsés",
        "acronym": "AME",
        "other_names": ["Association des Expulsés du Mali"],
        "typology": "retour",
    }
    assert ame["year_founded"] == 1996
    assert ame["registration_country"] == f"http://testserver/api/zones/{world.mali.pk}/"
    assert ame["offices"] == [
        {
            "kind": "seat",
            "address": "Djélibougou, route de Koulikoro, Bamako",
            "zone": f"http://testserver/api/zones/{world.mali.pk}/",
        }
    ]
    assert [(c["kind"], c["value"]) for c in ame["channels"]] == [
        ("email", "expulsesmaliensbasta@yahoo.fr"),
        ("phone", "+22320241122"),
        ("phone", "+22366772111"),
        ("social", "-facebook.com/ame"),
        ("website", "www.expulsesmaliens.info"),
    ]
    assert ame["contact_persons"] == [
        {
            "name": "Ousmane Diarra",
            "role": "Président",
            "phone": "+22376000000",
            "phone_other": "",
            "email": "o.diarra@example.org",
        }
    ]
    assert ame["needs"] == [
        {
            "category": "formation",
            "activity": "Gestion de projet",
            "priority": "medium",
            "status": "identified",
        },
        {"category": "plaidoyer", "activity": None, "priority": "medium", "status": "identified"},
    ]
