"""Survey files: each format and encoding is read; each kind of bad file is refused clearly."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from organisations.models import Organisation
from surveys.reading import FileRejected, read_survey_file
from surveys.service import preview_import
from tests.import_world import (  # noqa: F401
    csv_bytes,
    english_messages,
    mapping_fixture,
    world_fixture,
    xlsx,
)

HEADER = ["Nom de l'organisation", "Sigle", "Zones"]
ROW = ["Association Tilé-Coura pour l'Entraide", "ATCE", "Kayes; Bamako"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_it_reads_csv_in_every_encoding_and_separator(encoding, separator):
    rows = [HEADER, [ROW[0], ROW[1], ROW[2] if separator != ";" else "Kayes, Bamako"]]
    if separator == ",":
        rows[1][2] = '"Kayes, Bamako"'
    survey = read_survey_file(csv_bytes(rows, separator, encoding), "export.csv")

    assert survey.main.headers == HEADER
    assert list(survey.main.rows) == [
        (2, [ROW[0], "ATCE", "Kayes, Bamako" if separator != "\t" else ROW[2]])
    ]
    assert survey.separator == separator
    assert survey.encoding == encoding


def test_it_reads_a_kobo_workbook_with_its_repeat_sheet():
    workbook = Workbook()
    main = workbook.active
    main.append(["identification/nom_osc", "_index"])
    main.append(["AME", 1])
    contacts = workbook.create_sheet("contacts")
    contacts.append(["contacts/nom_contact", "_parent_index"])
    contacts.append(["Ousmane Diarra", 1])
    notes = workbook.create_sheet("notes")
    notes.append(["free text"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    survey = read_survey_file(buffer.getvalue(), "kobo.xlsx")

    assert list(survey.main.rows) == [(2, ["AME", "1"])]
    assert [sheet.name for sheet in survey.repeats] == ["contacts"]
    assert survey.repeats[0].rows == [(2, ["Ousmane Diarra", "1"])]


def test_it_reads_date_formatted_cells_as_iso_dates():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nom", "recepisse", "consentement", "_submission_time", "membres", "heure"])
    sheet.append(
        [
            "AME",
            datetime.date(2019, 2, 28),
            datetime.date(2024, 1, 5),
            datetime.datetime(2022, 3, 1, 8, 30, 15),
            44621,  # a plain number, not a date, though it could be one
            datetime.time(9, 45),
        ]
    )
    sheet["B2"].number_format = "dd/mm/yyyy"  # as French Excel shows it
    sheet["C2"].number_format = 'd" "mmmm" "yyyy'  # custom, with quoted text
    sheet["D2"].number_format = "yyyy-mm-dd hh:mm:ss"
    sheet["F2"].number_format = "hh:mm"
    buffer = io.BytesIO()
    workbook.save(buffer)

    survey = read_survey_file(buffer.getvalue(), "kobo.xlsx")

    assert list(survey.main.rows) == [
        (2, ["AME", "2019-02-28", "2024-01-05", "2022-03-01T08:30:15", "44621", "09:45:00"])
    ]


def _rejected(content: bytes, name="file.xlsx") -> str:
    with pytest.raises(FileRejected) as caught:
        # The main sheet's rows are streamed: the caps on rows are checked as they are read.
        list(read_survey_file(content, name).main.rows)
    return str(caught.value)


def test_it_refuses_an_empty_file():
    assert _rejected(b"") == "The file is empty."
    assert _rejected(b"\n\n  \n", "x.csv") == "The file is empty."


def test_it_refuses_a_file_that_is_not_a_spreadsheet():
    pdf = b"%PDF-1.4\n\x00\x01\x02binary"
    assert "not a spreadsheet" in _rejected(pdf, "report.pdf")


def test_it_refuses_a_password_protected_workbook():
    # Excel encrypts a protected .xlsx into an OLE2 compound document.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert "password-protected" in _rejected(ole)


def test_it_refuses_a_corrupt_workbook():
    good = xlsx([["name"], ["AME"]])
    assert "damaged" in _rejected(good[: len(good) // 2])


def test_it_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel workbook" in _rejected(buffer.getvalue())


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.SURVEY_IMPORT_MAX_BYTES = 1000
    message = _rejected(b"name\n" + b"x" * 2000, "big.csv")
    assert "the limit is 0.0 MB" in message


def test_it_refuses_a_workbook_that_expands_too_much(settings):
    # A zip bomb: small on disk, huge once inflated; refused before any XML is parsed.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * 5_000_000)
    settings.SURVEY_IMPORT_MAX_UNCOMPRESSED_BYTES = 1_000_000
    assert len(buffer.getvalue()) < 50_000
    assert "expands to 5 MB" in _rejected(buffer.getvalue())


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_it_refuses_an_xml_bomb(part):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet><sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([["name"]]))) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, bomb if item.filename == part else data)
    assert "refused for safety" in _rejected(buffer.getvalue())


def test_it_stops_after_a_long_run_of_empty_rows(settings):
    settings.SURVEY_IMPORT_MAX_EMPTY_ROWS = 50
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name"])
    sheet.append(["AME"])
    # A sheet "used" down to the last row Excel allows.
    sheet.cell(row=1_048_576, column=1, value="far below")
    buffer = io.BytesIO()
    workbook.save(buffer)

    survey = read_survey_file(buffer.getvalue(), "used.xlsx")

    assert list(survey.main.rows) == [(2, ["AME"])]
    assert survey.main.stopped_at == 1_048_576
    assert survey.stopped_early == ["Sheet"]


def test_it_refuses_too_many_rows_and_columns(settings):
    settings.SURVEY_IMPORT_MAX_ROWS = 3
    settings.SURVEY_IMPORT_MAX_COLUMNS = 4
    assert "more than 3 rows" in _rejected(csv_bytes([["a"]] + [["x"]] * 4), "x.csv")
    assert "more than 4 columns" in _rejected(csv_bytes([["a"] * 5]), "x.csv")


def test_a_header_that_matches_no_mapping_is_refused(world, mapping):
    content = csv_bytes([["Produit", "Prix"], ["Riz", "500"]])
    with pytest.raises(FileRejected) as caught:
        preview_import(content, "prices.csv", mapping)
    assert "the name column (identification/nom_osc / Nom de l'organisation) is missing" in str(
        caught.value
    )
    assert "Produit, Prix" in str(caught.value)


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://evil")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+cmd|'/c calc'!A1"],
)
def test_formulas_in_cells_are_row_errors_and_nothing_is_written(world, mapping, cell):
    content = csv_bytes(
        [["Nom de l'organisation", "Sigle"], ["Association A", "AA"], [cell, "BB"]], ","
    )
    plan = preview_import(content, "formulas.csv", mapping)

    assert plan.counts["error"] == 1
    problem = plan.errors[0]
    assert (problem.row, problem.column) == (3, 1)
    assert "holds a formula" in problem.message
    assert Organisation.objects.count() == 0


def test_a_formula_in_an_xlsx_cell_is_reported(world, mapping):
    content = xlsx([["Nom de l'organisation", "identification/nb"], ["Association A", "=1+1"]])
    plan = preview_import(content, "formulas.xlsx", mapping)
    assert "holds a formula (=1+1)" in plan.errors[0].message


def test_a_phone_number_with_a_plus_is_not_a_formula(world, mapping):
    content = csv_bytes(
        [
            ["Nom de l'organisation", "identification/telephones"],
            ["Association A", "+223 76 45 12 30"],
        ]
    )
    plan = preview_import(content, "phones.csv", mapping)
    assert not plan.has_errors
    assert plan.rows[0].links["channels"] == [("phone", "+22376451230", False, "", None, "")]
