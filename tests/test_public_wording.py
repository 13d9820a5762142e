"""What the public pages write: French typography (no-break space before « : ; ! ? », thousands
separators), zone levels without nested brackets, the scope without the report's raw heading,
and no "Inconnu" where it says nothing."""

import pytest

from networks.factories import NetworkFactory
from organisations.factories import (
    CercleFactory,
    ContactChannelFactory,
    OfficeFactory,
    OrganisationFactory,
    RegionFactory,
)
from organisations.models import ContactChannel, Organisation

pytestmark = pytest.mark.django_db

NBSP, NNBSP = "\u00a0", "\u202f"


def _page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


def test_it_puts_a_no_break_space_before_colons_on_a_french_profile(client):
    organisation = OrganisationFactory()
    OfficeFactory(organisation=organisation, address="Niamakoro, Bamako")
    ContactChannelFactory(
        organisation=organisation, kind=ContactChannel.Kind.EMAIL, value="contact@ajk.ml"
    )
    page = _page(client, organisation.get_absolute_url())
    assert f"Siège{NBSP}:</span> Niamakoro, Bamako" in page
    assert f"Courriel{NBSP}:</span>" in page
    assert f"Dernière mise à jour{NBSP}:" in page
    assert "Siège:" not in page and "Courriel:" not in page


def test_it_keeps_the_english_colon_on_an_english_profile(client):
    organisation = OrganisationFactory()
    OfficeFactory(organisation=organisation, address="Niamakoro, Bamako")
    page = _page(client, "/en" + organisation.get_absolute_url())
    assert "Head office (seat):</span> Niamakoro, Bamako" in page


def test_it_writes_the_search_chip_the_french_way(client):
    OrganisationFactory(name="Association des femmes rapatriées")
    page = _page(client, "/organisations/?q=femmes")
    assert f"Rechercher{NBSP}: femmes" in page


def test_it_writes_thousands_with_a_separator(client):
    network = NetworkFactory(member_count=1000, member_count_is_approximate=True)
    french = _page(client, network.get_absolute_url())
    assert f"≈ 1{NBSP}000" in french
    english = _page(client, "/en" + network.get_absolute_url())
    assert "≈ 1,000" in english


def test_it_names_a_cercle_without_nested_brackets(client):
    kita = CercleFactory(name="Kita", parent=RegionFactory(name="Kayes"))
    profile = OrganisationFactory(zones=[kita]).get_absolute_url()
    zone_page = kita.get_absolute_url()
    english = _page(client, "/en" + profile)
    assert 'Kita</a> <span class="meta">(cercle)</span>' in english
    assert "(cercle (district))" not in english
    assert 'Kita <span class="meta">(cercle)</span>' in _page(client, "/en" + zone_page)


def test_it_shows_the_scope_without_the_reports_heading(client):
    organisation = OrganisationFactory(
        scope=Organisation.Scope.REGIONAL,
        scope_detail="Local (Régional) : Somankidi Coura, Région de Kayes",
    )
    page = _page(client, organisation.get_absolute_url())
    assert "<dd>Régional — Somankidi Coura, Région de Kayes</dd>" in page


def test_it_writes_no_unknown_scope_in_list_lines(client):
    OrganisationFactory(name="Amicale de Nioro", typology=None, scope=Organisation.Scope.UNKNOWN)
    page = _page(client, "/organisations/")
    item = page[page.index("Amicale de Nioro") :].split("</li>")[0]
    assert "Inconnu" not in item


def test_it_hides_a_facet_where_every_value_is_unknown(client):
    for name in ["Amicale de Nioro", "Association de Kita"]:
        OrganisationFactory(name=name, budget_band=Organisation.BudgetBand.UNKNOWN)
    page = _page(client, "/organisations/")
    assert 'name="budget"' not in page
    assert 'name="scope"' in page  # a facet with known values stays
