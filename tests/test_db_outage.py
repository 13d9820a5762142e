"""A database restart gives visitors a 503 page, and the app recovers by itself."""

from unittest import mock

import pytest
from django.contrib.messages.middleware import MessageMiddleware
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from organisations.factories import OrganisationFactory


def _database_down(error: Exception | None = None):
    error = error or OperationalError("server closed the connection unexpectedly")
    return mock.patch.object(CursorWrapper, "execute", side_effect=error)


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError("restart"), InterfaceError("closed")])
def test_a_page_answers_503_while_the_database_is_down_then_recovers(client, error):
    profile = OrganisationFactory(name="Association Jeunesse Kayes").get_absolute_url()
    with _database_down(error):
        response = client.get(profile)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert "Service temporarily unavailable" in page
    assert "Traceback" not in page

    response = client.get(profile)
    assert response.status_code == 200
    assert "Association Jeunesse Kayes" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_login_answers_503_while_the_database_is_down(client):
    with _database_down():
        response = client.post("/admin/login/", {"username": "staff", "password": "x" * 12})
    assert response.status_code == 503


@pytest.mark.django_db
def test_a_failure_in_a_middleware_also_gets_the_503_page():
    # Middleware runs outside the view (saving the session, the messages); handler500 answers.
    client = Client(raise_request_exception=False)
    with mock.patch.object(
        MessageMiddleware, "process_response", side_effect=OperationalError("restart")
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    assert "Service temporarily unavailable" in response.content.decode()


@pytest.mark.django_db
def test_other_database_errors_stay_server_errors(client):
    # A constraint violation is a bug to fix, not an outage to wait out.
    client = Client(raise_request_exception=False)
    with mock.patch.object(CursorWrapper, "execute", side_effect=IntegrityError("bug")):
        response = client.get("/")
    assert response.status_code == 500
