"""The in-memory indexes follow the data; a whole read again happens in the background
while requests go on with the index they have (pagecache/following.py)."""

import threading

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from directory import facet_index
from organisations.factories import OrganisationFactory, ThemeFactory
from organisations.models import Theme
from pagecache import following
from pagecache.following import Follower, serving_older_data
from pagecache.stamp import directory_changed

LIST = reverse("directory:organisation_list")


@pytest.fixture(autouse=True)
def in_background(settings):
    settings.FOLLOW_IN_BACKGROUND = True


@pytest.fixture
def follower():
    """A follower whose reads after the first wait for ``follower.release``."""
    release, reads = threading.Event(), []

    def build() -> int:
        reads.append(threading.current_thread().name)
        if len(reads) > 1:
            assert release.wait(10)
        return len(reads)

    made = Follower(build)
    made.release, made.reads = release, reads
    yield made
    release.set()
    made.wait()
    following._followers.remove(made)


@pytest.mark.django_db(transaction=True)
def test_it_serves_the_structure_it_has_while_it_reads_whole_again(follower):
    assert follower.get() == 1  # the first read: in the request, there is nothing to serve
    with transaction.atomic():
        directory_changed()  # a write that names no organisation
    assert follower.get() == 1
    assert follower.get() == 1  # one read under way, not one per request
    assert serving_older_data()
    follower.release.set()
    follower.wait()
    assert follower.get() == 2
    assert not serving_older_data()
    assert follower.reads == ["MainThread", "whole-read"]


@pytest.mark.django_db(transaction=True)
def test_a_first_request_waits_for_the_read_started_with_the_process(follower):
    follower.start_reading()
    assert follower.get() == 1
    assert follower.reads == ["whole-read"]  # read once, not again by the request


@pytest.mark.django_db(transaction=True)
def test_a_failed_read_is_tried_again_by_a_later_request(follower, caplog):
    follower.get()
    follower.release.set()
    real_build = follower.build
    follower.build = lambda: 1 / 0  # the database went away during the read
    directory_changed()
    assert follower.get() == 1
    follower.wait()
    assert "Reading" in caplog.text and "ZeroDivisionError" in caplog.text
    assert not serving_older_data()
    follower.build = real_build
    follower.get()
    follower.wait()
    assert follower.get() == 2  # read again (the failed read left nothing)


@pytest.mark.django_db(transaction=True)
def test_pages_are_not_stored_while_the_index_is_read_again(client, settings, follower):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    follower.get()
    directory_changed()
    follower.get()  # now reading in the background
    client.get(LIST)
    assert not [key for key in cache._cache if "page:" in key]
    follower.release.set()
    follower.wait()
    follower.get()
    client.get(LIST)
    assert [key for key in cache._cache if "page:" in key]
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_list_finds_a_renamed_theme_once_the_index_is_read_again(client):
    theme = ThemeFactory(name="Santé", name_en="Health")
    organisation = OrganisationFactory(name="Association Kénédougou", slug="kenedougou")
    organisation.themes.add(theme)
    assert "Kénédougou" in client.get(LIST, {"q": "santé"}).content.decode()
    Theme.objects.filter(pk=theme.pk).update(name="Hygiène")
    directory_changed()  # a catalogue entry: read whole, in the background
    client.get(LIST, {"q": "hygiène"})  # answered by the index it has meanwhile
    facet_index._followed.wait()
    assert "Kénédougou" in client.get(LIST, {"q": "hygiène"}).content.decode()
    assert "Kénédougou" not in client.get(LIST, {"q": "santé"}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_request_that_asked_for_an_older_version_keeps_the_newer_structure(follower):
    follower.get()
    directory_changed()
    follower.release.set()
    follower.get()
    follower.wait()
    newer = follower._current
    (writes, version), _structure = newer
    follower._brought_up_to_date((writes - 1, version))  # a thread that looked earlier
    assert follower._current is newer
