"""E-mail settings: read strictly from the environment, the console while developing."""

from tests.test_settings import _import_settings

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "annuaire.example"}


def test_it_sends_through_the_smtp_server_the_environment_names():
    result = _import_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "SITE_URL",
        **PRODUCTION,
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="annuaire",
        EMAIL_HOST_PASSWORD="mot de passe",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="Annuaire OSC <annuaire@example.org>",
        SITE_URL="https://annuaire.example.org/",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(" ", 2)[2] == (
        "django.core.mail.backends.smtp.EmailBackend smtp.example.org 587 annuaire "
        "mot de passe True Annuaire OSC <annuaire@example.org> https://annuaire.example.org"
    )


def test_it_prints_e_mails_on_the_console_while_developing():
    result = _import_settings("EMAIL_BACKEND", DEBUG="1")

    assert result.stdout.split()[-1] == "django.core.mail.backends.console.EmailBackend"


def test_it_refuses_a_port_that_is_not_a_number():
    result = _import_settings(**PRODUCTION, EMAIL_PORT="smtp")

    assert result.returncode != 0
    assert "EMAIL_PORT must be an integer" in result.stderr


def test_it_refuses_a_site_address_without_its_scheme():
    result = _import_settings(**PRODUCTION, SITE_URL="annuaire.example.org")

    assert result.returncode != 0
    assert "SITE_URL must start with https://" in result.stderr


def test_it_refuses_an_ambiguous_tls_flag():
    result = _import_settings(**PRODUCTION, EMAIL_USE_TLS="maybe")

    assert result.returncode != 0
    assert "EMAIL_USE_TLS" in result.stderr
