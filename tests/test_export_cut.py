"""A CSV download cut by a database failure cannot pass for a complete file: it ends with a
row saying so, and the error reaches the server, which then aborts the chunked transfer (no
final empty chunk), so the browser reports a failed download."""

import csv
import io

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from exports import records, writers
from organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

MARKER = (
    "FICHIER INCOMPLET\u00a0: le téléchargement a été coupé par une erreur du serveur. "
    "Téléchargez-le de nouveau."
)


@pytest.fixture
def database_fails_on_demand(monkeypatch):
    """Reads go through until ``fail()`` is called, then raise as a dropped server would."""
    real_execute = CursorWrapper.execute
    state = {"failing": False}

    def execute(self, sql, params=None):
        if state["failing"]:
            raise OperationalError("server closed the connection unexpectedly")
        return real_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    return lambda: state.update(failing=True)


@pytest.fixture
def six_organisations_in_chunks_of_two(monkeypatch):
    monkeypatch.setattr(records, "chunk_size", lambda: 2)
    monkeypatch.setattr(writers, "ROWS_PER_CHUNK", 1)
    for number in range(6):
        OrganisationFactory(name=f"Organisation {number}")


@pytest.mark.parametrize("export", ["exports:full", "exports:annuaire"])
def test_it_ends_a_download_cut_mid_stream_with_a_marker_and_an_error(
    client, settings, database_fails_on_demand, six_organisations_in_chunks_of_two, export
):
    settings.EXPORT_CACHE_MAX_BYTES = 0  # a public download streams instead of being cached
    response = client.get(reverse(export, args=["csv"]))
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    received = [next(chunks), next(chunks), next(chunks)]  # the header and two rows
    database_fails_on_demand()
    with pytest.raises(OperationalError):
        for chunk in chunks:
            received.append(chunk)

    header, *organisations, last = _rows(b"".join(received))
    # The two rows read before the failure, whole, then the marker.
    assert [len(row) for row in organisations] == [len(header), len(header)]
    assert last == [MARKER]


def test_a_complete_download_has_no_marker(client, six_organisations_in_chunks_of_two):
    body = b"".join(client.get(reverse("exports:full", args=["csv"])).streaming_content)
    rows = _rows(body)
    assert len(rows) == 7
    assert [MARKER] not in rows


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode().removeprefix("\ufeff"))))
