"""Survey imports know services: a repeat sheet of KoboToolbox or columns of the main
sheet, matched by organisation and name, previewed, applied with their history, undone."""

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from services.factories import ServiceFactory
from services.models import Language, PopulationGroup, Service
from surveys.mapping import MappingError, parse_mapping
from surveys.models import ImportMapping
from surveys.service import apply_import, preview_import
from surveys.undoing import undo_batch
from tests.import_world import csv_bytes, english_messages, world_fixture  # noqa: F401

KOBO_MAPPING = """
name: Enquête services
country: ML
defaults: {status: published}
fields:
  name: identification/nom_osc
services:
  sheet: services
  name: services/nom_service
  name_en: services/nom_service_en
  description: services/description
  eligibility: services/conditions
  themes: services/domaine
  populations:
    column: services/publics
    choices: {retour: migrants-de-retour, enfants: enfants, femmes: femmes}
  languages: services/langues
  cost: {column: services/cout, choices: {gratuit: free, payant: fee}}
  access: {column: services/acces, choices: {sans_rdv: walk_in, orientation: by_referral}}
  zones: {column: services/zones, level: cercle}
"""

SERVICE_HEADERS = [
    "services/nom_service",
    "services/nom_service_en",
    "services/description",
    "services/conditions",
    "services/domaine",
    "services/publics",
    "services/langues",
    "services/cout",
    "services/acces/sans_rdv",
    "services/acces/orientation",
    "services/zones",
    "services/remarque",
    "_parent_index",
]


def kobo_file(submissions, services) -> bytes:
    """A KoboToolbox XLSX: submissions (index, name) and service rows (dicts by header)."""
    workbook = Workbook()
    main = workbook.active
    main.title = "Enquête services"
    main.append(["_index", "identification/nom_osc"])
    for index, name in submissions:
        main.append([index, name])
    sheet = workbook.create_sheet("services")
    sheet.append(SERVICE_HEADERS)
    for service in services:
        sheet.append([service.get(header, "") for header in SERVICE_HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


LEGAL_AID = {
    "services/nom_service": "Assistance juridique",
    "services/nom_service_en": "Legal aid",
    "services/description": "Conseil et accompagnement devant les tribunaux",
    "services/conditions": "Migrants de retour depuis moins de deux ans",
    "services/domaine": "migrants-de-retour",
    "services/publics": "retour enfants",
    "services/langues": "Bambara, soninke",
    "services/cout": "gratuit",
    "services/acces/sans_rdv": "1",
    "services/acces/orientation": "0",
    "services/zones": "Kayes",
    "_parent_index": 1,
}
SHELTER = {
    "services/nom_service": "Hébergement d'urgence",
    "services/publics": "femmes",
    "services/langues": "fr",
    "services/cout": "Variable",
    "services/acces/orientation": "1",
    "services/zones": "Cercle de Diéma",
    "_parent_index": 1,
}
LISTENING = {
    "services/nom_service": "Écoute psychosociale",
    "services/langues": "Français",
    "_parent_index": 2,
}


@pytest.fixture(name="kobo_mapping")
def kobo_mapping_fixture(db):
    return ImportMapping.objects.create(
        name="Enquête services", slug="services", definition=KOBO_MAPPING
    )


@pytest.fixture(name="importer")
def importer_fixture(django_user_model):
    return django_user_model.objects.create(username="importer")


def kobo_content():
    return kobo_file(
        [(1, "Association Malienne des Expulsés"), (2, "Groupement des Femmes de Kayes")],
        [LEGAL_AID, SHELTER, LISTENING],
    )


def test_services_of_a_repeat_sheet_are_imported_with_every_field(world, kobo_mapping, importer):
    _plan, batch = apply_import(kobo_content(), "kobo.xlsx", kobo_mapping, importer)

    ame = Organisation.objects.get(name="Association Malienne des Expulsés")
    legal, shelter = ame.services.order_by("name")
    assert (legal.name, legal.name_en, legal.description, legal.eligibility) == (
        "Assistance juridique",
        "Legal aid",
        "Conseil et accompagnement devant les tribunaux",
        "Migrants de retour depuis moins de deux ans",
    )
    assert (legal.cost, legal.walk_in, legal.by_referral, legal.by_appointment) == (
        "free",
        True,
        False,
        False,
    )
    assert [theme.slug for theme in legal.themes.all()] == ["migrants-de-retour"]
    assert sorted(legal.populations.values_list("slug", flat=True)) == [
        "enfants",
        "migrants-de-retour",
    ]
    assert sorted(legal.languages.values_list("code", flat=True)) == ["bm", "snk"]
    # "level: cercle": Kayes is the cercle here, not the region.
    assert list(legal.zones.all()) == [world["kayes_cercle"]]
    assert (legal.status, legal.source) == ("published", batch.source)
    assert (shelter.name, shelter.cost, shelter.by_referral, shelter.walk_in) == (
        "Hébergement d'urgence",
        "varies",
        True,
        False,
    )
    assert list(shelter.zones.all()) == [world["diema"]]
    assert list(shelter.languages.values_list("code", flat=True)) == ["fr"]
    femmes = Organisation.objects.get(name="Groupement des Femmes de Kayes")
    assert list(femmes.services.values_list("name", flat=True)) == ["Écoute psychosociale"]
    assert batch.created_ids("services.Service") == sorted(
        Service.objects.values_list("pk", flat=True)
    )


def test_an_imported_service_has_its_history_with_its_links(world, kobo_mapping, importer):
    apply_import(kobo_content(), "kobo.xlsx", kobo_mapping, importer)

    legal = Service.objects.get(name="Assistance juridique")
    record = legal.history.get()
    assert (record.history_type, record.history_user, record.cost) == ("+", importer, "free")
    assert record.history_change_reason.startswith("Survey import #")
    assert sorted(link.populationgroup.slug for link in record.populations.all()) == [
        "enfants",
        "migrants-de-retour",
    ]
    assert [link.zone for link in record.zones.all()] == [world["kayes_cercle"]]


def test_the_preview_and_the_dry_run_show_the_services_and_the_unused_columns(
    world, kobo_mapping, tmp_path
):
    plan = preview_import(kobo_content(), "kobo.xlsx", kobo_mapping)

    assert plan.counts["new"] == 2
    assert "service: Assistance juridique" in plan.rows[0].added
    assert "service: Hébergement d'urgence" in plan.rows[0].added
    # Columns of the service sheet the mapping does not use are listed, never dropped.
    assert plan.unknown_columns == ["services: services/remarque (L)"]
    assert plan.missing_columns == []
    assert Service.objects.count() == 0

    output = io.StringIO()
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(kobo_content())
    call_command("import_survey", str(path), "--mapping", "services", "--dry-run", stdout=output)
    # The command speaks French unless told otherwise (--language).
    assert "Ligne 2 : service « Assistance juridique » : Nouvelle" in output.getvalue()
    assert "Ligne 3 : service « Écoute psychosociale » : Nouvelle" in output.getvalue()
    assert Service.objects.count() == 0


def test_the_admin_preview_lists_the_services_and_the_orphan_rows_in_french(
    world, kobo_mapping, client, django_user_model
):
    user = django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_survey"))
    client.force_login(user)
    content = kobo_file([(1, "Association A")], [LEGAL_AID, {**LISTENING, "_parent_index": 7}])

    response = client.post(
        reverse("admin:surveys_import"),
        {
            "file": SimpleUploadedFile("kobo.xlsx", content),
            "mapping": kobo_mapping.pk,
            "on_existing": "fill",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<li>+ service : Assistance juridique</li>" in html
    assert "Les lignes de services 3 ne renvoient à aucune soumission" in html
    assert Service.objects.count() == 0


def test_importing_the_same_file_again_changes_nothing(world, kobo_mapping, importer):
    apply_import(kobo_content(), "kobo.xlsx", kobo_mapping, importer)
    before = list(Service.objects.order_by("pk").values())

    plan = preview_import(kobo_content(), "kobo.xlsx", kobo_mapping)
    assert plan.counts["unchanged"] == 2
    assert [row.added for row in plan.rows] == [[], []]
    _plan, batch = apply_import(kobo_content(), "kobo.xlsx", kobo_mapping, importer)

    assert list(Service.objects.order_by("pk").values()) == before
    assert Service.themes.through.objects.count() == 1
    assert "services.Service" not in batch.created


@pytest.mark.parametrize("on_existing", ["fill", "overwrite"])
def test_an_existing_service_is_matched_by_organisation_and_name_and_undo_restores_it(
    world, kobo_mapping, importer, on_existing
):
    ame = OrganisationFactory(name="Association Malienne des Expulsés")
    # Written otherwise (case, accents): the same service.
    legal = ServiceFactory(
        organisation=ame,
        name="ASSISTANCE JURIDIQUE",
        cost="fee",
        eligibility="",
        status="draft",
        zones=[world["kayes"]],
    )
    legal.languages.add(Language.objects.get(code="bm"))
    # Another organisation's service of the same name is not it.
    other = ServiceFactory(name="Assistance juridique")
    before = Service.objects.get(pk=legal.pk)

    plan = preview_import(kobo_content(), "kobo.xlsx", kobo_mapping, on_existing=on_existing)
    row = plan.rows[0]
    assert row.action == "update"
    changed = next(item for item in row.added if item.startswith("service ASSISTANCE"))
    assert "eligibility: Migrants de retour depuis moins de deux ans" in changed
    assert ("cost: free" in changed) is (on_existing == "overwrite")
    assert "languages: Soninké" in changed  # Bambara it has already
    _plan, batch = apply_import(
        kobo_content(), "kobo.xlsx", kobo_mapping, importer, on_existing=on_existing
    )

    legal.refresh_from_db()
    assert ame.services.count() == 2  # the shelter is new; legal aid is not doubled
    # Overwrite: the file's spelling wins, as for an organisation's name.
    assert legal.name == ("Assistance juridique" if on_existing == "overwrite" else before.name)
    assert legal.eligibility == "Migrants de retour depuis moins de deux ans"
    assert legal.cost == ("free" if on_existing == "overwrite" else "fee")
    assert legal.status == "draft"  # no status column: the mapping's default is for new ones
    assert sorted(legal.languages.values_list("code", flat=True)) == ["bm", "snk"]
    assert sorted(legal.zones.all(), key=lambda zone: zone.pk) == sorted(
        [world["kayes"], world["kayes_cercle"]], key=lambda zone: zone.pk
    )
    assert other.zones.count() == 0
    assert legal.history.first().history_type == "~"
    assert sorted(link.language.code for link in legal.history.first().languages.all()) == [
        "bm",
        "snk",
    ]

    undo_batch(batch, importer)

    legal.refresh_from_db()
    assert Service.objects.count() == 2
    assert (legal.eligibility, legal.cost) == (before.eligibility, before.cost)
    assert list(legal.languages.values_list("code", flat=True)) == ["bm"]
    assert list(legal.zones.all()) == [world["kayes"]]
    restored = legal.history.first()
    assert restored.history_change_reason == f"Undo of survey import #{batch.pk}"
    assert [link.language.code for link in restored.languages.all()] == ["bm"]
    assert not Organisation.objects.filter(name="Groupement des Femmes de Kayes").exists()


def test_skip_leaves_an_existing_organisations_services_alone(world, kobo_mapping, importer):
    ame = OrganisationFactory(name="Association Malienne des Expulsés")
    ServiceFactory(organisation=ame, name="Assistance juridique", cost="fee")

    plan = preview_import(kobo_content(), "kobo.xlsx", kobo_mapping, on_existing="skip")
    assert [row.action for row in plan.rows] == ["skipped", "new"]
    apply_import(kobo_content(), "kobo.xlsx", kobo_mapping, importer, on_existing="skip")

    assert list(ame.services.values_list("name", "cost")) == [("Assistance juridique", "fee")]
    assert Service.objects.count() == 2  # and the new organisation's one


def test_undo_removes_the_services_it_created_and_their_links(world, kobo_mapping, importer):
    _plan, batch = apply_import(kobo_content(), "kobo.xlsx", kobo_mapping, importer)

    undo_batch(batch, importer)

    assert Service.objects.count() == 0
    for relation in ("themes", "populations", "languages", "zones"):
        assert getattr(Service, relation).through.objects.count() == 0
    assert Service.history.filter(history_type="-").count() == 3


def test_undo_is_refused_when_an_imported_service_was_edited_since(world, kobo_mapping, importer):
    _plan, batch = apply_import(kobo_content(), "kobo.xlsx", kobo_mapping, importer)
    service = Service.objects.get(name="Écoute psychosociale")
    service.eligibility = "Toute personne"
    service.save()

    with pytest.raises(Exception, match="edited after this import"):
        undo_batch(batch, importer)
    assert Service.objects.count() == 3


def test_bad_service_answers_are_row_errors_that_name_the_sheet_and_change_nothing(
    world, kobo_mapping
):
    bad = {**LEGAL_AID, "services/publics": "marins", "services/cout": "cher"}
    formula = {**LISTENING, "services/description": '=HYPERLINK("http://x")'}
    orphan = {**SHELTER, "_parent_index": 9}
    nameless = {"services/langues": "Français", "_parent_index": 2}
    content = kobo_file(
        [(1, "Association A"), (2, "Association B")], [bad, formula, orphan, nameless]
    )

    plan = preview_import(content, "kobo.xlsx", kobo_mapping)

    first, second = plan.rows
    assert first.action == second.action == "error"
    assert [(p.row, p.column, p.header) for p in first.errors] == [
        (2, 6, "services: services/publics"),
        (2, 8, "services: services/cout"),
    ]
    assert first.errors[0].message.startswith("“marins” matches nothing known")
    assert first.errors[1].message.startswith("“cher” matches nothing known")
    assert second.errors[0].message.startswith("The cell holds a formula")
    assert plan.orphan_services == [4]
    assert second.notes == ["The service on row 5 of “services” has no name: not imported."]


def test_a_service_given_twice_for_one_organisation_is_an_error(world, kobo_mapping):
    content = kobo_file(
        [(1, "Association A")],
        [LEGAL_AID, {**SHELTER, "services/nom_service": "assistance JURIDIQUE"}],
    )

    row = preview_import(content, "kobo.xlsx", kobo_mapping).rows[0]

    assert row.action == "error"
    assert row.errors[0].message == (
        "The service “assistance JURIDIQUE” is given twice for this organisation."
    )


FRENCH_CSV_MAPPING = """
name: Questionnaire papier
country: ML
fields:
  name: Nom de l'organisation
services:
  - name: Service proposé
    populations: Public cible
    languages: Langues
    cost: Coût
    access: Accès
    zones: Zones du service
    themes: Domaine
  - name: Deuxième service
    populations: Public du deuxième service
"""


def french_csv(rows) -> bytes:
    header = [
        "Nom de l'organisation",
        "Service proposé",
        "Public cible",
        "Langues",
        "Coût",
        "Accès",
        "Zones du service",
        "Domaine",
        "Deuxième service",
        "Public du deuxième service",
    ]
    return csv_bytes([header, *rows], separator=";", encoding="cp1252")


def test_a_french_csv_names_catalogue_values_in_words_accents_and_case_aside(world, importer):
    mapping = ImportMapping.objects.create(
        name="Questionnaire papier", slug="papier", definition=FRENCH_CSV_MAPPING
    )
    content = french_csv(
        [
            [
                "Association des Rapatriés",
                "Accueil des rapatriés",
                "Migrants de retour, FEMMES",
                "bambara, FRANCAIS",
                "Gratuit",
                "Sans rendez-vous, par ligne téléphonique ou WhatsApp",
                "Cercle de Kayes",
                "droit et protection des ENFANTS",
                "Orientation des jeunes",
                "jeunes",
            ],
            ["Association sans service", "", "", "", "", "", "", "", "", ""],
        ]
    )

    plan = preview_import(content, "enquete.csv", mapping)
    assert plan.errors == []
    assert plan.unknown_columns == []
    apply_import(content, "enquete.csv", mapping, importer)

    organisation = Organisation.objects.get(name="Association des Rapatriés")
    welcome, youth = organisation.services.order_by("name")
    assert (welcome.name, welcome.cost, welcome.walk_in, welcome.by_phone) == (
        "Accueil des rapatriés",
        "free",
        True,
        True,
    )
    assert sorted(welcome.populations.values_list("slug", flat=True)) == [
        "femmes",
        "migrants-de-retour",
    ]
    assert sorted(welcome.languages.values_list("code", flat=True)) == ["bm", "fr"]
    assert list(welcome.zones.all()) == [world["kayes_cercle"]]
    assert list(welcome.themes.values_list("slug", flat=True)) == ["droit-protection-enfants"]
    assert (youth.name, list(youth.populations.values_list("slug", flat=True))) == (
        "Orientation des jeunes",
        ["jeunes"],
    )
    assert youth.status == welcome.status == "draft"
    assert not Organisation.objects.get(name="Association sans service").services.exists()


@pytest.mark.parametrize(
    ("services", "message"),
    [
        ({"sheet": "services"}, "“services” needs at least the column of the service's name."),
        ({"name": "n", "prix": "p"}, "“services”: unknown entries prix."),
        (
            {"name": "n", "cost": {"column": "c", "choices": {"g": "gratuit"}}},
            "Field “services: cost”: gratuit are not values of this field",
        ),
        (
            {"name": "n", "access": {"column": "a", "choices": {"rdv": "rendez-vous"}}},
            "Field “services: access”: rendez-vous are not values of this field",
        ),
        ({"name": "n", "cost": {"columns": ["a", "b"]}}, "“services: cost” takes one column"),
    ],
)
def test_mistakes_in_the_services_of_a_mapping_are_reported(services, message):
    text = json.dumps({"name": "m", "fields": {"name": "nom"}, "services": services})
    with pytest.raises(MappingError, match=message.replace("(", r"\(")):
        parse_mapping(text)


def _many(count: int, offset: int = 0):
    submissions = [(n + 1, f"Association numéro {offset + n}") for n in range(count)]
    services = [{**LEGAL_AID, "_parent_index": n + 1} for n in range(count)] + [
        {**SHELTER, "_parent_index": n + 1} for n in range(count)
    ]
    return kobo_file(submissions, services)


@pytest.mark.parametrize("rows", [5, 60])
def test_an_import_with_services_takes_the_same_number_of_queries_for_5_or_60_rows(
    world, kobo_mapping, django_assert_max_num_queries, rows
):
    existing = OrganisationFactory(name="Association numéro 0")
    ServiceFactory(organisation=existing, name="Assistance juridique")
    content = _many(rows)

    # The organisations' preview (test_import_apply), the people served the mapping's choices
    # name (checked), people served and languages, the matched organisations' services and
    # each of their four kinds of catalogue links.
    with django_assert_max_num_queries(27):
        plan = preview_import(content, "kobo.xlsx", kobo_mapping)
    assert plan.counts["new"] == rows - 1
    # The same preview again, then one insert per table and one for its history rows (on
    # PostgreSQL a COPY each, with one query per table to draw the new ids), and the links
    # of each history row: the services' history ids, then each relation's links; and one
    # looking for the KoboToolbox pull the file may come from (surveys/kobo).
    with django_assert_max_num_queries(68):
        _plan, batch = apply_import(content, "kobo.xlsx", kobo_mapping, None)
    assert Service.objects.count() == 2 * rows
    assert batch.created_counts()["services.Service"] == 2 * rows - 1
    assert PopulationGroup.objects.get(slug="enfants").services.count() == rows


def test_a_missing_service_column_stops_the_import_unless_marked_optional(world):
    definition = KOBO_MAPPING.replace("  eligibility: services/conditions\n", "").replace(
        "services/description", "services/descriptif"
    )
    mapping = ImportMapping.objects.create(name="m", slug="m", definition=definition)

    plan = preview_import(kobo_content(), "kobo.xlsx", mapping)

    assert plan.has_errors
    assert plan.missing_columns == [
        "The column “services/descriptif” (services: description) is not in the file; did you "
        "mean “services/description”? If the file may lack it, mark it “optional: true” in "
        "the mapping."
    ]
    mapping.definition = definition.replace(
        "description: services/descriptif",
        "description: {column: services/descriptif, optional: true}",
    )
    mapping.save()
    assert not preview_import(kobo_content(), "kobo.xlsx", mapping).has_errors

    without_sheet = kobo_file([(1, "Association A")], [])
    workbook_without = ImportMapping.objects.create(
        name="n", slug="n", definition=definition.replace("sheet: services", "sheet: prestations")
    )
    assert preview_import(without_sheet, "kobo.xlsx", workbook_without).missing_columns[0] == (
        "The sheet “prestations” (services: sheet) is not in the file. If the file may lack "
        "it, mark it “optional: true” in the mapping's services."
    )
    workbook_without.definition = workbook_without.definition.replace(
        "sheet: prestations", "sheet: prestations\n  optional: true"
    )
    workbook_without.save()
    assert not preview_import(without_sheet, "kobo.xlsx", workbook_without).has_errors


def test_services_choices_naming_nothing_are_refused_when_the_mapping_is_checked(world):
    from surveys.checking import validate_mapping

    definition = KOBO_MAPPING.replace("enfants: enfants", "enfants: mineurs-isoles")
    with pytest.raises(MappingError, match="services: populations: choices: enfants: "):
        validate_mapping(definition)
    assert validate_mapping(KOBO_MAPPING).services[0].sheet == "services"
