"""The reference questionnaire's KoboToolbox export, read through its mapping."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from networks.models import Membership
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Organisation,
    OrganisationIdentifier,
    Source,
    Theme,
)
from surveys.mapping import MappingError, parse_mapping
from surveys.models import ImportMapping
from surveys.service import apply_import, preview_import
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    DATA,
    csv_bytes,
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)


def _names(queryset, attribute="name"):
    return sorted(getattr(item, attribute) for item in queryset)


def test_the_shipped_example_export_previews_without_errors(world, mapping):
    content = (DATA / "reference_export.xlsx").read_bytes()
    plan = preview_import(content, "reference_export.xlsx", mapping)

    assert plan.counts == {"new": 3, "update": 0, "unchanged": 0, "skipped": 0, "error": 0}
    assert plan.unknown_columns == []
    assert plan.missing_columns == []


def test_it_imports_a_kobo_export_with_both_select_multiple_shapes_and_a_repeat_sheet(
    world, mapping, django_user_model
):
    user = django_user_model.objects.create(username="importer")
    _plan, batch = apply_import(reference_export(EXAMPLE_SUBMISSIONS), "kobo.xlsx", mapping, user)

    ame = Organisation.objects.get(acronym="AME")
    assert ame.name == "Association Malienne des Expulsés"
    assert ame.typology.slug == "associations-ong-nationales"
    assert (ame.legal_form, ame.registration_kind) == ("formal", "declared")
    assert (ame.year_founded, ame.members_individuals, ame.budget_band) == (1996, 150, "5k_100k")
    assert ame.status == "draft"
    assert ame.survey_status == "interviewed"
    assert ame.source.kind == Source.Kind.SURVEY
    assert ame.source == batch.source
    # Space-separated codes in one cell.
    assert _names(ame.themes.all(), "slug") == ["assistance-migrants-transit", "migrants-de-retour"]
    assert _names(ame.zones.all(), "pk") == sorted([world["kayes"].pk, world["bamako"].pk])
    assert list(ame.partners.all()) == [world["eu"]]
    assert _names(ame.aliases.all()) == ["Association des Maliens Expulsés"]
    assert sorted(ame.channels.values_list("kind", "value", "is_public")) == [
        ("email", "ame@example.org", False),
        ("phone", "+22320224411", False),
        ("phone", "+22376451230", False),
        ("website", "www.expulsesmaliens.info", False),
    ]
    assert ame.identifiers.get().value == "3f6c7c3e-0b3a-4a55-9a1e-6f1c5e0a0001"
    assert ame.staff_notes == (
        "expertise/domaines: Accueil des expulsés à l'aéroport\n"
        "difficultes/difficultes: Financements irréguliers\n"
        "dialogue/relations_autorites: Membre du cadre de concertation"
    )
    person = ame.contact_persons.get()
    assert (person.name, person.role, person.phone, person.email, person.is_publishable) == (
        "Ousmane Diarra",
        "Président",
        "+22376451230",
        "o.diarra@example.org",
        False,
    )

    ardd = Organisation.objects.get(acronym="ARDD")
    # One 0/1 column per choice.
    assert _names(ardd.themes.all(), "slug") == [
        "accompagnement-jeunes",
        "cooperation-developpement-local",
    ]
    # "Cercle de Diéma" names its level.
    assert list(ardd.zones.all()) == [world["diema"]]
    # Two rows of the repeat sheet point at this submission (_parent_index = 2).
    assert _names(ardd.contact_persons.all()) == ["Bakary Traoré", "Fatoumata Sissoko"]

    rapatriees = Organisation.objects.get(name="Groupement des Femmes Rapatriées de Kayes")
    assert rapatriees.contact_persons.count() == 0
    # The same theme in both shapes is linked once.
    assert rapatriees.themes.count() == 2
    assert rapatriees.search_text == "groupement des femmes rapatriees de kayes kayes"


def test_a_bare_name_is_the_highest_level_and_the_preview_says_so(world, mapping):
    content = reference_export(
        [{"identification/nom_osc": "Association A", "activites/zones": "Kayes"}]
    )
    row = preview_import(content, "kobo.xlsx", mapping).rows[0]

    assert row.links["zones"] == (world["kayes"].pk,)
    assert row.notes == [
        "“Kayes” read as Kayes (region, Mali) (also: Kayes (cercle (district), Kayes))."
    ]
    assert "zone: Kayes (region, Mali)" in row.added


def test_the_preview_lists_each_part_to_add_in_words(world, mapping):
    answers = {
        "identification/telephones": "76 45 12 30",
        "identification/emails": "a@example.org",
        "identification/autres_noms": "Asso A",
        "_uuid": "u-1",
        "contacts": [("Awa Keita", "", "", "")],
    }
    content = reference_export([{"identification/nom_osc": "Association A", **answers}])
    row = preview_import(content, "kobo.xlsx", mapping).rows[0]
    assert row.added == [
        "other name: Asso A",
        "phone: +22376451230",
        "e-mail: a@example.org",
        "contact person: Awa Keita",
        "identifier: u-1",
    ]


def test_a_column_can_fix_the_zone_level(world, mapping):
    definition = mapping.definition.replace("level: highest", "level: cercle")
    mapping = ImportMapping.objects.create(name="Cercles", slug="cercles", definition=definition)
    content = reference_export(
        [{"identification/nom_osc": "A", "activites/zones": "Kayes; Koulikoro"}]
    )
    row = preview_import(content, "kobo.xlsx", mapping).rows[0]

    assert row.links["zones"] == [world["kayes_cercle"].pk]
    assert [p.message for p in row.errors] == [
        "“Koulikoro” is not a cercle (district) (found: Koulikoro (region, Mali))."
    ]


def test_values_that_match_nothing_are_errors_with_the_closest_suggestions(world, mapping):
    content = reference_export(
        [
            {
                "identification/nom_osc": "Association A",
                "activites/zones": "Kayess",
                "experience/partenaires": "Union europeene; Fondation Inconnue",
            }
        ]
    )
    plan = preview_import(content, "kobo.xlsx", mapping)

    messages = [(p.row, p.header, p.message) for p in plan.errors]
    assert messages == [
        (
            2,
            "activites/zones",
            "“Kayess” matches nothing known. Closest: Kayes (region, Mali); "
            "Kayes (cercle (district), Kayes).",
        ),
        (
            2,
            "experience/partenaires",
            "“Union europeene” matches nothing known. Closest: Union européenne (UE).",
        ),
        (2, "experience/partenaires", "“Fondation Inconnue” matches nothing known."),
    ]
    assert plan.errors[0].column == 19


def test_unknown_values_are_created_only_when_allowed(world, mapping, django_user_model):
    content = reference_export(
        [
            {
                "identification/nom_osc": "Association A",
                "experience/reseaux": "Réseau Sahel Migrations; FAM",
            }
        ]
    )
    assert preview_import(content, "kobo.xlsx", mapping).has_errors

    plan, _batch = apply_import(content, "kobo.xlsx", mapping, None, allow_create=("networks",))

    assert plan.creations["networks"] == {"reseau sahel migrations": "Réseau Sahel Migrations"}
    org = Organisation.objects.get(name="Association A")
    networks = Membership.objects.filter(organisation=org).values_list("network__name", flat=True)
    assert sorted(networks) == ["Forum des Associations Maliennes", "Réseau Sahel Migrations"]
    assert Theme.objects.count() == len(world["themes"])


def test_unknown_columns_are_listed(world, mapping):
    submissions = [{"identification/nom_osc": "A"}]
    content = reference_export(submissions)
    # Add a column the mapping does not know, as a plain CSV would.
    rows = [["Nom de l'organisation", "Couleur préférée", "_uuid"], ["Association A", "vert", "x"]]
    plan = preview_import(csv_bytes(rows), "a.csv", mapping)

    assert plan.unknown_columns == ["Couleur préférée (B)"]
    assert preview_import(content, "kobo.xlsx", mapping).unknown_columns == []


def test_a_plain_csv_with_labels_and_french_lists(world, mapping):
    rows = [
        ["Nom de l'organisation", "Sigle", "Type d'organisation", "zones", "themes"],
        ["Caritas Mali", "", "ONG internationales", "District de Bamako, Kayes", "retour, PDI"],
    ]
    content = csv_bytes(rows, ";", "cp1252")
    row = preview_import(content, "osc.csv", mapping).rows[0]

    assert row.errors == []
    assert row.values["typology_id"] == world["typologies"]["ong-internationales"].pk
    assert sorted(row.links["zones"]) == sorted([world["bamako"].pk, world["kayes"].pk])
    assert sorted(row.links["themes"]) == sorted(
        [
            world["themes"]["migrants-de-retour"].pk,
            world["themes"]["deplaces-internes-refugies"].pk,
        ]
    )


def test_cells_beyond_the_header_are_errors_not_dropped(world, mapping):
    content = csv_bytes([["Nom de l'organisation", "Sigle"], ["Association A", "AA", "Kayes"]])
    problem = preview_import(content, "a.csv", mapping).errors[0]
    assert (problem.row, problem.column) == (2, 3)
    assert problem.message == "This cell has no column header: “Kayes”."


def test_choice_codes_that_are_not_in_the_mapping_are_errors(world, mapping):
    content = reference_export(
        [{"identification/nom_osc": "A", "identification/statut_juridique": "semi"}]
    )
    problem = preview_import(content, "kobo.xlsx", mapping).errors[0]
    assert problem.message == "“semi” is not one of the expected answers (formelle, informelle)."


def test_a_phone_that_cannot_be_made_e164_is_kept_to_verify(world, mapping):
    content = reference_export(
        [{"identification/nom_osc": "A", "identification/telephones": "76 45 12 / 66 12 34 56"}]
    )
    _plan, _batch = apply_import(content, "kobo.xlsx", mapping, None)
    short, good = ContactChannel.objects.order_by("position")
    assert (short.value, short.to_verify) == ("76 45 12", True)
    assert short.verification_note == "Phone “76 45 12” kept as written, to verify."
    assert (good.value, good.to_verify) == ("+22366123456", False)


def test_the_identifier_is_stored_with_the_mapping_scheme(world, mapping):
    content = reference_export([{"identification/nom_osc": "A", "_uuid": "abc-1"}])
    apply_import(content, "kobo.xlsx", mapping, None)
    assert OrganisationIdentifier.objects.get().scheme == "kobo-uuid"
    assert ContactPerson.objects.count() == 0


@pytest.mark.parametrize(
    "definition, message",
    [
        ("fields: {acronym: sigle}", "which column holds the name"),
        ("fields: {name: nom, colour: couleur}", "Unknown field “colour”"),
        ("fields: {name: nom}\nlanguage: fr", "Unknown entries in the mapping: language"),
        ("fields: {name: nom, legal_form: {column: s, choices: {f: formel}}}", "formel"),
        ("fields: [name", "not valid YAML or JSON"),
        ('{"fields": {"name": "nom", "zones": {"column": "z", "level": "town"}}}', "level must"),
    ],
)
def test_a_wrong_mapping_says_what_is_wrong(definition, message):
    with pytest.raises(MappingError) as caught:
        parse_mapping(definition)
    assert message in str(caught.value)


def test_the_reference_mapping_file_is_valid():
    mapping = parse_mapping(Path(DATA / "reference_mapping.yaml").read_text(encoding="utf-8"))
    assert mapping.identifier_scheme == "kobo-uuid"
    assert mapping.contacts.sheet == "contacts"


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_as_written(world, mapping):
    text = "Ligne 1\tcolonne\nC:\\dossier\\N \\N"
    # Excel writes a carriage return as _x000D_ (XML would turn a raw one into a line feed).
    answers = {"historique/historique": text}
    content = reference_export(
        [{"identification/nom_osc": "A", **answers, "identification/recepisse": "N°1_x000D_2"}]
    )
    apply_import(content, "kobo.xlsx", mapping, None)
    org = Organisation.objects.get()
    assert org.description == text
    assert org.registration_reference == "N°1\r2"


def test_a_mapping_without_source_still_gives_imported_records_a_survey_source(world):
    mapping = ImportMapping.objects.create(
        name="Enquête Niger", slug="niger", definition="fields: {name: nom}"
    )
    apply_import(csv_bytes([["nom"], ["Association A"]]), "niger.csv", mapping, None)
    source = Organisation.objects.get().source
    assert (source.code, source.kind, source.document) == (
        "survey-niger",
        "survey",
        "Enquête Niger",
    )


def test_contact_rows_without_a_submission_or_a_name_are_reported(world, mapping):
    workbook = Workbook()
    main = workbook.active
    main.append(["identification/nom_osc", "_uuid", "_index"])
    main.append(["Association A", "u-1", 1])
    contacts = workbook.create_sheet("contacts")
    contacts.append(["contacts/nom_contact", "contacts/telephone_contact", "_parent_index"])
    contacts.append(["Awa Keita", "", 1])
    contacts.append(["", "76 45 12 30", 1])
    contacts.append(["Moussa Coulibaly", "", 7])
    buffer = io.BytesIO()
    workbook.save(buffer)

    plan = preview_import(buffer.getvalue(), "kobo.xlsx", mapping)

    assert plan.orphan_contacts == [4]
    row = plan.rows[0]
    assert [contact["name"] for contact in row.links["contacts"]] == ["Awa Keita"]
    assert row.notes == ["The contact on row 3 of “contacts” has no name: not imported."]


def test_values_too_long_for_the_directory_are_errors_not_cut(world, mapping):
    long_alias = "A" * 300
    content = reference_export(
        [{"identification/nom_osc": "Association A", "identification/autres_noms": long_alias}]
    )
    problem = preview_import(content, "kobo.xlsx", mapping).errors[0]
    assert (problem.header, problem.message) == (
        "identification/autres_noms",
        "Too long: 300 characters, at most 255.",
    )
