"""A database server that accepts connections and never answers: the site says so within
3 seconds (503) instead of holding the worker until gunicorn kills it.

The fake server is a socket in a thread; the connection to it is built from DATABASE_URL by
the settings' own reader (config.env.env_database), so SQLite runs check it too.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client

from config.env import env_database

# The fake server lets go after this long, so a missing timeout fails the test, not hangs it.
GIVE_UP_SECONDS = 15


class SilentServer:
    """Accepts TCP connections and never sends a byte."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while not self.stopped.is_set() and time.monotonic() < deadline:
            try:
                self.accepted.append(self.listener.accept()[0])
            except TimeoutError:
                continue
        for peer in self.accepted:
            peer.close()
        self.listener.close()

    def close(self) -> None:
        self.stopped.set()


@contextmanager
def silent_database(monkeypatch) -> Iterator[SilentServer]:
    """Point this thread's default connection at a SilentServer."""
    # Load the URLs and views first: the time measured is the time spent waiting for the server.
    assert Client().get("/health/").status_code == 200
    server = SilentServer()
    monkeypatch.setenv("SILENT_DATABASE_URL", f"postgres://app@127.0.0.1:{server.port}/annuaire")
    config = connections.configure_settings({"default": env_database("SILENT_DATABASE_URL", "")})[
        "default"
    ]
    real = connections["default"]
    silent = load_backend(config["ENGINE"]).DatabaseWrapper(config, "default")
    connections["default"] = silent
    try:
        yield server
    finally:
        connections["default"] = real
        silent.close()
        server.close()


@pytest.mark.django_db
def test_it_answers_the_health_check_with_503_within_3_seconds(monkeypatch):
    with silent_database(monkeypatch) as server:
        started = time.monotonic()
        response = Client().get("/health/")
        elapsed = time.monotonic() - started
    assert server.accepted, "the health check did try the silent server"
    assert response.status_code == 503
    assert response.json() == {"status": "error", "message": "database unavailable"}
    assert elapsed < 3


@pytest.mark.django_db
def test_it_answers_a_page_with_the_503_page_within_3_seconds(monkeypatch):
    with silent_database(monkeypatch):
        started = time.monotonic()
        response = Client().get("/")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.content.decode()
    assert elapsed < 3
