"""The needs overview (report chapter 3.2) equals counts made one by one."""

import pytest
from django.conf import settings
from django.urls import reverse

from needs.factories import NeedActivityFactory, NeedCategoryFactory, OrganisationNeedFactory
from needs.models import OrganisationNeed
from organisations.factories import (
    CercleFactory,
    OrganisationFactory,
    RegionFactory,
    TypologyFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("crm:needs_overview")


@pytest.fixture
def world():
    mali = ZoneFactory(name="Mali")
    kayes = RegionFactory(name="Kayes", parent=mali)
    gao = RegionFactory(name="Gao", parent=mali)
    senegal = ZoneFactory(name="Sénégal")
    dakar = RegionFactory(name="Dakar", parent=senegal)
    diaspora = TypologyFactory(name="Diaspora")
    hometown = TypologyFactory(name="Associations de ressortissants", parent=diaspora)
    ngo = TypologyFactory(name="ONG")
    training, funding = NeedCategoryFactory(name="Formation"), NeedCategoryFactory(name="Fonds")
    activities = [NeedActivityFactory(category=training) for _ in range(2)]

    a = OrganisationFactory(typology=hometown, zones=[CercleFactory(parent=kayes), gao])
    b = OrganisationFactory(typology=ngo, zones=[kayes])
    c = OrganisationFactory(typology=diaspora, zones=[dakar])
    archived = OrganisationFactory(typology=ngo, zones=[gao], status="archived")
    OrganisationNeedFactory(organisation=a, category=training, activity=activities[0])
    OrganisationNeedFactory(organisation=a, category=training, activity=activities[1], status="met")
    OrganisationNeedFactory(organisation=a, category=funding, status="in_progress")
    OrganisationNeedFactory(organisation=b, category=training, status="met")
    OrganisationNeedFactory(organisation=c, category=funding)
    OrganisationNeedFactory(organisation=archived, category=funding)
    return locals()


def _direct(category, **filters):
    return (
        OrganisationNeed.objects.filter(category=category, **filters)
        .exclude(organisation__status="archived")
        .values("organisation")
        .distinct()
        .count()
    )


def test_the_overview_equals_direct_counts(admin_client, world, django_assert_max_num_queries):
    # The directory's index is read first (eleven queries, whatever the data).
    with django_assert_max_num_queries(20):
        response = admin_client.get(URL)
    overview = response.context["overview"]
    assert [region.name for region in overview.regions] == ["Gao", "Kayes", "Dakar"]
    for row in overview.rows:
        category = row.category
        assert row.organisations == _direct(category)
        for status in ["identified", "in_progress", "met"]:
            expected = (
                OrganisationNeed.objects.filter(category=category, status=status)
                .exclude(organisation__status="archived")
                .count()
            )
            assert getattr(row, status) == expected
        for region, count in zip(overview.regions, row.by_region, strict=True):
            assert count == _direct(
                category, organisation__zone_links__zone__path__startswith=region.path
            )
        for family, count in zip(overview.families, row.by_family, strict=True):
            in_family = _direct(category, organisation__typology=family) + _direct(
                category, organisation__typology__parent=family
            )
            assert count == in_family


def test_the_overview_shows_the_known_figures(admin_client, world):
    rows = {row.category.name: row for row in admin_client.get(URL).context["overview"].rows}
    training, funding = rows["Formation"], rows["Fonds"]
    # Organisation a has two training activities: counted once, each need has its status.
    assert (training.organisations, training.identified, training.met) == (2, 1, 2)
    assert (funding.organisations, funding.identified, funding.in_progress) == (2, 1, 1)


def test_the_overview_can_be_narrowed_to_one_country(admin_client, world):
    response = admin_client.get(URL, {"country": world["senegal"].pk})
    overview = response.context["overview"]
    assert [region.name for region in overview.regions] == ["Dakar"]
    rows = {row.category.name: row for row in overview.rows}
    assert rows["Fonds"].organisations == 1
    assert rows["Formation"].organisations == 0
    assert "Dakar" in response.content.decode()


def test_the_needs_list_filters_met_needs_with_their_support(
    admin_client, world, django_assert_max_num_queries
):
    url = reverse("admin:needs_organisationneed_changelist")
    with django_assert_max_num_queries(20):
        response = admin_client.get(url, {"status__exact": "met"})
    met = list(response.context["cl"].result_list)
    assert len(met) == 2
    assert {need.status for need in met} == {"met"}


def test_an_unknown_country_says_so_and_shows_all_countries(admin_client, world):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.get(URL, {"country": "999999"})
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Unknown country: all countries are shown."]
    assert len(response.context["overview"].regions) == 3


def test_it_says_no_organisation_has_needs_instead_of_a_table_of_zeros(admin_client):
    NeedCategoryFactory()
    OrganisationFactory()
    page = admin_client.get(reverse("crm:needs_overview")).content.decode()
    assert "Aucune organisation n’a encore enregistré de besoins" in page
    assert reverse("admin:needs_organisationneed_add") in page
    assert 'id="needs-by-status"' not in page


def test_the_overview_follows_a_new_need_at_once(
    admin_client, world, django_assert_max_num_queries
):
    admin_client.get(URL)
    with django_assert_max_num_queries(9):  # the index is current: not read again
        again = admin_client.get(URL)
    assert _rows(again)["Fonds"].organisations == 2

    OrganisationNeedFactory(organisation=world["b"], category=world["funding"])
    after = admin_client.get(URL)
    assert _rows(after)["Fonds"].organisations == 3
    assert _rows(after)["Fonds"].identified == 2


def test_each_country_has_its_own_overview(admin_client, world):
    assert _rows(admin_client.get(URL))["Formation"].organisations == 2
    senegal = admin_client.get(URL, {"country": world["senegal"].pk})
    assert _rows(senegal)["Formation"].organisations == 0
    assert _rows(admin_client.get(URL))["Formation"].organisations == 2


def _rows(response) -> dict:
    return {row.category.name: row for row in response.context["overview"].rows}
