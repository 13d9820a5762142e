"""Rows that describe organisations already in the directory are found, never doubled."""

import pytest

from organisations.factories import (
    ContactChannelFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    OrganisationIdentifierFactory,
)
from organisations.models import Organisation
from surveys.matching import normalise_name
from surveys.service import apply_import, preview_import
from tests.import_world import (  # noqa: F401
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)


def _row(mapping, **answers):
    submission = {"identification/nom_osc": "Association Sans Nom", **answers}
    plan = preview_import(reference_export([submission]), "kobo.xlsx", mapping)
    return plan.rows[0]


@pytest.fixture
def ame(world):
    org = OrganisationFactory(name="Association Malienne des Expulsés", acronym="AME")
    OrganisationAliasFactory(organisation=org, name="Asso. des Maliens expulsés")
    OrganisationIdentifierFactory(organisation=org, scheme="kobo-uuid", value="uuid-ame")
    ContactChannelFactory(organisation=org, kind="email", value="contact@ame.org")
    return org


@pytest.mark.parametrize(
    "answers, reason",
    [
        ({"_uuid": "UUID-AME", "identification/nom_osc": "Tout autre nom"}, "same identifier"),
        ({"identification/sigle": "a.m.e", "identification/nom_osc": "Autre"}, "same acronym"),
        (
            {"identification/nom_osc": "Association des Maliens Expulses"},
            "another name of this organisation",
        ),
        ({"identification/nom_osc": "ONG malienne des expulsés"}, "same name"),
        (
            {"identification/nom_osc": "Autre", "identification/emails": "Contact@AME.org"},
            "same e-mail",
        ),
    ],
)
def test_certain_matches_find_the_existing_organisation(mapping, ame, answers, reason):
    row = _row(mapping, **answers)
    assert (row.organisation_id, row.match_reason) == (ame.pk, reason)
    assert row.action in {"update", "unchanged"}


def test_normalised_names_ignore_case_accents_punctuation_and_prefixes():
    assert normalise_name("ASSOCIATION « Tilé-Coura »") == "tile coura"
    assert normalise_name("ONG Tile Coura") == "tile coura"
    assert normalise_name("L'Association des Tilé Coura") == "tile coura"
    assert normalise_name("Association") == "association"


def test_an_acronym_two_organisations_share_is_not_a_match(mapping, world):
    OrganisationFactory(name="Association des Migrants Expulsés", acronym="AME")
    OrganisationFactory(name="Amis du Mali en Europe", acronym="AME")
    row = _row(mapping, **{"identification/sigle": "AME"})
    assert row.organisation_id is None
    assert row.action == "new"


def test_a_likely_duplicate_is_suggested_and_not_merged(mapping, ame):
    answers = {"identification/nom_osc": "Association Malienne des Expulsées"}
    content = reference_export([answers])
    plan = preview_import(content, "kobo.xlsx", mapping)
    row = plan.rows[0]

    assert row.action == "new"
    assert row.organisation_id is None
    assert row.suggestion == (ame.pk, "Association Malienne des Expulsés (AME)", 98)
    assert plan.suggestions == [row]

    apply_import(content, "kobo.xlsx", mapping, None)
    assert Organisation.objects.count() == 2


def test_a_confirmed_suggestion_updates_the_existing_organisation(mapping, ame):
    answers = {
        "identification/nom_osc": "Association Malienne des Expulsées",
        "historique/annee_creation": 1996,
    }
    content = reference_export([answers])
    apply_import(content, "kobo.xlsx", mapping, None, confirmed_matches={2: ame.pk})

    assert Organisation.objects.count() == 1
    ame.refresh_from_db()
    assert ame.year_founded == 1996
    assert ame.name == "Association Malienne des Expulsés"


def test_two_rows_for_the_same_organisation_are_an_error(mapping, world):
    content = reference_export(
        [
            {"identification/nom_osc": "Association Tilé Coura", "_uuid": "u1"},
            {"identification/nom_osc": "ONG Tile-Coura", "_uuid": "u2"},
        ]
    )
    plan = preview_import(content, "kobo.xlsx", mapping)
    assert [row.action for row in plan.rows] == ["new", "error"]
    assert plan.errors[0].message == (
        "Row 2 already describes this organisation; merge the two rows."
    )


def test_existing_zones_contacts_and_channels_are_not_doubled(mapping, ame, world):
    ame.zones.add(world["kayes"])
    ame.contact_persons.create(name="Ousmane Diarra")
    answers = {
        "_uuid": "uuid-ame",
        "activites/zones": "Kayes; Bamako",
        "identification/emails": "contact@ame.org",
        "contacts": [("OUSMANE DIARRA", "Président", "", ""), ("Awa Keita", "", "", "")],
    }
    content = reference_export([{"identification/nom_osc": "AME", **answers}])
    apply_import(content, "kobo.xlsx", mapping, None)

    assert sorted(ame.zones.values_list("name", flat=True)) == ["Bamako", "Kayes"]
    assert sorted(ame.contact_persons.values_list("name", flat=True)) == [
        "Awa Keita",
        "Ousmane Diarra",
    ]
    assert list(ame.channels.values_list("value", flat=True)) == ["contact@ame.org"]
    assert ame.identifiers.count() == 1


def test_a_row_already_matched_with_certainty_cannot_be_merged_elsewhere(mapping, ame):
    other = OrganisationFactory(name="Autre association")
    content = reference_export([{"identification/nom_osc": "X", "_uuid": "uuid-ame"}])
    plan = preview_import(content, "kobo.xlsx", mapping, confirmed_matches={2: other.pk})
    assert plan.errors[0].message == (
        "This row is already “Association Malienne des Expulsés (AME)” (same identifier); "
        "it cannot be merged."
    )
