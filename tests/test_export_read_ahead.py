"""Exports read the next chunk of organisations in another thread while writing this one.

Transactional tests: the reading thread has its own database connection, which sees
committed rows only (inside a transaction, exports read in turn, in their own thread).
"""

import threading

import pytest
from django.db import transaction

from exports import records
from exports.records import READ_AHEAD_THREAD, ExportLookups, organisation_records
from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from tests.export_world import build_export_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(records, "chunk_size", lambda: 2)


@pytest.fixture
def world():
    world = build_export_world()
    for number in range(5):
        OrganisationFactory(name=f"Organisation {number}", zones=[world.gao])
    return world


def _read_ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(READ_AHEAD_THREAD)]


def _records(staff=None):
    queryset = Organisation.objects.order_by("name", "pk")
    return organisation_records(queryset, staff, records.PARTS, ExportLookups())


def _as_data(found) -> list[tuple]:
    return [(record.fields, record.parts) for record in found]


def test_it_gives_the_records_it_gives_when_reading_in_turn(world, small_chunks, admin_user):
    with transaction.atomic():  # in turn: no other thread
        in_turn = _as_data(_records(admin_user))
    assert len(in_turn) == Organisation.objects.count() > 2 * 2
    assert sum(len(parts["channels"]) for _fields, parts in in_turn) > 0

    read_ahead = _records(admin_user)
    first = next(read_ahead)
    assert len(_read_ahead_threads()) == 1
    assert _as_data([first, *read_ahead]) == in_turn
    assert _read_ahead_threads() == []


def test_a_download_stopped_halfway_stops_the_reading_thread(world, small_chunks):
    read_ahead = _records()
    next(read_ahead)
    assert len(_read_ahead_threads()) == 1
    read_ahead.close()  # the visitor went away
    assert _read_ahead_threads() == []
