"""Zones (by id and ISO code), themes, networks and partners in the API."""

import pytest
from django.urls import reverse

from networks.models import Network
from tests.export_world import build_export_world

pytestmark = pytest.mark.django_db


def test_a_zone_by_id_or_by_iso_code(client):
    world = build_export_world()
    by_id = client.get(reverse("api:zone-detail", args=[world.kayes.pk])).json()
    by_code = client.get(reverse("api:zone-detail", args=["ML-1"])).json()
    assert by_id == by_code
    assert by_id["parent"] == f"http://testserver/api/zones/{world.mali.pk}/"
    organisations = client.get(by_id["organisations"]).json()
    assert [item["slug"] for item in organisations["results"]] == ["ame"]
    assert client.get(reverse("api:zone-detail", args=["XX-99"])).status_code == 404


def test_zones_filter_by_level(client):
    build_export_world()
    regions = client.get(reverse("api:zone-list"), {"level": "region"}).json()
    assert [zone["iso_code"] for zone in regions["results"]] == ["ML-1", "ML-7"]


def test_themes_partners_and_networks_link_to_their_organisations(client):
    build_export_world()
    theme = client.get(reverse("api:theme-detail", args=["reinsertion"])).json()
    assert theme["group"] == "accompagnement"
    assert [o["slug"] for o in client.get(theme["organisations"]).json()["results"]] == ["ame"]
    partner = client.get(reverse("api:partner-detail", args=["ue"])).json()
    assert [o["slug"] for o in client.get(partner["organisations"]).json()["results"]] == ["ame"]
    network = client.get(reverse("api:network-detail", args=["reseau-migration"])).json()
    assert [o["slug"] for o in client.get(network["members"]).json()["results"]] == ["ame"]


def test_a_network_links_to_its_own_record_only_when_it_is_public(client):
    world = build_export_world()
    Network.objects.filter(slug="reseau-migration").update(organisation=world.draft)
    network = client.get(reverse("api:network-detail", args=["reseau-migration"])).json()
    assert network["organisation"] is None
    Network.objects.filter(slug="reseau-migration").update(organisation=world.ame)
    network = client.get(reverse("api:network-detail", args=["reseau-migration"])).json()
    assert network["organisation"] == "http://testserver/api/organisations/ame/"
