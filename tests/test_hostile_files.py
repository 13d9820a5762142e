"""Malformed and hostile survey files (tests/data/bad/): each one is refused by the import
(``manage.py import_survey``, which shares ``preview_import`` with the admin pages) with a
message in French that says what is wrong, and the database is exactly as it was: a full
``dumpdata``, every app and the history included, is the same before and after.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from surveys.models import ImportMapping
from surveys.service import preview_import
from tests.data.bad import make_bad_files
from tests.import_world import mapping_fixture, world_fixture  # noqa: F401

BAD = Path(make_bad_files.__file__).parent
COMMITTED = sorted(path.name for path in BAD.iterdir() if path.is_file() and path.suffix != ".py")

EMPTY = "Le fichier est vide."
NO_ROWS = "Le fichier a des en-têtes de colonnes mais aucune ligne de données"
STOPPED = "aucune ligne de données avant la ligne"
DAMAGED = "Le fichier XLSX est endommagé et ne peut pas être ouvert."
DTD = "Le classeur contient des constructions XML refusées par sécurité (une DTD)."
OLE2 = "C’est un classeur protégé par mot de passe ou un ancien fichier .xls."
NOT_SPREADSHEET = "Ce fichier n’est pas un tableur. Envoyez un classeur XLSX ou un fichier CSV."
ENCODING = "Ce fichier n’est pas un tableur, ou son encodage est inconnu."
FORMULA = "La cellule contient une formule (=cmd|' /C calc'!A0)"
TOO_MANY_COLUMNS = "a plus de 500 colonnes."
COMMAND_ROW = "Ligne 2, colonne 1 (Nom de l'organisation)\u00a0: "

EXPECTED = {
    "empty.csv": EMPTY,
    "empty.xlsx": EMPTY,
    "blank_lines.csv": EMPTY,
    "separators_only.csv": EMPTY,
    "header_only.csv": NO_ROWS,
    "header_only.xlsx": NO_ROWS,
    "million_empty_rows_compact.xlsx": STOPPED + " 1048576",
    "million_empty_rows.xlsx": STOPPED + " 1001",
    "million_empty_rows.csv": STOPPED + " 1001",
    "truncated.xlsx": DAMAGED,
    "zip_bomb_declared.xlsx": "Le classeur se décompresse en 3840 Mo de données",
    "zip_bomb.xlsx": (
        "Le classeur se décompresse en 210 Mo de données\u202f; la limite est de 200 Mo."
    ),
    "zip_lying_size.xlsx": DAMAGED,
    "xml_bomb_sheet.xlsx": DTD,
    "xml_bomb_shared_strings.xlsx": DTD,
    "external_entity.xlsx": DTD,
    "nul_in_sheet.xlsx": DAMAGED,
    "missing_sheet.xlsx": DAMAGED,
    "not_a_workbook.xlsx": "C’est une archive zip mais pas un classeur Excel (.xlsx).",
    "encrypted.xlsx": OLE2,
    "old_binary.xls": OLE2,
    "pdf_renamed.xlsx": NOT_SPREADSHEET,
    "pdf_renamed.csv": NOT_SPREADSHEET,
    "binary_junk.csv": ENCODING,
    "binary_junk.xlsx": NOT_SPREADSHEET,
    "utf16.csv": ENCODING,
    "mixed_encodings.csv": ENCODING,
    "nul_bytes.csv": NOT_SPREADSHEET,
    "cell_of_200000_characters.csv": NOT_SPREADSHEET,
    "ten_thousand_columns.csv": "La feuille « csv » " + TOO_MANY_COLUMNS,
    "ten_thousand_columns.xlsx": "La feuille « Feuil1 » " + TOO_MANY_COLUMNS,
    "header_matches_nothing.csv": (
        "la colonne du nom (identification/nom_osc / Nom de l'organisation) manque. "
        "Colonnes trouvées\u00a0: Produit, Prix, Quantité."
    ),
    "dde_formulas.csv": COMMAND_ROW + FORMULA,
    "formulas.xlsx": FORMULA,
    "markup_in_names.csv": (
        "La cellule contient du balisage HTML (<script>alert(1)</script>)\u202f; "
        "saisissez du texte simple."
    ),
    "overlong_name.csv": "Trop long\u00a0: 1011 caractères, 255 au plus.",
}


@pytest.fixture(name="directory")
def directory_fixture(world, mapping):
    """A directory with an organisation (and its history) that several files name."""
    return OrganisationFactory(
        name="Association Tilé-Coura pour l'Entraide",
        acronym="ATCE",
        status=Organisation.Status.PUBLISHED,
    )


def _dump() -> str:
    output = io.StringIO()
    call_command("dumpdata", format="json", indent=0, stdout=output)
    return output.getvalue()


def _import(path: Path) -> str:
    """What the command says when it refuses the file (the error and the lines before it)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with translation.override("fr"), pytest.raises(CommandError) as refused:
        call_command("import_survey", str(path), mapping="reference", stdout=stdout, stderr=stderr)
    return f"{refused.value}\n{stderr.getvalue()}"


@pytest.mark.parametrize("name", [*COMMITTED, *make_bad_files.LARGE])
def test_it_refuses_the_file_with_a_clear_message_and_changes_nothing(name, directory, tmp_path):
    if name in make_bad_files.LARGE:
        path = tmp_path / name
        path.write_bytes(make_bad_files.LARGE[name]())
    else:
        path = BAD / name
    before = _dump()

    message = _import(path)

    assert EXPECTED[name] in message
    assert _dump() == before


@pytest.mark.parametrize("name", COMMITTED)
def test_the_admin_upload_refuses_the_file_and_confirming_changes_nothing(
    name, directory, admin_client
):
    before = _dump()
    upload = SimpleUploadedFile(name, (BAD / name).read_bytes())

    response = admin_client.post(
        reverse("admin:surveys_import"),
        {"file": upload, "mapping": directory_mapping_pk(), "on_existing": "fill"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    # Django's form refuses an empty upload before the import reads it.
    expected = "Le fichier soumis est vide." if name.startswith("empty") else EXPECTED[name]
    assert escape(expected.removeprefix(COMMAND_ROW)) in html
    assert "Confirmer et importer" not in html
    assert "<script>alert(1)</script>" not in html
    token = re.search(r'name="token" value="([^"]+)"', html)
    if token:
        admin_client.post(reverse("admin:surveys_import_confirm"), {"token": token.group(1)})
    assert _dump() == before


def directory_mapping_pk() -> int:
    return ImportMapping.objects.get(slug="reference").pk


def test_the_corpus_has_every_kind_of_bad_file_and_each_is_checked():
    assert len(COMMITTED) + len(make_bad_files.LARGE) >= 25
    assert sorted(EXPECTED) == sorted([*COMMITTED, *make_bad_files.LARGE])


def test_the_committed_files_are_what_the_generator_makes(tmp_path):
    make_bad_files.main(tmp_path)
    for name in COMMITTED:
        assert (tmp_path / name).read_bytes() == (BAD / name).read_bytes(), name


def test_angle_brackets_that_are_not_markup_are_imported_as_written(directory, mapping):
    content = make_bad_files.csv(
        [make_bad_files.HEADER, ["Association << Espoir >> (< 5 ans)", "AE", "Kayes"]]
    )
    with translation.override("fr"):
        plan = preview_import(content, "guillemets.csv", mapping)

    assert not plan.has_errors
    assert plan.rows[0].name == "Association << Espoir >> (< 5 ans)"
