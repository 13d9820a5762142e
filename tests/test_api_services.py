"""The services API: public services only, filtered as « Trouver de l'aide » is."""

import pytest
from django.urls import reverse

from organisations import factories as org
from organisations.models import Organisation
from services.factories import ScheduleFactory, ServiceFactory
from services.models import Language, PopulationGroup

pytestmark = pytest.mark.django_db

LIST = reverse("api:service-list")


@pytest.fixture
def places():
    mali = org.ZoneFactory(name="Mali", level="country")
    kayes = org.RegionFactory(name="Kayes", parent=mali)
    return {"mali": mali, "kayes": kayes, "kita": org.CercleFactory(name="Kita", parent=kayes)}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_it_lists_public_services_with_how_to_reach_them(client, places):
    organisation = org.OrganisationFactory(slug="ame")
    public = org.ContactChannelFactory(organisation=organisation, value="+22320241122")
    private = org.ContactChannelFactory(
        organisation=organisation, value="+22396000001", is_public=False
    )
    service = ServiceFactory(
        organisation=organisation,
        name="Accueil à l'aéroport",
        zones=[places["kayes"]],
        populations=[PopulationGroup.objects.get(slug="migrants-expulses")],
        languages=[Language.objects.get(code="snk")],
        staff_notes="NOTE-PRIVEE-API",
    )
    service.channels.set([public, private])
    ScheduleFactory(service=service)
    ServiceFactory(name="SERVICE-BROUILLON", status="draft")
    ServiceFactory(organisation=org.OrganisationFactory(status=Organisation.Status.DRAFT))
    response = client.get(LIST)
    (item,) = response.json()["results"]
    assert item["organisation"] == "http://testserver/api/organisations/ame/"
    assert item["populations"] == ["migrants-expulses"]
    assert item["languages"] == ["snk"]
    assert [c["value"] for c in item["channels"]] == ["+22320241122"]
    assert item["schedules"] == [
        {
            "days": "MO,TU,WE,TH,FR",
            "opens_at": "08:00:00",
            "closes_at": "16:00:00",
            "note": "",
            "office": None,
        }
    ]
    assert "staff_notes" not in item
    assert b"NOTE-PRIVEE-API" not in response.content
    assert b"+22396000001" not in response.content
    detail = client.get(item["url"]).json()
    assert detail == item


def test_it_filters_by_place_people_theme_language_and_organisation(client, places):
    returnees = PopulationGroup.objects.get(slug="migrants-de-retour")
    theme = org.ThemeFactory(slug="protection")
    ServiceFactory(
        name="Régional Kayes",
        zones=[places["kayes"]],
        populations=[returnees],
        themes=[theme],
        languages=[Language.objects.get(code="bm")],
        organisation=org.OrganisationFactory(slug="grdr"),
    )
    ServiceFactory(name="Ailleurs", zones=[org.RegionFactory(name="Gao")])
    assert names(client.get(LIST, {"zone": places["kita"].pk})) == ["Régional Kayes"]
    assert names(client.get(LIST, {"population": "migrants-de-retour"})) == ["Régional Kayes"]
    assert names(client.get(LIST, {"theme": "protection", "language": "bm"})) == ["Régional Kayes"]
    assert names(client.get(LIST, {"organisation": "grdr"})) == ["Régional Kayes"]
    assert len(names(client.get(LIST))) == 2


@pytest.mark.parametrize(
    "params", [{"zone": "abc"}, {"population": "martiens"}, {"language": "xx"}]
)
def test_a_malformed_filter_is_a_400_under_its_name(client, params):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_staff_who_see_private_data_get_drafts_and_notes(staff_client):
    ServiceFactory(name="SERVICE-BROUILLON", status="draft", staff_notes="note")
    (item,) = staff_client.get(LIST).json()["results"]
    assert (item["name"], item["staff_notes"], item["status"]) == (
        "SERVICE-BROUILLON",
        "note",
        "draft",
    )


def test_a_page_reads_a_fixed_number_of_queries(client, places, django_assert_max_num_queries):
    for n in range(30):
        service = ServiceFactory(name=f"Service {n:02d}", zones=[places["kayes"]])
        ScheduleFactory(service=service)
    with django_assert_max_num_queries(11):
        response = client.get(LIST, {"zone": places["kita"].pk, "page_size": 20})
        assert len(names(response)) == 20


def test_the_openapi_document_describes_the_services_filters(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    parameters = {p["name"] for p in schema["paths"]["/api/services/"]["get"]["parameters"]}
    assert {"zone", "population", "theme", "language", "organisation", "page"} <= parameters
