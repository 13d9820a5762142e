"""Under /api/ every error is JSON ({"detail": ...} or field errors) with its status, so an
API client never has to read an HTML page."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from exports.api.views import ZoneViewSet
from tests.export_world import build_export_world

pytestmark = pytest.mark.django_db


def _json(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_it_answers_an_unknown_address_with_json_404(client):
    assert _json(client.get("/api/nulle-part/"), 404) == {"detail": "Introuvable."}


def test_it_still_answers_an_unknown_page_with_the_html_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_it_answers_a_database_outage_with_json_503(client):
    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("restart")):
        response = client.get("/api/zones/")
    assert _json(response, 503) == {
        "detail": "Service momentanément indisponible\u00a0: réessayez dans une minute."
    }
    assert response["Retry-After"] == "30"


def test_it_answers_a_server_error_with_json_500():
    client = Client(raise_request_exception=False)
    with mock.patch.object(ZoneViewSet, "get_queryset", side_effect=RuntimeError("a bug")):
        response = client.get("/api/zones/")
    assert _json(response, 500) == {"detail": "Erreur du serveur\u00a0: elle a été enregistrée."}


def test_it_answers_a_host_not_served_with_json_400(client):
    response = client.get("/api/zones/", HTTP_HOST="ailleurs.example")
    assert _json(response, 400) == {"detail": "Requête incorrecte."}


@pytest.mark.parametrize("page_size", ["null", "", "0", "501", "2.5", "²"])
def test_it_refuses_a_page_size_outside_1_to_500(client, page_size):
    response = client.get("/api/zones/", {"page_size": page_size})
    assert _json(response, 400) == {"page_size": ["Donnez un nombre entier de 1 à 500."]}


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("/api/zones/?level=", "level"),
        ("/api/networks/?kind=&level=national", "kind"),
        ("/api/partners/?kind=", "kind"),
        ("/api/organisations/?sort=", "sort"),
    ],
)
def test_it_refuses_an_empty_value_where_the_document_lists_the_values(client, address, name):
    assert _json(client.get(address), 400) == {name: ["Choisissez une des valeurs documentées."]}


def test_it_filters_with_a_listed_value(client):
    build_export_world()
    regions = _json(client.get("/api/zones/", {"level": "region", "page_size": 1}), 200)
    assert [zone["iso_code"] for zone in regions["results"]] == ["ML-1"]
    assert regions["count"] == 2
