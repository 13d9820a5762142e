"""In production (DEBUG=0) server errors and database outages are written to stderr."""

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import django
    from unittest import mock

    django.setup()
    from django.db import IntegrityError, OperationalError
    from django.db.backends.utils import CursorWrapper
    from django.test import Client

    client = Client(raise_request_exception=False)
    for error in (IntegrityError("bug in a query"), OperationalError("server restarting")):
        with mock.patch.object(CursorWrapper, "execute", side_effect=error):
            print(client.get("/organisations/").status_code)
    """
)


def test_server_errors_and_outages_reach_stderr():
    env = {k: v for k, v in os.environ.items() if k not in {"LOG_LEVEL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL="sqlite:///:memory:",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["500", "503"]
    assert "ERROR django.request: Internal Server Error: /organisations/" in result.stderr
    assert "Traceback" in result.stderr and "IntegrityError: bug in a query" in result.stderr
    assert (
        "WARNING config.views: Database unavailable while serving /organisations/: "
        "server restarting" in result.stderr
    )
