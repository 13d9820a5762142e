"""Settings read from the environment are parsed strictly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_path, read_env_file

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


def test_it_takes_absolute_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path))
    assert env_path("MEDIA_DIR", Path("/default")) == tmp_path
    monkeypatch.setenv("MEDIA_DIR", "")
    assert env_path("MEDIA_DIR", Path("/default")) == Path("/default")


def test_it_rejects_a_relative_path(monkeypatch):
    monkeypatch.setenv("MEDIA_DIR", "media")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_DIR must be an absolute path"):
        env_path("MEDIA_DIR", Path("/default"))


def _unset_for_the_test(monkeypatch, *names):
    """Absent now, and absent again after the test even if the code under test sets them."""
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_it_reads_the_env_file_without_overriding_the_environment(monkeypatch, tmp_path):
    _unset_for_the_test(monkeypatch, "ENV_FILE", "ANNUAIRE_FROM_FILE", "ANNUAIRE_SET")
    monkeypatch.setenv("ANNUAIRE_SET", "from the environment")
    env_file = tmp_path / ".env"
    env_file.write_text("ANNUAIRE_FROM_FILE=from the file\nANNUAIRE_SET=from the file\n")
    assert read_env_file(env_file) == env_file
    assert os.environ["ANNUAIRE_FROM_FILE"] == "from the file"
    assert os.environ["ANNUAIRE_SET"] == "from the environment"


def test_it_starts_without_an_env_file(monkeypatch, tmp_path):
    _unset_for_the_test(monkeypatch, "ENV_FILE")
    assert read_env_file(tmp_path / ".env") is None
    assert read_env_file(None) is None


def test_it_reads_no_env_file_when_env_file_is_empty(monkeypatch, tmp_path):
    _unset_for_the_test(monkeypatch, "ANNUAIRE_FROM_FILE")
    monkeypatch.setenv("ENV_FILE", "")
    (tmp_path / ".env").write_text("ANNUAIRE_FROM_FILE=1\n")
    assert read_env_file(tmp_path / ".env") is None
    assert "ANNUAIRE_FROM_FILE" not in os.environ


def test_it_refuses_an_env_file_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "missing.env"))
    with pytest.raises(ImproperlyConfigured, match="ENV_FILE"):
        read_env_file(None)


def _import_settings(*names, **env):
    """Print DEBUG, ALLOWED_HOSTS and the settings ``names`` of a fresh start with ``env``; the
    checkout's .env is not read unless ENV_FILE names it."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update({"ENV_FILE": "", **env})
    shown = ", ".join(f"s.{name}" for name in ("DEBUG", "ALLOWED_HOSTS", *names))
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print({shown})"],
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


def test_it_takes_debug_and_the_secret_key_from_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=key-from-the-file\n")
    result = _import_settings("SECRET_KEY", ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    words = result.stdout.split()
    assert (words[0], words[-1]) == ("True", "key-from-the-file")


def test_the_real_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=key-from-the-file\n")
    result = _import_settings(
        "SECRET_KEY", ENV_FILE=str(env_file), DEBUG="0", ALLOWED_HOSTS="annuaire.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "['annuaire.example']", "key-from-the-file"]


def test_it_takes_media_and_static_roots_from_the_environment():
    result = _import_settings(
        "MEDIA_ROOT",
        "STATIC_ROOT",
        DEBUG="1",
        MEDIA_ROOT="/srv/shared/media",
        STATIC_ROOT="/srv/annuaire/static",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["/srv/shared/media", "/srv/annuaire/static"]


def test_it_keeps_media_and_static_files_in_the_checkout_by_default():
    result = _import_settings("MEDIA_ROOT", "STATIC_ROOT", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [str(ROOT / "media"), str(ROOT / "staticfiles")]


def test_it_finds_the_shared_files_of_the_checkout(settings):
    assert settings.TEMPLATES[0]["DIRS"] == [ROOT / "templates"]
    assert settings.LOCALE_PATHS == [ROOT / "locale"]
    assert settings.STATICFILES_DIRS == [ROOT / "static"]
    assert (settings.SEED_DATA_DIR / "mali-2022" / "zones.csv").is_file()


def test_it_is_configured_for_mali_in_french(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert dict(settings.LANGUAGES).keys() == {"fr", "en"}
    assert settings.TIME_ZONE == "Africa/Bamako"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_it_bounds_how_long_postgresql_may_keep_a_worker_waiting(monkeypatch):
    monkeypatch.setenv("DB", "postgres://postgres@127.0.0.1:5432/annuaire")
    assert env_database("DB", "")["OPTIONS"] == {
        "connect_timeout": 2,
        "options": "-c statement_timeout=30000",
    }
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "5")
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "120")
    assert env_database("DB", "")["OPTIONS"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=120000",
    }


def test_it_lets_the_database_url_override_the_timeouts(monkeypatch):
    monkeypatch.setenv(
        "DB", "postgres://h/annuaire?connect_timeout=7&options=-c%20statement_timeout%3D0"
    )
    options = env_database("DB", "")["OPTIONS"]
    assert options["connect_timeout"] == 7
    assert options["options"] == "-c statement_timeout=30000 -c statement_timeout=0"


def test_it_rejects_a_negative_timeout(monkeypatch):
    monkeypatch.setenv("DB", "postgres://h/annuaire")
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "-1")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_STATEMENT_TIMEOUT"):
        env_database("DB", "")


def test_it_sets_no_postgresql_options_on_sqlite(monkeypatch):
    monkeypatch.setenv("DB", "sqlite:///x.sqlite3")
    assert env_database("DB", "").get("OPTIONS", {}) == {}
