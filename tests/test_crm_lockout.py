"""Login throttling (django-axes): repeated failures lock out an address or an account."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from common.addresses import client_ip_address

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery"


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("aissata", password=PASSWORD, is_staff=True)


@pytest.fixture(autouse=True)
def three_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_a_wrong_password_shows_the_login_form_again(client, staff_user):
    response = _login(client, "aissata", "wrong password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_three_failures_lock_the_account_even_with_the_right_password(client, staff_user):
    for _ in range(3):
        _login(client, "aissata", "wrong password")
    response = _login(client, "aissata", PASSWORD)
    content = response.content.decode()
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in content
    assert "Login temporarily locked" in content
    assert "60 minutes" in content
    assert "_auth_user_id" not in client.session


def test_an_account_is_locked_whatever_address_the_attempts_come_from(client, staff_user):
    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
        _login(client, "aissata", "wrong password", address)
    assert _login(client, "aissata", PASSWORD, "10.0.0.4").status_code == 429


def test_an_address_is_locked_whatever_accounts_it_tries(client, staff_user):
    for username in ["admin", "root", "test"]:
        _login(client, username, "guess", "10.9.9.9")
    assert _login(client, "aissata", PASSWORD, "10.9.9.9").status_code == 429
    # Another address and this account are not locked.
    assert _login(client, "aissata", PASSWORD, "10.0.0.5").status_code == 302


def test_a_successful_login_resets_the_count(client, staff_user):
    for _ in range(2):
        _login(client, "aissata", "wrong password")
    assert _login(client, "aissata", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "aissata", "wrong password")
    assert _login(client, "aissata", PASSWORD).status_code == 302


def test_force_login_is_not_throttled(client, staff_user):
    for _ in range(3):
        _login(client, "aissata", "wrong password")
    client.force_login(staff_user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_behind_trusted_proxies_the_address_they_saw_counts(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 41.73.1.2"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    # The first address was written by the client and could be forged.
    assert client_ip_address(request) == "41.73.1.2"
