"""A lean, streaming reader of XLSX worksheets (cell values only).

openpyxl's read-only mode builds a Python object per cell and, with defusedxml, parses
with the pure-Python ElementTree: about 40,000 cells a second. This reader streams the
XML through expat and keeps only text, about ten times faster, with the protections
defusedxml gives:

- a document type declaration (how entity-expansion "XML bombs" are built) is refused:
  worksheets by expat handlers that raise, the small parts before the chunk that holds
  one reaches the parser (XLSX parts never have one; a raw "<!" cannot occur in text);
- memory stays flat: rows are handed on as they are read.

Cells with a date number format (a date is a number of days in XLSX) are read as ISO 8601
text, "2022-03-01" or "2022-03-01T08:00:00" when the format shows the time; openpyxl's
rules say which formats are dates and how to count days.
"""

import datetime
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import XMLPullParser
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from common.numbers import is_plain_integer

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 256 * 1024


class UnsafeXML(ValueError):
    pass


def _events(archive: zipfile.ZipFile, name: str, tags: set[str]) -> Iterator:
    """("end", element) for the given tags, streaming; refuses any DTD."""
    parser = XMLPullParser(events=("end",))
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(marker in window.upper() for marker in _FORBIDDEN):
                raise UnsafeXML(name)
            tail = chunk[-16:]
            parser.feed(chunk)
            for _event, element in parser.read_events():
                if element.tag in tags:
                    yield element
    parser.close()


def sheet_paths(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order."""
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in _events(
            archive, "xl/_rels/workbook.xml.rels", {f"{PACKAGE_RELATIONSHIPS}Relationship"}
        )
    }
    sheets = []
    for sheet in _events(archive, "xl/workbook.xml", {f"{MAIN}sheet"}):
        target = targets.get(sheet.get(f"{RELATIONSHIPS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        sheets.append((sheet.get("name", ""), posixpath.normpath(path)))
    return sheets


class DateStyles:
    """Which cell styles (the ``s`` attribute) format a number as a date, and the epoch."""

    def __init__(self, archive: zipfile.ZipFile):
        self.epoch = CALENDAR_WINDOWS_1900
        self.with_time: dict[int, bool] = {}  # style index -> the format shows the time
        if "xl/workbook.xml" in archive.namelist():
            for properties in _events(archive, "xl/workbook.xml", {f"{MAIN}workbookPr"}):
                if properties.get("date1904") in ("1", "true"):
                    self.epoch = CALENDAR_MAC_1904
        if "xl/styles.xml" not in archive.namelist():
            return
        formats = dict(BUILTIN_FORMATS)
        tags = {f"{MAIN}numFmt", f"{MAIN}cellXfs"}
        for element in _events(archive, "xl/styles.xml", tags):
            if element.tag == f"{MAIN}numFmt":
                formats[int(element.get("numFmtId", -1))] = element.get("formatCode", "")
                continue
            for index, style in enumerate(element.iter(f"{MAIN}xf")):
                code = formats.get(int(style.get("numFmtId", 0)), "")
                if is_date_format(code):
                    self.with_time[index] = _shows_time(code)

    def text(self, style: int, value: str) -> str:
        """The ISO text of a date-formatted number (``value`` itself if it is not one)."""
        try:
            moment = from_excel(float(value), self.epoch)
        except (ValueError, OverflowError, TypeError):
            return value
        if not isinstance(moment, datetime.datetime):
            return value if moment is None else moment.isoformat()  # a time of day
        if self.with_time[style]:
            return moment.isoformat(timespec="seconds")
        return moment.date().isoformat()


def _shows_time(code: str) -> bool:
    # Hours or seconds outside quoted text and [colour]/[$-locale] brackets ("m" alone is months).
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]', "", code.lower())
    return "h" in bare or "s" in bare


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    text_tag, run_tag = f"{MAIN}t", f"{MAIN}r"
    for item in _events(archive, "xl/sharedStrings.xml", {f"{MAIN}si"}):
        # Plain text, or rich-text runs; phonetic hints (rPh) are not part of the value.
        parts = [child.text or "" for child in item if child.tag == text_tag]
        parts += [
            t.text or "" for run in item if run.tag == run_tag for t in run if t.tag == text_tag
        ]
        strings.append(unescape("".join(parts)))
        item.clear()
    return strings


def rows(
    archive: zipfile.ZipFile, path: str, strings: list[str], dates: DateStyles
) -> Iterator[tuple[int, list]]:
    """(row number, cell values) for each row present in the sheet; formulas as "=…",
    date-formatted numbers as ISO 8601 dates.

    Worksheets are the big parts, so they are read with expat callbacks rather than an
    element tree: one small state machine, text kept only inside <v>, <t> and <f>.
    """
    reader = _SheetReader(strings, dates)
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.buffer_text = True
    with archive.open(path) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            yield from reader.take_rows()
    parser.Parse(b"", True)
    yield from reader.take_rows()


# Excel writes characters XML cannot hold (carriage return, control codes) as _x000D_.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _refuse_dtd(*args):
    raise UnsafeXML("document type declaration")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _Names(dict):
    """Tag names ("c", "x:c") and column letters ("AB") met in a sheet, worked out once each:
    a worksheet has a few kinds of either and hundreds of thousands of cells."""

    def __init__(self, convert):
        super().__init__()
        self.convert = convert

    def __missing__(self, key: str):
        self[key] = value = self.convert(key)
        return value


_DIGITS = "0123456789"


class _SheetReader:
    def __init__(self, strings: list[str], dates: DateStyles):
        self.strings = strings
        self.dates = dates
        self.style = 0
        self.done: list[tuple[int, list]] = []
        self.cells: dict[int, str] = {}
        self.last_row = 0
        self.row_number = 0
        self.column = 0
        self.kind = "n"
        self.parts: list[str] | None = None
        self.value = ""
        self.formula: str | None = None
        self.tags = _Names(_local)
        self.columns = _Names(lambda letters: _column_index(letters, -1))
        self.styles = _Names(lambda style: int(style) if is_plain_integer(style) else 0)

    def take_rows(self) -> list[tuple[int, list]]:
        done, self.done = self.done, []
        return done

    def start(self, name: str, attributes: dict) -> None:
        tag = self.tags[name]
        if tag == "c":
            column = self.columns[attributes.get("r", "").rstrip(_DIGITS)]
            self.column = column if column >= 0 else len(self.cells)
            self.kind = attributes.get("t", "n")
            self.style = self.styles[attributes.get("s", "0")]
            self.value, self.formula = "", None
        elif tag in ("v", "t", "f"):
            self.parts = []
        elif tag == "row":
            self.row_number = int(attributes.get("r") or self.last_row + 1)
            self.cells = {}

    def text(self, data: str) -> None:
        if self.parts is not None:
            self.parts.append(data)

    def end(self, name: str) -> None:
        tag = self.tags[name]
        if tag in ("v", "t"):
            self.value += unescape("".join(self.parts))
            self.parts = None
        elif tag == "f":
            self.formula = "=" + "".join(self.parts)
            self.parts = None
        elif tag == "c":
            self.cells[self.column] = self._cell_value()
        elif tag == "row":
            self.last_row = self.row_number
            width = max(self.cells) + 1 if self.cells else 0
            self.done.append((self.row_number, [self.cells.get(i, "") for i in range(width)]))

    def _cell_value(self) -> str:
        if self.formula is not None:
            return self.formula
        value = self.value
        if self.kind == "s":
            return (
                self.strings[int(value)]
                if is_plain_integer(value) and int(value) < len(self.strings)
                else ""
            )
        if self.kind == "b":
            return "1" if value == "1" else "0"
        if self.kind == "n" and self.style in self.dates.with_time and value:
            return self.dates.text(self.style, value)
        if self.kind == "n" and value.endswith(".0"):
            return value[:-2]
        return value


def _column_index(reference: str, default: int) -> int:
    index = 0
    for char in reference:
        if not char.isalpha():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1 if index else default
