"""Likely duplicates on the data quality page."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from crm.duplicates import find_duplicates
from crm.models import DistinctPair
from organisations.factories import (
    ContactChannelFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
)
from organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The reasons are compared in English (French is the default language).
    with translation.override("en"):
        yield


def _pairs():
    return {
        frozenset([pair.first.name, pair.second.name]): pair.reasons
        for pair in find_duplicates().pairs
    }


def test_a_near_duplicate_name_is_found():
    OrganisationFactory(name="Association des Maliens de France")
    OrganisationFactory(name="Association des Maliens en France")
    OrganisationFactory(name="Réseau des journalistes")
    pairs = _pairs()
    assert list(pairs) == [
        frozenset(["Association des Maliens de France", "Association des Maliens en France"])
    ]
    assert pairs[list(pairs)[0]][0].startswith("similar names")


def test_the_same_name_folded_and_the_same_acronym_are_found():
    OrganisationFactory(name="Tilé-Coura", acronym="")
    OrganisationFactory(name="TILE COURA", acronym="")
    OrganisationFactory(name="Aide aux migrants", acronym="A.M.E")
    OrganisationFactory(name="Association malienne des expulsés", acronym="AME")
    pairs = _pairs()
    assert pairs[frozenset(["Tilé-Coura", "TILE COURA"])] == ["same name"]
    assert pairs[frozenset(["Aide aux migrants", "Association malienne des expulsés"])] == [
        "same acronym"
    ]


def test_a_shared_email_or_phone_is_found():
    first = OrganisationFactory(name="Première")
    second = OrganisationFactory(name="Seconde")
    third = OrganisationFactory(name="Troisième")
    ContactChannelFactory(organisation=first, kind="email", value="Contact@Exemple.org")
    ContactChannelFactory(organisation=second, kind="email", value="contact@exemple.org")
    ContactChannelFactory(organisation=second, value="+22376434731")
    ContactChannelFactory(organisation=third, value="76 43 47 31 / +223 76434731", to_verify=True)
    ContactChannelFactory(organisation=third, value="+22376434731")
    pairs = _pairs()
    assert pairs == {
        frozenset(["Première", "Seconde"]): ["shared e-mail"],
        frozenset(["Seconde", "Troisième"]): ["shared phone"],
    }


def test_the_same_words_in_another_order_are_found():
    OrganisationFactory(name="Association des jeunes rapatriés de Kayes")
    OrganisationFactory(name="Kayes : association des jeunes rapatriés")
    assert len(_pairs()) == 1


def test_names_that_differ_by_a_number_or_a_place_are_not_duplicates():
    OrganisationFactory(name="Groupement des femmes 1")
    OrganisationFactory(name="Groupement des femmes 2")
    OrganisationFactory(name="Coordination des associations des cercles de Kayes en France")
    OrganisationFactory(name="Coordination des associations des cercles de Sikasso en France")
    assert _pairs() == {}


def test_archived_records_and_pairs_checked_as_distinct_are_left_out():
    OrganisationFactory(name="Maison du migrant", status="archived")
    first = OrganisationFactory(name="Maison du Migrant")
    second = OrganisationFactory(name="Maison du migrant ")
    assert len(find_duplicates().pairs) == 1
    DistinctPair.objects.create(first=first, second=second)
    assert find_duplicates().pairs == []


def test_a_name_matching_another_records_other_name_is_found():
    camarci = OrganisationFactory(name="Coordination CAMARCI", acronym="CAMARCI")
    OrganisationAliasFactory(organisation=camarci, name="CAMRCI")
    OrganisationFactory(name="Collectif des rapatriés", acronym="CAMRCI")
    assert list(_pairs().values()) == [["name is another record's other name"]]


def test_the_seed_holds_camarci_once_and_a_new_camrci_is_flagged():
    call_command("seed_mali", verbosity=0)
    camarci = Organisation.objects.get(acronym="CAMARCI")
    assert "CAMRCI" in set(camarci.aliases.values_list("name", flat=True))
    assert not [p for p in find_duplicates().pairs if camarci in (p.first, p.second)]

    planted = OrganisationFactory(
        name="Coordination des Associations Maliennes Rapatriées de la Côte d'Ivoire",
        acronym="CAMRCI",
    )
    flagged = [p for p in find_duplicates().pairs if {p.first, p.second} == {camarci, planted}]
    assert len(flagged) == 1


def test_the_data_quality_page_lists_the_pairs_with_a_merge_link(admin_client):
    first = OrganisationFactory(name="Association des Maliens de France")
    second = OrganisationFactory(name="Association des Maliens en France")
    response = admin_client.get(reverse("crm:data_quality"))
    content = response.content.decode()
    assert response.status_code == 200
    assert f"{reverse('crm:merge')}?first={first.pk}&amp;second={second.pk}" in content


def test_staff_mark_a_pair_as_distinct(admin_client):
    first = OrganisationFactory(name="Association des Maliens de France")
    second = OrganisationFactory(name="Association des Maliens en France")
    response = admin_client.post(
        reverse("crm:mark_distinct"), {"first": second.pk, "second": first.pk}
    )
    assert response.status_code == 302
    pair = DistinctPair.objects.get()
    assert (pair.first, pair.second) == (first, second)
    assert find_duplicates().pairs == []


def test_near_duplicates_are_found_among_many_similar_names():
    """Similar names are compared by blocks, not every pair: a typo at the start, in the
    middle or at the end, or a swapped word, is still found among hundreds of names built
    from the same words."""
    places = ["Kayes", "Kita", "Bafoulabé", "Diéma", "Nioro", "Yélimané", "Kéniéba", "Sikasso"]
    kinds = ["Association", "Collectif", "Groupement", "Coopérative", "Fédération"]
    people = ["des femmes", "des rapatriés", "des jeunes", "de la diaspora", "des émigrés"]
    Organisation.objects.bulk_create(
        Organisation(name=f"{kind} {who} de {place}", slug=f"o-{n}")
        for n, (kind, who, place) in enumerate(
            (kind, who, place) for kind in kinds for who in people for place in places
        )
    )
    near = [
        ("Asociation des rapatriés de Kayes", "Association des rapatriés de Kayes"),
        ("Collectif des rapatriées de Kita", "Collectif des rapatriés de Kita"),
        ("Groupement des jeunes de Sikaso", "Groupement des jeunes de Sikasso"),
        ("Fédération de Diéma des émigrés", "Fédération des émigrés de Diéma"),
    ]
    for n, (typed, _existing) in enumerate(near):
        OrganisationFactory(name=typed, slug=f"near-{n}")

    pairs = _pairs()

    similar = {names for names, reasons in pairs.items() if "similar" in reasons[0]}
    # Only these: names that differ by their place or their people are never paired.
    assert similar == {frozenset(names) for names in near}


def test_the_page_shows_the_likeliest_pairs_first_and_counts_them_all(admin_client, monkeypatch):
    monkeypatch.setattr("crm.views.QUALITY_LIST_LIMIT", 2)
    for n in range(4):  # four records of one name: six pairs with one reason each
        OrganisationFactory(name="Association des femmes", slug=f"af-{n}")
    first = OrganisationFactory(name="Groupement Espoir", acronym="GE")
    second = OrganisationFactory(name="Groupement Espoir", acronym="GE", slug="ge-2")

    found = find_duplicates(limit=2)
    response = admin_client.get(reverse("crm:data_quality"))

    assert found.total == 7
    assert [pair.key for pair in found.pairs][:1] == [(first.pk, second.pk)]
    assert len(found.pairs) == 2
    assert len(response.context["duplicates"]) == 2
    assert response.context["duplicate_count"] == 7
