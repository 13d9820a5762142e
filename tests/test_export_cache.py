"""Public downloads kept in the downloads cache until the directory's data change."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from organisations.models import Organisation
from tests.export_world import PRIVATE_EMAIL, build_export_world

pytestmark = pytest.mark.django_db

ANNUAIRE = reverse("exports:annuaire", args=["csv"])
FULL = reverse("exports:full", args=["csv"])
AME = "Association Malienne des Expulsés"


@pytest.fixture(autouse=True)
def download_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches["downloads"].clear()
    yield
    caches["downloads"].clear()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_repeated_download_costs_one_query(client, django_assert_max_num_queries):
    build_export_world()
    first = client.get(ANNUAIRE, {"q": "expulses"})
    with django_assert_max_num_queries(1):  # the data-version stamp
        again = client.get(ANNUAIRE, {"q": "expulses"})
    assert again.status_code == 200
    assert body(again) == body(first)
    assert AME.encode() in body(again)
    assert again["Content-Type"] == "text/csv; charset=utf-8"
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_each_language_and_query_has_its_own_copy(client):
    build_export_world()
    french = body(client.get(ANNUAIRE))
    english = body(client.get("/en" + ANNUAIRE))
    semicolon = body(client.get(ANNUAIRE, {"sep": "semicolon"}))
    assert "Nom de l’organisation".encode() in french
    assert b"Name of the organisation" in english
    assert b";" in semicolon.splitlines()[0] and b";" not in french.splitlines()[0]


def test_an_edit_shows_in_the_next_download(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build_export_world()
    assert AME.encode() in body(client.get(ANNUAIRE))

    with django_capture_on_commit_callbacks(execute=True):
        organisation = Organisation.objects.get(name=AME)
        organisation.name = "Association renommée"
        organisation.save()

    renamed = body(client.get(ANNUAIRE))
    assert "Association renommée (AME)".encode() in renamed
    assert AME.encode() not in renamed


def test_logged_in_users_neither_read_nor_fill_the_cache(staff_client):
    build_export_world()
    visitor = Client()
    assert AME.encode() in body(visitor.get(ANNUAIRE))
    # A write that bumps no stamp: the visitor's copy stays, staff see the database.
    Organisation.objects.filter(name=AME).update(name="Nom changé sans signal")
    assert AME.encode() in body(visitor.get(ANNUAIRE))
    staff_download = staff_client.get(ANNUAIRE)
    assert staff_download.streaming
    assert b"Nom chang" in body(staff_download)


def test_the_full_export_with_private_columns_is_never_kept(
    staff_client, django_assert_max_num_queries
):
    build_export_world()
    assert PRIVATE_EMAIL.encode() in body(staff_client.get(FULL))
    visitor = Client()
    public = body(visitor.get(FULL))
    assert AME.encode() in public
    assert PRIVATE_EMAIL.encode() not in public
    again = visitor.get(FULL)
    assert again.streaming  # computed again, not served from a stored copy
    assert PRIVATE_EMAIL.encode() not in body(again)


def test_a_download_over_the_size_cap_streams_and_is_not_kept(
    client, settings, django_assert_max_num_queries
):
    build_export_world()
    settings.EXPORT_CACHE_MAX_BYTES = 100
    first = client.get(ANNUAIRE)
    assert first.streaming
    whole = body(first)
    assert len(whole) > 100
    assert whole.count(b"\n") == 4  # heading and the three published organisations
    again = client.get(ANNUAIRE)
    assert again.streaming
    assert body(again) == whole
    settings.EXPORT_CACHE_MAX_BYTES = 5_000_000
    assert body(client.get(ANNUAIRE)) == whole
    kept = client.get(ANNUAIRE)
    assert not kept.streaming
    assert kept.content == whole


def test_hxl_and_hsds_downloads_are_kept_too(client, django_assert_max_num_queries):
    build_export_world()
    for url in (reverse("exports:hxl"), reverse("exports:hsds")):
        first = body(client.get(url))
        with django_assert_max_num_queries(1):
            assert body(client.get(url)) == first
