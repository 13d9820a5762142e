"""Read an uploaded survey file (KoboToolbox XLSX or a CSV saved by a spreadsheet) into rows.

Every check that protects the server happens here: the upload size and the zip's declared
uncompressed size before anything is parsed (XML bombs are also refused by defusedxml,
which openpyxl uses when it is installed), then, as rows are read, a cap on rows and
columns and a stop after a long run of empty rows (sheets "used" down to row 1,048,576).

The main sheet's rows are streamed (read once, as the plan is built), so that a large file
is never held in memory as a whole; repeat sheets, which rows point into, are read in full.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from surveys import xlsx

ZIP_MAGIC = b"PK\x03\x04"
# Old .xls files and password-protected .xlsx files are both OLE2 compound documents.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_SEPARATORS = [";", ",", "\t"]
# Files people pick by mistake (a report, a picture, an archive), known by their first bytes.
OTHER_FORMATS_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# UTF-8 sequences of accented letters and typographic quotes: in a file that is not UTF-8
# as a whole, they mean lines saved in two encodings (read as cp1252 they would become "Ã©").
_UTF8_SEQUENCES = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]")


class FileRejected(Exception):
    """The file cannot be imported at all; the message says why, in the user's language."""


class RowStream:
    """A sheet's data rows read as they are iterated, once; true when there is one."""

    def __init__(self, first, rest: Iterator):
        self._first, self._rest = first, rest
        self._started = False

    def __bool__(self) -> bool:
        return self._first is not None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        if self._started:
            raise RuntimeError("A sheet's rows are streamed: they can be read once only.")
        self._started = True
        if self._first is not None:
            yield self._first
            self._first = None
            yield from self._rest


@dataclass
class Sheet:
    name: str
    headers: list[str]
    # (spreadsheet row number, cells as text), data rows only, header excluded: a list, or
    # for the main sheet of a file a RowStream.
    rows: list[tuple[int, list[str]]] | RowStream = field(default_factory=list)
    # Reading stopped at this row after a long run of empty rows (0: read to the end).
    stopped_at: int = 0


@dataclass
class SurveyFile:
    main: Sheet
    # KoboToolbox repeat groups: extra sheets whose rows point at the main sheet by _parent_index.
    repeats: list[Sheet] = field(default_factory=list)
    format: str = "xlsx"
    encoding: str = ""
    separator: str = ""

    @property
    def stopped_early(self) -> list[str]:
        return [sheet.name for sheet in [self.main, *self.repeats] if sheet.stopped_at]


def read_survey_file(content: bytes, file_name: str = "") -> SurveyFile:
    if len(content) > settings.SURVEY_IMPORT_MAX_BYTES:
        raise FileRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": round(len(content) / 1_048_576, 1),
                "limit": round(settings.SURVEY_IMPORT_MAX_BYTES / 1_048_576, 1),
            }
        )
    if not content.strip():
        raise FileRejected(_("The file is empty."))
    if content.startswith(OLE2_MAGIC):
        raise FileRejected(
            _(
                "This is a password-protected workbook or an old .xls file. Remove the "
                "password or save it as .xlsx (Excel 2007 or later), then try again."
            )
        )
    if content.startswith(ZIP_MAGIC):
        survey = _read_xlsx(content)
    elif content.startswith(OTHER_FORMATS_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRejected(
            _("This file is not a spreadsheet. Upload an XLSX workbook or a CSV file.")
        )
    else:
        survey = _read_csv(content)
    if not survey.main.rows and not survey.main.stopped_at:
        raise FileRejected(_("The file has column headers but no data rows."))
    if not survey.main.rows:
        raise FileRejected(
            _(
                "The file has column headers but no data rows before row %(row)s, where "
                "reading stopped after a long run of empty rows. Delete the empty rows."
            )
            % {"row": survey.main.stopped_at}
        )
    return survey


def _read_xlsx(content: bytes) -> SurveyFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        uncompressed = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise FileRejected(_("The XLSX file is damaged and cannot be opened.")) from None
    if "xl/workbook.xml" not in names:
        raise FileRejected(
            _("This is a zip archive but not an Excel workbook (.xlsx). Export the survey as XLSX.")
        )
    if uncompressed > settings.SURVEY_IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(
            _("The workbook expands to %(size)s MB of data; the limit is %(limit)s MB.")
            % {
                "size": round(uncompressed / 1_048_576),
                "limit": round(settings.SURVEY_IMPORT_MAX_UNCOMPRESSED_BYTES / 1_048_576),
            }
        )
    with _xlsx_errors():
        strings = xlsx.shared_strings(archive)
        dates = xlsx.DateStyles(archive)
        main, repeats = None, []
        for name, path in xlsx.sheet_paths(archive):
            rows = _xlsx_errors_in(xlsx.rows(archive, path, strings, dates))
            # The first sheet with a header is the main one; of the others, only repeat
            # groups (rows pointing at the main sheet by _parent_index) are read in full.
            sheet = _collect(name, rows)
            if main is None:
                main = sheet
            elif sheet is not None and "_parent_index" in sheet.headers:
                sheet.rows = list(sheet.rows)
                repeats.append(sheet)
    if main is None:
        raise FileRejected(_("The file is empty."))
    return SurveyFile(main=main, repeats=repeats, format="xlsx")


@contextmanager
def _xlsx_errors():
    """A broken part can fail in many ways (XML, zip, missing part): one message each."""
    try:
        yield
    except FileRejected:
        raise
    except xlsx.UnsafeXML:
        raise FileRejected(
            _("The workbook contains XML constructs that are refused for safety (a DTD).")
        ) from None
    except Exception:
        raise FileRejected(_("The XLSX file is damaged and cannot be opened.")) from None


def _xlsx_errors_in(rows: Iterator) -> Iterator:
    """``rows``, with the errors of a damaged part turned into FileRejected while streamed."""
    with _xlsx_errors():
        yield from rows


def _read_csv(content: bytes) -> SurveyFile:
    text, encoding = _decode(content)
    if "\x00" in text:
        raise FileRejected(
            _("This file is not a spreadsheet. Upload an XLSX workbook or a CSV file.")
        )
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    separator = max(CSV_SEPARATORS, key=first_line.count)
    if first_line.count(separator) == 0:
        separator = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    sheet = _collect("csv", _csv_errors_in(enumerate(reader, start=1)))
    if sheet is None:
        raise FileRejected(_("The file is empty."))
    return SurveyFile(main=sheet, format="csv", encoding=encoding, separator=separator)


def _csv_errors_in(rows: Iterator) -> Iterator:
    try:
        yield from rows
    except csv.Error:
        raise FileRejected(
            _("This file is not a spreadsheet. Upload an XLSX workbook or a CSV file.")
        ) from None


def _decode(content: bytes) -> tuple[str, str]:
    unknown = FileRejected(
        _(
            "This file is not a spreadsheet, or its text encoding is unknown. Save it as "
            "CSV UTF-8 or as XLSX."
        )
    )
    if content.startswith(UTF16_BOMS):
        raise unknown
    try:
        if content.startswith(b"\xef\xbb\xbf"):
            return content[3:].decode("utf-8"), "utf-8-sig"
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if content.startswith(b"\xef\xbb\xbf") or _UTF8_SEQUENCES.search(content):
            raise unknown from None
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise unknown from None


def _collect(name: str, rows: Iterator) -> Sheet | None:
    """Header = first non-empty row, then the data rows as a RowStream.

    ``rows`` gives (row number, values); rows absent from a worksheet count as empty.
    """
    sheet = Sheet(name=name, headers=[])
    data = _data_rows(sheet, rows)
    first = next(data, None)  # reads the header, and the first data row if there is one
    if not sheet.headers:
        return None
    sheet.rows = RowStream(first, data)
    return sheet


def _data_rows(sheet: Sheet, rows: Iterator) -> Iterator[tuple[int, list[str]]]:
    """Sets the sheet's headers, yields its data rows until the caps say stop (and then
    sets ``stopped_at`` when a long run of empty rows stopped it)."""
    max_rows = settings.SURVEY_IMPORT_MAX_ROWS
    max_columns = settings.SURVEY_IMPORT_MAX_COLUMNS
    max_empty = settings.SURVEY_IMPORT_MAX_EMPTY_ROWS
    name = sheet.name
    count = 0
    previous = 0
    empty_run = 0
    for number, raw in rows:
        cells = [value.strip() for value in raw]
        while cells and not cells[-1]:
            cells.pop()
        empty_run += number - previous - 1
        previous = number
        if not cells:
            empty_run += 1
        if empty_run >= max_empty:
            sheet.stopped_at = number
            return
        if not cells:
            continue
        empty_run = 0
        if len(cells) > max_columns:
            raise FileRejected(
                _("The sheet “%(sheet)s” has more than %(limit)s columns.")
                % {"sheet": name, "limit": max_columns}
            )
        if not sheet.headers:
            sheet.headers = cells
            continue
        count += 1
        if count > max_rows:
            raise FileRejected(
                _("The sheet “%(sheet)s” has more than %(limit)s rows. Split the file.")
                % {"sheet": name, "limit": max_rows}
            )
        yield number, cells
