"""Settings read from the environment are parsed strictly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def test_it_parses_booleans(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True


def test_it_rejects_an_ambiguous_boolean(monkeypatch):
    monkeypatch.setenv("DEBUG_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG_FLAG"):
        env_bool("DEBUG_FLAG", False)


def test_it_rejects_a_non_integer(monkeypatch):
    monkeypatch.setenv("SIZE", "12MB")
    with pytest.raises(ImproperlyConfigured, match="SIZE"):
        env_int("SIZE", 1)


def test_it_splits_lists(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_it_parses_a_postgresql_url(monkeypatch):
    monkeypatch.setenv("DB", "postgres://postgres@127.0.0.1:5432/annuaire")
    config = env_database("DB", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "annuaire"


def test_it_defaults_to_sqlite(monkeypatch):
    monkeypatch.delenv("DB", raising=False)
    assert env_database("DB", "sqlite:///x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"


def test_it_rejects_an_unknown_database_scheme(monkeypatch):
    monkeypatch.setenv("DB", "oracle-ish://nowhere")
    with pytest.raises(ImproperlyConfigured, match="DB"):
        env_database("DB", "sqlite:///x.sqlite3")


def _import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = _import_settings(DEBUG="0", ALLOWED_HOSTS="annuaire.example")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts():
    result = _import_settings(DEBUG="0", SECRET_KEY="s" * 50, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_it_uses_a_development_key_only_with_debug():
    result = _import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")


def test_it_is_configured_for_mali_in_french(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert dict(settings.LANGUAGES).keys() == {"fr", "en"}
    assert settings.TIME_ZONE == "Africa/Bamako"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
