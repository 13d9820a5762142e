"""A mapping is saved only when valid (admin and command line), and the import's messages
speak one language: French by default, English on request; notes are counted by kind."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from surveys.mapping import MappingError
from surveys.models import ImportBatch, ImportMapping
from surveys.service import preview_import
from tests.import_world import (  # noqa: F401
    REFERENCE_MAPPING,
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)

WRONG_TARGET = REFERENCE_MAPPING.replace("jeunes: accompagnement-jeunes", "jeunes: accompagnement")


@pytest.fixture
def staff(client, django_user_model, db):
    user = django_user_model.objects.create_superuser(username="staff", password="x" * 12)
    client.force_login(user)
    return client


def test_the_admin_refuses_a_choice_target_that_names_nothing(staff, world):
    staff.cookies["django_language"] = "en"
    response = staff.post(
        reverse("admin:surveys_importmapping_add"),
        {"name": "X", "slug": "x", "definition": WRONG_TARGET},
    )

    assert response.status_code == 200
    assert (
        "fields: themes: choices: jeunes: “accompagnement” matches nothing known. Closest: "
        "Accompagnement de jeunes" in response.content.decode()
    )
    assert not ImportMapping.objects.exists()


def test_the_admin_speaks_french_by_default(staff, world):
    response = staff.post(
        reverse("admin:surveys_importmapping_add"),
        {"name": "X", "slug": "x", "definition": WRONG_TARGET},
    )
    html = response.content.decode()
    assert "« accompagnement » ne correspond à rien de connu" in html
    assert "matches nothing" not in html


def test_a_mapping_whose_country_is_not_a_zone_is_refused(world):
    from surveys.checking import validate_mapping

    with pytest.raises(MappingError, match="country: “XX” is not a country of the zones."):
        validate_mapping(REFERENCE_MAPPING.replace("country: ML", "country: XX"))


def test_a_command_line_run_checks_the_mapping_first_and_saves_nothing(world, tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([{"identification/nom_osc": "A"}]))
    mapping_file = tmp_path / "survey.yaml"
    mapping_file.write_text(WRONG_TARGET, encoding="utf-8")

    with pytest.raises(CommandError, match="fields\xa0: themes\xa0: choices\xa0: jeunes\xa0: "):
        call_command("import_survey", str(path), "--mapping", str(mapping_file))

    assert not ImportMapping.objects.exists()
    assert not Organisation.objects.exists()


def test_a_failed_command_line_run_saves_neither_the_mapping_nor_its_changes(
    world, mapping, tmp_path
):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([{"identification/nom_osc": "A", "activites/zones": "X"}]))
    mapping_file = tmp_path / "reference.yaml"
    mapping_file.write_text(REFERENCE_MAPPING.replace("level: highest", "level: region"))
    before = mapping.definition

    with pytest.raises(CommandError):
        call_command("import_survey", str(path), "--mapping", str(mapping_file))

    mapping.refresh_from_db()
    assert mapping.definition == before
    assert not ImportBatch.objects.exists()


def test_a_mapping_checked_on_save_is_checked_again_before_a_run(world, mapping):
    world["themes"]["accompagnement-jeunes"].delete()

    with pytest.raises(MappingError, match="jeunes: “accompagnement-jeunes” matches nothing"):
        preview_import(reference_export([{"identification/nom_osc": "A"}]), "k.xlsx", mapping)


def _run(tmp_path, submissions, *arguments, fail=False):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export(submissions))
    command = ["import_survey", str(path), "--mapping", "reference", "--dry-run", *arguments]
    if fail:
        with pytest.raises(CommandError) as refused:
            call_command(*command)
        return str(refused.value)
    call_command(*command)
    return ""


def test_the_command_speaks_french_by_default_and_english_on_request(
    world, mapping, tmp_path, capsys
):
    bad = [{"identification/nom_osc": "A", "historique/annee_creation": "vers 1990"}]
    error = _run(tmp_path, bad, fail=True)
    output = capsys.readouterr()
    assert error == "Lignes en erreur\xa0: rien n’a été importé."
    assert (
        "Ligne 2, colonne 13 (historique/annee_creation)\xa0: « vers 1990 » n’est pas un nombre"
        in output.err
    )
    assert "Erreur: 1" in output.out
    assert "row" not in output.err and "column" not in output.err

    error = _run(tmp_path, bad, "--language", "en", fail=True)
    output = capsys.readouterr()
    assert error == "Rows in error: nothing was imported."
    assert output.err.startswith(
        "Row 2, column 13 (historique/annee_creation): “vers 1990” is not a whole number"
    )


def test_undo_refused_speaks_one_language(world, mapping, tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([{"identification/nom_osc": "A"}]))
    call_command("import_survey", str(path), "--mapping", "reference")
    batch = ImportBatch.objects.get()
    call_command("undo_survey_import", str(batch.pk))

    with pytest.raises(CommandError) as refused:
        call_command("undo_survey_import", str(batch.pk))
    assert str(refused.value) == "Annulation refusée\xa0: Cet import a déjà été annulé."


def test_notes_are_counted_by_kind_and_listed_on_request(world, mapping, tmp_path, capsys):
    submissions = [
        {
            "identification/nom_osc": f"Association {n}",
            "identification/telephones": "12",
            "activites/zones": "Kayes",
        }
        for n in range(30)
    ]
    _run(tmp_path, submissions, "--language", "en")
    out = capsys.readouterr().out
    assert (
        "Notes: Phones kept as written, to verify: 30; Zones named at several levels, read at "
        "the highest: 30 (--notes lists them)." in out
    )
    assert "Row 2:" not in out

    _run(tmp_path, submissions, "--language", "en", "--notes")
    out = capsys.readouterr().out
    assert "Row 2: Phone “12” kept as written, to verify." in out
    assert out.count("kept as written") == 30


def test_verbosity_2_shows_each_field_s_difference(world, mapping, tmp_path, capsys):
    OrganisationFactory(name="Association A", year_founded=1990)
    submissions = [{"identification/nom_osc": "Association A", "historique/annee_creation": 1996}]

    _run(tmp_path, submissions, "--language", "en", "--on-existing", "overwrite")
    assert "1990" not in capsys.readouterr().out

    _run(tmp_path, submissions, "--language", "en", "--on-existing", "overwrite", "-v", "2")
    assert "Row 2: “Association A”, year founded: “1990” → “1996”" in capsys.readouterr().out


@pytest.fixture
def importer(client, django_user_model):
    user = django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_survey"))
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "counted"),
    [("en", "Phones kept as written, to verify"), ("fr", "Téléphones conservés tels quels")],
)
def test_the_preview_counts_notes_by_kind_in_the_user_s_language(
    importer, mapping, world, language, counted
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    importer.cookies["django_language"] = language
    content = reference_export([{"identification/nom_osc": "A", "identification/telephones": "12"}])
    response = importer.post(
        reverse("admin:surveys_import"),
        {
            "file": SimpleUploadedFile("kobo.xlsx", content),
            "mapping": mapping.pk,
            "on_existing": "fill",
        },
    )
    html = response.content.decode()
    assert 'id="note-counts"' in html
    assert counted in html
