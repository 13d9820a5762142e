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
from tests.test_admin import _organisation_form

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
    with django_assert_max_num_queries(39):
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


def test_it_shows_the_latest_interactions_and_a_button_to_all_of_them(admin_client, monkeypatch):
    monkeypatch.setattr("crm.admin.INTERACTIONS_SHOWN", 3)
    organisation = OrganisationFactory()
    interactions = [
        InteractionFactory(organisation=organisation, date=f"2026-0{month}-01")
        for month in range(1, 6)
    ]
    response = admin_client.get(_page(organisation))
    formset = next(
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "interactions"
    )
    shown = [form.instance for form in formset.formset.initial_forms]
    assert shown == interactions[:1:-1]  # the three latest, newest first

    every = (
        f"{reverse('admin:crm_interaction_changelist')}?organisation__id__exact={organisation.pk}"
    )
    assert f'<a href="{every}">Toutes ses interactions</a>' in response.content.decode()
    listed = admin_client.get(every).context["cl"].result_list
    assert sorted(interaction.pk for interaction in listed) == [i.pk for i in interactions]


def test_an_interaction_edited_on_the_page_is_saved(admin_client):
    interaction = InteractionFactory(summary="Avant")
    organisation = interaction.organisation
    url = _page(organisation)
    seen = admin_client.get(url).context["adminform"].form["seen_version"].value()
    data = _organisation_form(
        organisation,
        seen_version=seen,
        **{
            "interactions-TOTAL_FORMS": "1",
            "interactions-INITIAL_FORMS": "1",
            "interactions-0-id": interaction.pk,
            "interactions-0-organisation": organisation.pk,
            "interactions-0-kind": interaction.kind,
            "interactions-0-date": "2026-03-02",
            "interactions-0-staff": interaction.staff_id,
            "interactions-0-summary": "Après",
        },
    )
    assert admin_client.post(url, data).status_code == 302
    interaction.refresh_from_db()
    assert interaction.summary == "Après"
