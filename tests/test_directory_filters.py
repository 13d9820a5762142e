"""OrganisationFilterSet on its own, as the exports and the API use it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.test import RequestFactory

from directory.filters import OrganisationFilterSet
from organisations.models import Organisation
from organisations.visibility import visible_organisations
from tests.directory_world import build_world

pytestmark = pytest.mark.django_db


def filtered(query: str, request=None) -> list[str]:
    filterset = OrganisationFilterSet(
        QueryDict(query), queryset=visible_organisations(), request=request
    )
    assert filterset.is_valid(), filterset.errors
    return [organisation.slug for organisation in filterset.qs]


def test_without_a_request_needs_are_filtered_on_public_ones_only():
    build_world()
    assert filtered("need=finances") == ["aracem"]
    assert filtered("need=plaidoyer") == []


def test_an_anonymous_request_sees_public_needs_only():
    build_world()
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert filtered("need=plaidoyer", request) == []


def test_results_are_ordered_and_never_duplicated():
    world = build_world()
    # Grdr matches two themes and two zones: still listed once.
    query = f"theme=reinsertion&theme=diaspora&zone={world.kayes.pk}&zone={world.france.pk}"
    assert filtered(query) == ["grdr", "omrib"]
    assert (
        filtered("sort=-updated")[0] == Organisation.objects.published().latest("updated_at").slug
    )


def test_queryset_without_leaves_out_one_filter():
    world = build_world()
    filterset = OrganisationFilterSet(
        QueryDict(f"theme=protection&zone={world.gao.pk}"), queryset=visible_organisations()
    )
    assert filterset.is_valid()
    assert [o.slug for o in filterset.qs] == ["aracem"]
    assert set(filterset.queryset_without("zone").values_list("slug", flat=True)) == {
        "aracem",
        "atc",
    }
    assert [label for _name, _raw, label in filterset.active_filters()] == ["Zone", "Thème"]
