"""Fields a mapping can use beyond a questionnaire's (those of the full export): zones as
paths, slugs, status columns, entries with parts (offices, persons, needs, identifiers),
private channels, and files marked ``exported: true``."""

import pytest

from needs.factories import NeedCategoryFactory
from organisations.factories import OrganisationFactory
from organisations.models import ContactChannel, ContactPerson, Organisation
from surveys.mapping import MappingError, parse_mapping
from surveys.models import ImportMapping
from surveys.service import apply_import, preview_import
from tests.import_world import csv_bytes, english_messages, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

FIELDS = """
fields:
  name: nom
  slug: slug
  status: statut
  zones: zones
  aliases: autres_noms
  offices: bureaux
  contact_persons: personnes
  private_contact_persons: personnes_privees
  contact_persons_consent: consentements
  needs: besoins
  identifiers: identifiants
  emails: courriels
  private_phones: telephones_prives
"""
HEADER = [
    "nom",
    "slug",
    "statut",
    "zones",
    "autres_noms",
    "bureaux",
    "personnes",
    "personnes_privees",
    "consentements",
    "besoins",
    "identifiants",
    "courriels",
    "telephones_prives",
]


def _mapping(exported: bool) -> ImportMapping:
    head = "name: Essai\nexported: true\n" if exported else "name: Essai\n"
    return ImportMapping.objects.create(
        name="Essai", slug=f"essai-{exported}", definition=head + FIELDS
    )


def _file(**cells) -> bytes:
    return csv_bytes([HEADER, [cells.get(column, "") for column in HEADER]], separator="\t")


def test_a_full_path_names_the_zone_at_its_level(world):
    plan = preview_import(
        _file(nom="A", zones="Mali > Kayes > Kayes"), "f.csv", _mapping(exported=False)
    )
    assert plan.rows[0].links["zones"] == (world["kayes_cercle"].pk,)
    assert plan.rows[0].notes == []


def test_an_exported_file_keeps_slug_status_and_every_entry(world):
    NeedCategoryFactory(slug="formation")
    content = _file(
        nom="Association A",
        slug="asso-a",
        statut="published",
        zones="Mali > Kayes ; Mali > Bamako",
        autres_noms="ASSOCIATION A ; Association A, Kayes",
        bureaux="seat | Mali > Kayes | Rue 1 ; porte 2 ; office |  | Marché",
        personnes="Awa Traoré | Présidente | +22376000000 |  | Awa.T@Example.org",
        personnes_privees="Ali Sow |  |  |  |  | ne pas appeler | le soir",
        consentements="Awa Traoré | 2024-03-01 | oral",
        besoins="formation",
        identifiants="rccm:MA-1",
        courriels="Contact@Example.org",
        telephones_prives="'+22320000000",
    )
    _plan, _batch = apply_import(content, "f.csv", _mapping(exported=True), None)

    org = Organisation.objects.get(slug="asso-a")
    assert org.status == Organisation.Status.PUBLISHED
    assert sorted(org.zones.values_list("id", flat=True)) == sorted(
        [world["kayes"].pk, world["bamako"].pk]
    )
    assert sorted(org.aliases.values_list("name", flat=True)) == [
        "ASSOCIATION A",
        "Association A, Kayes",
    ]
    assert sorted(org.offices.values_list("kind", "address", "zone_id")) == [
        ("office", "Marché", None),
        ("seat", "Rue 1 ; porte 2", world["kayes"].pk),
    ]
    persons = {p.name: p for p in ContactPerson.objects.filter(organisation=org)}
    awa, ali = persons["Awa Traoré"], persons["Ali Sow"]
    assert (awa.is_publishable, awa.consent_given_by, str(awa.consent_date), awa.notes) == (
        True,
        "Awa Traoré",
        "2024-03-01",
        "oral",
    )
    assert awa.email == "Awa.T@Example.org"
    assert (ali.is_publishable, ali.notes) == (False, "ne pas appeler | le soir")
    assert list(org.needs.values_list("category__slug", "is_public")) == [("formation", True)]
    assert list(org.identifiers.values_list("scheme", "value")) == [("rccm", "MA-1")]
    channels = ContactChannel.objects.filter(organisation=org).order_by("position")
    assert list(channels.values_list("kind", "value", "is_public")) == [
        ("email", "Contact@Example.org", False),
        ("phone", "+22320000000", False),
    ]


def test_persons_of_a_survey_are_never_published(world):
    content = _file(nom="A", personnes="Awa Traoré | Présidente |  |  | ")
    apply_import(content, "f.csv", _mapping(exported=False), None)
    assert list(ContactPerson.objects.values_list("name", "is_publishable")) == [
        ("Awa Traoré", False)
    ]


def test_a_publishable_person_without_a_consent_date_is_kept_private(world):
    content = _file(nom="A", personnes="Awa Traoré | Présidente |  |  | ")
    plan = preview_import(content, "f.csv", _mapping(exported=True))
    assert plan.rows[0].notes == [
        "Awa Traoré has no consent date: kept as a private contact person."
    ]
    assert plan.rows[0].links["contacts"][0]["is_publishable"] is False


def test_a_wanted_slug_already_taken_gets_a_new_one(world):
    OrganisationFactory(name="Autre", slug="asso-a")
    apply_import(_file(nom="Association A", slug="asso-a"), "f.csv", _mapping(True), None)
    assert Organisation.objects.get(name="Association A").slug == "asso-a-2"


def test_the_apostrophe_is_data_outside_our_exports(world):
    content = _file(nom="A", autres_noms="'-A-")
    assert preview_import(content, "f.csv", _mapping(False)).rows[0].links["aliases"] == ["'-A-"]
    assert preview_import(content, "f.csv", _mapping(True)).rows[0].links["aliases"] == ["-A-"]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"bureaux": "siège |  | Rue 1"}, "is not written kind | place | address"),
        ({"bureaux": "seat | Atlantide | Rue 1"}, "“Atlantide” matches nothing known."),
        ({"besoins": "inconnu/9"}, "“inconnu/9” is not a need of the catalogue"),
        ({"identifiants": "MA-1"}, "“MA-1” is not written scheme:identifier"),
        ({"identifiants": "s" * 61 + ":1"}, "is not written scheme:identifier"),
        ({"consentements": "A" * 256 + " | 2024-03-01 | "}, "Too long: 256 characters"),
        ({"slug": "asso a"}, "“asso a” is not a slug"),
        ({"consentements": "Awa | hier | "}, "“hier” is not a date (YYYY-MM-DD)."),
    ],
)
def test_malformed_entries_are_row_errors(world, cells, message):
    cells = {"personnes": "Awa |  |  |  | ", **cells}
    plan = preview_import(_file(nom="A", **cells), "f.csv", _mapping(exported=True))
    assert [p.message for p in plan.rows[0].errors if message in p.message], plan.rows[0].errors


def test_exported_must_be_true_or_false():
    with pytest.raises(MappingError, match="“exported” must be true or false."):
        parse_mapping("exported: yes please\nfields: {name: nom}")
