"""Strict readers for settings taken from the environment.

A value that cannot be parsed stops start-up with ImproperlyConfigured naming the
variable, rather than falling back silently to a default.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    """An absolute directory path: a relative one would depend on where the site is started."""
    raw = env_str(name)
    if not raw:
        return default
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ImproperlyConfigured(f"{name} must be an absolute path; got {raw!r}")
    return path


def read_env_file(default: Path | None) -> Path | None:
    """Add the variables of a .env file to the environment; variables already set win.

    ENV_FILE names the file (empty: none); otherwise ``default`` is read when it exists.
    Returns the file read, if any.
    """
    raw = os.environ.get("ENV_FILE")
    if raw is None:
        path = default if default is not None and default.is_file() else None
    elif not raw.strip():
        path = None
    else:
        path = Path(raw.strip()).expanduser()
        if not path.is_file():
            raise ImproperlyConfigured(f"ENV_FILE names no readable file: {raw!r}")
    if path is not None:
        load_dotenv(path, override=False)
    return path


def env_database(name: str, default: str) -> dict:
    raw = env_str(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name} names an unsupported database scheme: {raw!r}")
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["OPTIONS"] = _with_postgresql_timeouts(config.get("OPTIONS", {}))
    return config


def _with_postgresql_timeouts(options: dict) -> dict:
    """Bound how long a worker waits for PostgreSQL (README, "Configuration").

    A server that accepts connections and never answers would otherwise hold every worker
    until gunicorn kills it: connect_timeout bounds the connection (libpq's minimum is 2 s),
    statement_timeout a runaway query. Values written in DATABASE_URL's query string win.
    """
    connect = _env_non_negative("DATABASE_CONNECT_TIMEOUT", 2)
    statement = _env_non_negative("DATABASE_STATEMENT_TIMEOUT", 30)
    # A later "-c" wins in PostgreSQL: options given in the URL come after ours.
    server = f"-c statement_timeout={statement * 1000}"
    return {
        "connect_timeout": connect,
        **options,
        "options": " ".join(filter(None, [server, options.get("options", "")])),
    }


def _env_non_negative(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be 0 or more seconds; got {value}")
    return value
