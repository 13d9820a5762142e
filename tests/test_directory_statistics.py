"""Statistics equal counts computed directly, and every number links to its list."""

import re

import pytest
from django.urls import reverse

from networks.models import Membership
from organisations.models import Organisation
from tests.directory_world import build_world

pytestmark = pytest.mark.django_db


def linked_numbers(page: str) -> list[tuple[str, int]]:
    return [
        (url.replace("&amp;", "&"), int(n))
        for url, n in re.findall(r'<a href="(/organisations/[^"]*)">(\d+)</a>', page)
    ]


def test_every_number_is_the_count_of_the_list_it_links_to(client):
    build_world()
    page = client.get("/statistiques/").content.decode()
    numbers = linked_numbers(page)
    assert len(numbers) > 10
    for url, n in numbers:
        listed = client.get(url).context["paginator"].count
        assert listed == n, url


def test_tableau_2_equals_direct_counts(client):
    build_world()
    response = client.get(reverse("directory:statistics"))
    published = Organisation.objects.published()
    rows = {row["typology"].slug: row for row in response.context["rows"] if row["typology"]}
    # The family counts its sub-group; the sub-group has its own row.
    assert (
        rows["nationales"]["total"]
        == published.filter(typology__slug__in=["nationales", "locales"]).count()
        == 2
    )
    assert rows["locales"]["total"] == 1
    assert rows["retour"]["total"] == published.filter(typology__slug="retour").count() == 1
    assert response.context["total"] == published.count() == 4
    declared = published.filter(registration_kind="declared").count()
    assert response.context["column_totals"][0][0] == declared


def test_network_counts_leave_out_unpublished_members(client):
    build_world()
    response = client.get(reverse("directory:statistics"))
    counts = {network.slug: n for network, n, _url in response.context["networks"]}
    assert Membership.objects.filter(network__slug="africain").count() == 2
    assert counts == {"plateforme": 2, "africain": 1}
