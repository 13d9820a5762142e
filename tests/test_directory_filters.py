"""The one list query (directory/listing.py) on its own, as the exports and the API use it."""

import pytest
from django.http import QueryDict

from directory.facet_index import Audience
from directory.filters import OrganisationFilterSet
from directory.listing import Listing
from organisations.models import Organisation
from tests.directory_world import build_world

pytestmark = pytest.mark.django_db


def listing(query: str, audience: Audience = Audience.PUBLIC) -> Listing:
    filterset = OrganisationFilterSet(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return Listing(filterset, audience)


def filtered(query: str, audience: Audience = Audience.PUBLIC) -> list[str]:
    ids = listing(query, audience).ids()
    slugs = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [slugs[pk] for pk in ids]


def test_the_public_filters_on_public_needs_only():
    build_world()
    assert filtered("need=finances") == ["aracem"]
    assert filtered("need=plaidoyer") == []


def test_staff_filter_on_private_needs_too():
    build_world()
    assert "aracem" in filtered("need=finances", Audience.STAFF)
    assert filtered("need=plaidoyer", Audience.STAFF) != []


def test_the_filterset_never_filters_in_sql():
    filterset = OrganisationFilterSet(QueryDict("q=gao"))
    assert filterset.is_valid()
    with pytest.raises(NotImplementedError):
        filterset.qs  # noqa: B018


def test_results_are_ordered_and_never_duplicated():
    world = build_world()
    # Grdr matches two themes and two zones: still listed once.
    query = f"theme=reinsertion&theme=diaspora&zone={world.kayes.pk}&zone={world.france.pk}"
    assert filtered(query) == ["grdr", "omrib"]
    assert (
        filtered("sort=-updated")[0] == Organisation.objects.published().latest("updated_at").slug
    )


def test_each_facet_is_counted_without_its_own_filter():
    world = build_world()
    query = f"theme=protection&zone={world.gao.pk}"
    assert filtered(query) == ["aracem"]
    # The zone facet counts theme=protection alone: ARACEM and ATC.
    assert filtered("theme=protection") == ["aracem", "atc"]
    counts = listing(query).counts
    assert counts["total"][None] == 1
    assert counts["zone"][world.mali.pk] == 2
    filterset = OrganisationFilterSet(QueryDict(query))
    assert [label for _name, _raw, label in filterset.active_filters()] == ["Zone", "Thème"]
