"""The staff's organisation page (the admin's change page assembled by crm) at scale."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.factories import InteractionFactory, StaffUserFactory
from organisations.factories import (
    CercleFactory,
    ContactChannelFactory,
    OfficeFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    RegionFactory,
    SourceFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db


def _page(organisation) -> str:
    return reverse("admin:organisations_organisation_change", args=[organisation.pk])


def _organisation_with(rows: int, sources, staff, region):
    cercles = [CercleFactory(name=f"Cercle {rows}-{n}", parent=region) for n in range(rows)]
    organisation = OrganisationFactory(zones=cercles)
    for n in range(rows):
        OfficeFactory(organisation=organisation, zone=cercles[n])
        OrganisationAliasFactory(organisation=organisation, source=sources[n % len(sources)])
        ContactChannelFactory(organisation=organisation, source=sources[n % len(sources)])
        InteractionFactory(organisation=organisation, staff=staff[n % len(staff)])
    return organisation


def test_its_selects_and_zones_are_read_once_whatever_the_number_of_rows(
    admin_client, django_assert_max_num_queries
):
    sources = [SourceFactory(document=f"Rapport {n}") for n in range(3)]
    staff = [StaffUserFactory(username=f"agent-{n}") for n in range(3)]
    kayes = RegionFactory(name="Kayes", parent=ZoneFactory(name="Mali"))
    small = _organisation_with(1, sources, staff, kayes)
    large = _organisation_with(6, sources, staff, kayes)
    admin_client.get(_page(small))  # the session and the permissions, once
    with CaptureQueriesContext(connection) as one_row:
        admin_client.get(_page(small))
    # Five more zones and offices than the small one: one query for each, Django's
    # autocomplete looking up the zone it shows; the selects and labels cost none.
    with django_assert_max_num_queries(len(one_row) + 10):
        response = admin_client.get(_page(large))
    with django_assert_max_num_queries(38):
        admin_client.get(_page(large))

    page = response.content.decode()
    for index, alias in enumerate(large.aliases.order_by("name")):
        # Each row offers every source, its own selected.
        select = re.search(f'<select name="aliases-{index}-source".*?</select>', page, re.S)
        options = re.findall(r'<option value="(\d*)"( selected)?>', select.group())
        assert [value for value, _selected in options] == ["", *(str(s.pk) for s in sources)]
        assert [value for value, selected in options if selected] == [str(alias.source_id)]
    assert "Cercle 6-5 (cercle, Kayes)" in page
    for agent in staff:
        assert f'<option value="{agent.pk}" selected>{agent.username}</option>' in page
