"""/health/ tells a load balancer whether this app server can reach its database."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper


@pytest.mark.django_db
def test_it_answers_ok_with_one_query_and_no_cookie(client, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert captured.captured_queries[0]["sql"] == "SELECT 1"
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_when_the_database_fails(client):
    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("gone")):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "message": "database unavailable"}


@pytest.mark.django_db
def test_it_is_not_redirected_to_https(client, settings):
    # Load balancers probe the app servers over plain http.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/").status_code == 301
