"""manage.py import_survey, load_survey_mapping and undo_survey_import."""

import pytest
from django.core.management import CommandError, call_command

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from surveys.models import ImportBatch, ImportMapping
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    DATA,
    english_messages,
    mapping_fixture,
    reference_export,
    workbook_sheets,
    world_fixture,
)

MAPPING_FILE = str(DATA / "reference_mapping.yaml")


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export(EXAMPLE_SUBMISSIONS))
    return path


def test_a_dry_run_reports_and_writes_nothing(world, export, capsys):
    call_command(
        "import_survey", str(export), "--mapping", MAPPING_FILE, "--dry-run", "--language", "en"
    )

    out = capsys.readouterr().out
    assert "New: 3, Update: 0, Unchanged: 0, Skipped (exists): 0, Error: 0" in out
    assert "Dry run: nothing was written." in out
    assert Organisation.objects.count() == 0
    # Not even the mapping file: it is saved with an applied import.
    assert ImportMapping.objects.count() == 0


def test_a_mapping_file_is_saved_with_the_import_it_served(world, export):
    call_command("import_survey", str(export), "--mapping", MAPPING_FILE)

    batch = ImportBatch.objects.get()
    assert batch.mapping == ImportMapping.objects.get(slug="reference_mapping")


def test_it_applies_with_the_saved_mapping_and_the_chosen_options(
    world, mapping, export, django_user_model, capsys
):
    django_user_model.objects.create(username="awa")
    existing = OrganisationFactory(name="Association Malienne des Expulsés", year_founded=1990)

    call_command(
        "import_survey",
        str(export),
        "--mapping",
        "reference",
        "--on-existing",
        "overwrite",
        "--user",
        "awa",
        "--language",
        "en",
    )

    batch = ImportBatch.objects.get()
    assert f"Applied as import #{batch.pk}." in capsys.readouterr().out
    assert (batch.user.username, batch.on_existing) == ("awa", "overwrite")
    existing.refresh_from_db()
    assert existing.year_founded == 1996
    assert Organisation.objects.count() == 3


def test_rows_in_error_stop_the_command_and_are_written_out(world, mapping, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        reference_export([{"identification/nom_osc": "A", "activites/zones": "Atlantis"}])
    )
    errors = tmp_path / "errors.xlsx"

    with pytest.raises(CommandError, match="Rows in error: nothing was imported."):
        call_command(
            "import_survey",
            str(path),
            *("--mapping", "reference", "--errors-file", str(errors), "--language", "en"),
        )

    assert workbook_sheets(errors.read_bytes())["errors"][1][3] == (
        "Row 2, column 19 (activites/zones): “Atlantis” matches nothing known."
    )
    assert Organisation.objects.count() == 0


def test_a_suggestion_is_merged_only_when_confirmed(world, mapping, export, capsys):
    existing = OrganisationFactory(name="Association Malienne des Expulsées")
    call_command("import_survey", str(export), "--mapping", "reference", "--dry-run")
    assert f"ajoutez --confirm-match 2={existing.pk}" in capsys.readouterr().out

    call_command(
        "import_survey",
        str(export),
        "--mapping",
        "reference",
        "--confirm-match",
        f"2={existing.pk}",
    )
    assert Organisation.objects.count() == 3


def test_a_bad_file_or_mapping_is_a_clear_error(world, mapping, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="Le fichier est vide."):
        call_command("import_survey", str(empty), "--mapping", "reference")
    with pytest.raises(CommandError, match="No saved mapping has the code “nope”."):
        call_command("import_survey", str(empty), "--mapping", "nope", "--language", "en")


def test_undo_command(world, mapping, export):
    call_command("import_survey", str(export), "--mapping", "reference")
    batch = ImportBatch.objects.get()

    call_command("undo_survey_import", str(batch.pk))

    assert Organisation.objects.count() == 0
    with pytest.raises(CommandError, match="already undone"):
        call_command("undo_survey_import", str(batch.pk), "--language", "en")


def test_load_survey_mapping(world, capsys):
    call_command("load_survey_mapping", MAPPING_FILE, "--language", "en")
    assert "saved as reference_mapping" in capsys.readouterr().out
    assert ImportMapping.objects.get().name.startswith("Questionnaire de référence")


def test_a_file_over_the_limit_is_refused_before_it_is_read(world, mapping, export, settings):
    settings.SURVEY_IMPORT_MAX_BYTES = 100
    with pytest.raises(CommandError, match="over the size limit"):
        call_command("import_survey", str(export), "--mapping", "reference", "--language", "en")
