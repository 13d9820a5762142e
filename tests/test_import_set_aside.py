"""Valid rows need not wait: "apply the valid rows and set the others aside" (issue 16,
point 2), on the command line, in the admin and as a background job."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job
from organisations.models import ContactChannel, ContactPerson, Organisation, Theme
from surveys.models import ImportBatch
from surveys.undoing import undo_batch
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    csv_bytes,
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)

FORMULA = "=cmd|' /C calc'!A0"
NAME_COLUMN = "identification/nom_osc"
# Rows 5 and 6 of the file: a formula for a name, and no name at all. Both have contact
# persons on the repeat sheet, and phones written as people write them.
BAD_ROWS = [
    {
        NAME_COLUMN: FORMULA,
        "identification/telephones": "+223 66 00 11 22",
        "activites/zones": "Bamako",
        "activites/themes": "jeunes femmes",
        "_uuid": "uuid-formula",
        "contacts": [("Awa Keita", "Présidente", "+223 66 00 11 22", "awa@example.org")],
    },
    {
        NAME_COLUMN: "",
        "identification/sigle": "AJK",
        "identification/telephones": "76 45 12 31 / 66 12 34 57",
        "activites/zones": "Cercle de Diéma",
        "activites/themes/enfants": 1,
        "_uuid": "uuid-nameless",
        "contacts": [
            ("Moussa Camara", "Trésorier", "76 45 12 31", ""),
            ("Kadiatou Diallo", "Secrétaire", "", "k.diallo@example.org"),
        ],
    },
]
CORRECTED_NAMES = {
    "uuid-formula": "Association des Femmes de Bamako",
    "uuid-nameless": "Association des Jeunes de Kayes",
}


def run(*arguments):
    """A command, speaking English (the commands speak French by default)."""
    call_command(*arguments, "--language", "en")


def corrected(submission: dict) -> dict:
    name = CORRECTED_NAMES.get(submission.get("_uuid"))
    return {**submission, NAME_COLUMN: name} if name else submission


@pytest.fixture
def editor(client, django_user_model):
    """Staff with the import permission only (not a superuser)."""
    user = django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_survey"))
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def snapshot() -> list[tuple]:
    """Every organisation and its parts, as a user sees them (no ids, no dates)."""
    skipped = {"id", "created_at", "updated_at", "verified_at", "source_id"}
    result = []
    for org in Organisation.objects.order_by("name"):
        values = {k: v for k, v in org.__dict__.items() if not k.startswith("_")}
        result.append(
            (
                sorted((k, str(v)) for k, v in values.items() if k not in skipped),
                sorted(org.zones.values_list("name", flat=True)),
                sorted(org.themes.values_list("slug", flat=True)),
                sorted(
                    org.channels.values_list("kind", "value", "to_verify", "is_public", "position")
                ),
                sorted(org.contact_persons.values_list("name", "role", "phone", "email", "notes")),
                sorted(org.identifiers.values_list("scheme", "value")),
                sorted(org.aliases.values_list("name", flat=True)),
            )
        )
    return result


def read_xlsx(content: bytes) -> dict[str, list[list[str]]]:
    workbook = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [["" if v is None else str(v) for v in row] for row in sheet.values]
        for sheet in workbook.worksheets
    }


def correct_xlsx(content: bytes) -> bytes:
    """What staff do: open the set-aside file, write the missing names, save it."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    name, uuid = headers.index(NAME_COLUMN), headers.index("_uuid")
    for row in sheet.iter_rows(min_row=2):
        row[name].value = CORRECTED_NAMES[row[uuid].value]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_command_applies_the_valid_rows_and_writes_the_others_aside(
    world, mapping, tmp_path, capsys
):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))

    run("import_survey", str(path), "--mapping", "reference", "--set-aside")

    batch = ImportBatch.objects.get()
    out = capsys.readouterr().out
    aside_path = tmp_path / "kobo-set-aside.xlsx"
    assert f"Applied as import #{batch.pk}." in out
    assert f"3 rows applied, 2 set aside: written to {aside_path}" in out
    assert (batch.mode, batch.rows_applied, batch.rows_set_aside) == ("set_aside", 3, 2)
    assert Organisation.objects.count() == 3
    # The file on disk is the one the import keeps for download.
    with batch.set_aside_file.open("rb") as stored:
        assert stored.read() == aside_path.read_bytes()
    sheets = read_xlsx(aside_path.read_bytes())
    assert list(sheets) == ["Questionnaire OSC", "contacts"]
    main, contacts = sheets["Questionnaire OSC"], sheets["contacts"]
    original = read_xlsx(reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))
    # Same columns, plus the reason; the rows exactly as the file had them.
    assert main[0] == [*original["Questionnaire OSC"][0], "_reason set aside"]
    assert [row[:-1] for row in main[1:]] == original["Questionnaire OSC"][4:6]
    assert main[1][2] == FORMULA and main[1][9] == "+223 66 00 11 22"
    assert main[1][-1] == (
        "Row 5, column 3 (identification/nom_osc): The cell holds a formula "
        "(=cmd|' /C calc'!A0); paste values only."
    )
    assert (
        main[2][-1] == "Row 6, column 3 (identification/nom_osc): The organisation's name is empty."
    )
    # The contact persons of those rows come along, still pointing at their submission.
    assert contacts[0] == original["contacts"][0]
    assert contacts[1:] == original["contacts"][4:7]
    assert [row[6] for row in contacts[1:]] == ["4", "5", "5"]


def test_a_corrected_set_aside_file_imports_to_the_same_records_as_a_clean_file(
    world, mapping, tmp_path
):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))
    run("import_survey", str(path), "--mapping", "reference", "--set-aside")
    first = ImportBatch.objects.get()
    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(correct_xlsx((tmp_path / "kobo-set-aside.xlsx").read_bytes()))

    run("import_survey", str(fixed), "--mapping", "reference")

    second = ImportBatch.objects.exclude(pk=first.pk).get()
    assert (second.mode, second.rows_applied, second.rows_set_aside) == ("all", 2, 0)
    in_two_steps = snapshot()
    assert len(in_two_steps) == 5
    assert ContactPerson.objects.filter(name__in=["Awa Keita", "Kadiatou Diallo"]).count() == 2
    assert ContactChannel.objects.filter(value="+22366001122").exists()

    undo_batch(second, None)
    undo_batch(first, None)
    assert Organisation.objects.count() == 0
    clean = tmp_path / "clean.xlsx"
    clean.write_bytes(reference_export([corrected(s) for s in [*EXAMPLE_SUBMISSIONS, *BAD_ROWS]]))
    run("import_survey", str(clean), "--mapping", "reference")

    assert snapshot() == in_two_steps


def test_a_csv_is_set_aside_in_its_own_encoding_and_separator(world, mapping, tmp_path):
    header = ["Nom de l'organisation", "Sigle", "Téléphones"]
    rows = [
        ["Association Espérance de Kayes", "AEK", "+223 76 45 12 30"],
        ['=HYPERLINK("http://x")', "AFB", "+223 66 00 11 22"],
        ["Coopérative des Rapatriés", "", "76 45 12 31"],
    ]
    definition = (
        "fields:\n  name: Nom de l'organisation\n  acronym: Sigle\n  phones: Téléphones\n"
        "country: ML\n"
    )
    mapping.definition = definition
    mapping.save()
    path = tmp_path / "osc.csv"
    path.write_bytes(csv_bytes([header, *rows], encoding="cp1252"))

    run("import_survey", str(path), "--mapping", "reference", "--set-aside")

    aside = (tmp_path / "osc-set-aside.csv").read_bytes()
    lines = list(csv.reader(io.StringIO(aside.decode("cp1252")), delimiter=";"))
    assert lines[0] == [*header, "_reason set aside"]
    # The formula behind an apostrophe (opening the file does not run it), the phone as read.
    assert lines[1][:3] == ['\'=HYPERLINK("http://x")', "AFB", "+223 66 00 11 22"]
    assert len(lines) == 2
    assert Organisation.objects.count() == 2

    lines[1][0] = "Association des Femmes de Bamako"
    output = io.StringIO()
    csv.writer(output, delimiter=";").writerows(lines)
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(output.getvalue().encode("cp1252"))
    run("import_survey", str(fixed), "--mapping", "reference")

    org = Organisation.objects.get(acronym="AFB")
    assert org.name == "Association des Femmes de Bamako"
    assert list(org.channels.values_list("value", flat=True)) == ["+22366001122"]


def test_undo_after_a_set_aside_import_removes_what_it_wrote(world, mapping, tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))
    before = snapshot()
    run("import_survey", str(path), "--mapping", "reference", "--set-aside")
    batch = ImportBatch.objects.get()
    assert Organisation.objects.count() == 3

    run("undo_survey_import", str(batch.pk))

    batch.refresh_from_db()
    assert batch.status == "undone"
    assert snapshot() == before
    assert not ContactPerson.objects.exists()
    assert batch.set_aside_file  # still there to correct and import


def test_a_catalogue_entry_named_only_by_rows_set_aside_is_not_created(world, mapping, tmp_path):
    path = tmp_path / "kobo.xlsx"
    rows = [
        EXAMPLE_SUBMISSIONS[0],
        {NAME_COLUMN: "", "experience/partenaires": "Fondation Nouvelle", "_uuid": "x"},
    ]
    path.write_bytes(reference_export(rows))

    run(
        "import_survey", str(path), "--mapping", "reference", "--set-aside",
        "--allow-create", "partners", "themes",
    )  # fmt: skip

    assert Organisation.objects.count() == 1
    assert not Organisation.objects.filter(partners__name="Fondation Nouvelle").exists()
    from organisations.models import Partner

    assert not Partner.objects.filter(name="Fondation Nouvelle").exists()
    assert Theme.objects.count() == len(world["themes"])


def test_all_or_nothing_stays_the_default(world, mapping, tmp_path, capsys):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))

    with pytest.raises(CommandError, match="Rows in error: nothing was imported."):
        run("import_survey", str(path), "--mapping", "reference")

    hint = "3 rows are valid: --set-aside applies them and sets the others aside."
    assert hint in capsys.readouterr().out
    assert Organisation.objects.count() == 0
    assert not ImportBatch.objects.exists()
    assert not (tmp_path / "kobo-set-aside.xlsx").exists()


def test_a_dry_run_says_what_would_be_set_aside(world, mapping, tmp_path, capsys):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))

    run("import_survey", str(path), "--mapping", "reference", "--set-aside", "--dry-run")

    assert "3 rows would be applied, 2 set aside." in capsys.readouterr().out
    assert Organisation.objects.count() == 0


def test_a_file_of_rows_all_in_error_is_refused_even_with_set_aside(world, mapping, tmp_path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(reference_export(BAD_ROWS))

    with pytest.raises(CommandError, match="Every row is in error: nothing was imported."):
        run("import_survey", str(path), "--mapping", "reference", "--set-aside")

    assert not ImportBatch.objects.exists()


def _preview(client, mapping, content):
    return client.post(
        reverse("admin:surveys_import"),
        {
            "file": SimpleUploadedFile("kobo.xlsx", content),
            "mapping": mapping.pk,
            "on_existing": "fill",
        },
    )


def _confirm(client, preview, **fields):
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    return client.post(reverse("admin:surveys_import_confirm"), {"token": token, **fields})


def test_an_editor_sets_rows_aside_in_the_admin_and_downloads_them(editor, mapping, world):
    content = reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS])
    preview = _preview(editor, mapping, content)

    html = preview.content.decode()
    assert "Some rows cannot be imported. 3 rows can be imported." in html
    assert '<input type="radio" name="mode" value="all" checked>' in html
    assert '<input type="radio" name="mode" value="set_aside">' in html
    assert html.count('class="row-error"') == 2 and html.count('class="row-new"') == 3

    response = _confirm(editor, preview, mode="set_aside")

    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("admin:surveys_importbatch_change", args=[batch.pk])
    assert (batch.user.username, batch.rows_applied, batch.rows_set_aside) == ("awa", 3, 2)
    assert Organisation.objects.count() == 3
    page = editor.get(response["Location"]).content.decode()
    assert "2 rows in error were set aside" in page
    download_url = reverse("admin:surveys_import_set_aside", args=[batch.pk])
    assert download_url in page
    download = editor.get(download_url)
    assert download["Content-Disposition"] == 'attachment; filename="kobo-set-aside.xlsx"'
    main = read_xlsx(b"".join(download.streaming_content))["Questionnaire OSC"]
    assert [row[2] for row in main[1:]] == [FORMULA, ""]

    # Undo is the same as after any import.
    editor.post(reverse("admin:surveys_import_undo", args=[batch.pk]))
    assert Organisation.objects.count() == 0


def test_all_or_nothing_is_the_admin_default(editor, mapping, world):
    preview = _preview(editor, mapping, reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))

    response = _confirm(editor, preview, mode="all")

    assert Organisation.objects.count() == 0
    assert not ImportBatch.objects.exists()
    page = editor.get(response["Location"]).content.decode()
    assert "The file has rows in error; nothing was imported." in page


def test_the_set_aside_file_is_for_importers_only(
    editor, mapping, world, client, django_user_model
):
    preview = _preview(editor, mapping, reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))
    _confirm(editor, preview, mode="set_aside")
    batch = ImportBatch.objects.get()
    viewer = django_user_model.objects.create_user(username="v", password="x" * 12, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_importbatch"))
    client.force_login(viewer)

    response = client.get(reverse("admin:surveys_import_set_aside", args=[batch.pk]))

    assert response.status_code == 403


def test_a_background_import_sets_rows_aside_too(editor, mapping, world, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1
    preview = _preview(editor, mapping, reference_export([*EXAMPLE_SUBMISSIONS, *BAD_ROWS]))
    assert "it will be imported in the background" in preview.content.decode()

    response = _confirm(editor, preview, mode="set_aside")

    assert response["Location"] == reverse("admin:jobs_job_changelist")
    job = Job.objects.get()
    batch = ImportBatch.objects.get()
    assert job.status == "done"
    assert job.message == ("3 rows imported, 2 set aside (to download from the import's page).")
    assert (batch.mode, batch.rows_applied, batch.rows_set_aside) == ("set_aside", 3, 2)
    assert batch.set_aside_file
    assert Organisation.objects.count() == 3


def test_a_row_found_in_error_after_reading_is_set_aside_with_its_cells(world, mapping, tmp_path):
    """A second row for the same organisation is found in error once every row is read."""
    path = tmp_path / "kobo.xlsx"
    twice = {**EXAMPLE_SUBMISSIONS[2], "_uuid": "uuid-again", "identification/sigle": "GFRK"}
    path.write_bytes(reference_export([*EXAMPLE_SUBMISSIONS, twice]))

    run("import_survey", str(path), "--mapping", "reference", "--set-aside")

    main = read_xlsx((tmp_path / "kobo-set-aside.xlsx").read_bytes())["Questionnaire OSC"]
    original = read_xlsx(reference_export([*EXAMPLE_SUBMISSIONS, twice]))["Questionnaire OSC"]
    assert [row[:-1] for row in main[1:]] == [original[4]]
    assert main[1][-1] == "Row 5: Row 4 already describes this organisation; merge the two rows."
    assert Organisation.objects.count() == 3


def test_two_rows_with_one_index_are_not_given_the_same_contact_persons(world, mapping, tmp_path):
    """Repeat rows name their submission by _index: a second row with it is set aside."""
    path = tmp_path / "kobo.xlsx"
    workbook = load_workbook(io.BytesIO(reference_export(EXAMPLE_SUBMISSIONS[:2])))
    main = workbook.worksheets[0]
    headers = [cell.value for cell in main[1]]
    main.cell(row=3, column=headers.index("_index") + 1, value=1)  # the second row says 1 too
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())

    run("import_survey", str(path), "--mapping", "reference", "--set-aside")

    first = Organisation.objects.get()
    assert list(first.contact_persons.values_list("name", flat=True)) == ["Ousmane Diarra"]
    aside = read_xlsx((tmp_path / "kobo-set-aside.xlsx").read_bytes())["Questionnaire OSC"]
    assert aside[1][-1] == (
        "Row 3: An earlier row has the same _index (1): their repeat rows cannot be told apart."
    )
