"""The OpenAPI document and its docs page."""

import re

import pytest
import yaml
from django.urls import reverse
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_openapi_document_validates(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert {"/api/organisations/", "/api/zones/{id}/", "/api/themes/{slug}/"} <= set(
        schema["paths"]
    )
    parameters = {p["name"] for p in schema["paths"]["/api/organisations/"]["get"]["parameters"]}
    assert {"q", "zone", "theme", "typology", "network", "partner", "need", "page"} <= parameters


def test_the_yaml_document_parses(client):
    response = client.get(reverse("api:schema"))
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_the_docs_page_loads_nothing_from_another_site(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(not source.startswith(("http:", "https:", "//")) for source in sources), sources
