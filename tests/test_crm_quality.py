"""The data quality page: records missing contacts or zones, values to verify, old records."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.factories import (
    ContactChannelFactory,
    OrganisationFactory,
    RegionFactory,
)
from organisations.models import Organisation

pytestmark = pytest.mark.django_db

URL = reverse("crm:data_quality")


def _lists(response):
    return {
        quality_list.slug: (count, {organisation.name for organisation in organisations})
        for quality_list, count, organisations in response.context["lists"]
    }


def test_each_list_holds_the_organisations_with_that_problem(admin_client):
    zone = RegionFactory()
    complete = OrganisationFactory(name="Complète", zones=[zone])
    ContactChannelFactory(organisation=complete, value="+22376000001")
    website_only = OrganisationFactory(name="Site web seulement", zones=[zone])
    ContactChannelFactory(organisation=website_only, kind="website", value="exemple.org")
    unplaced = OrganisationFactory(name="Sans zone")
    ContactChannelFactory(organisation=unplaced, kind="email", value="a@exemple.org")
    doubtful = OrganisationFactory(name="À vérifier", zones=[zone])
    ContactChannelFactory(organisation=doubtful, value="76 43 47 31", to_verify=True)
    old = OrganisationFactory(name="Ancienne", zones=[zone])
    ContactChannelFactory(organisation=old, value="+22376000002")
    Organisation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=400))
    OrganisationFactory(name="Archivée", status="archived")

    lists = _lists(admin_client.get(URL))
    assert lists["no-contact"] == (1, {"Site web seulement"})
    assert lists["no-zone"] == (1, {"Sans zone"})
    assert lists["to-verify"] == (1, {"À vérifier"})
    assert lists["stale"] == (1, {"Ancienne"})


def test_the_page_makes_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr("crm.views.QUALITY_LIST_LIMIT", 20)
    for n in range(30):
        organisation = OrganisationFactory(name=f"Groupement numéro {n}")
        ContactChannelFactory(organisation=organisation, value="+2237600000", to_verify=True)
    for n in range(10):
        organisation = OrganisationFactory(name=f"Coopérative numéro {n}")
        ContactChannelFactory(organisation=organisation, value="+2237611111")
    # A count only for the lists longer than the page shows (here the values to verify).
    with django_assert_max_num_queries(15):
        response = admin_client.get(URL)
    assert _lists(response)["to-verify"][0] == 30
    # Ten records sharing a phone make 45 pairs; thirty are each paired with the first of
    # them (29 pairs, enough to merge them all, without the 435 pairs of every two).
    assert response.context["duplicate_count"] == 45 + 29
    assert len(response.context["duplicates"]) == 20
