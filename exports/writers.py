"""CSV and XLSX writers that keep memory flat whatever the number of rows.

CSV is produced as a generator of byte chunks for a StreamingHttpResponse: the header
leaves at once, then one chunk per few hundred rows. XLSX is written by openpyxl in
write-only mode to a temporary file (a zip cannot be sent before it is finished),
which is then streamed.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from common.formulas import DANGEROUS_FIRST, QUOTE, neutralise
from common.numbers import is_plain_integer
from common.phones import format_international
from exports.layouts import JOIN, Column, Layout
from exports.records import ExportLookups, OrganisationRecord
from exports.safety import is_plain_phone

BOM = "\ufeff"
SEPARATORS = {"comma": ",", "semicolon": ";"}
ROWS_PER_CHUNK = 500


def cell_text(value) -> str:
    """The text of a cell: ISO 8601 dates, plain numbers, empty for nothing."""
    if value.__class__ is str:  # most cells: the fast path
        return value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def is_phone_cell(text: str) -> bool:
    """E.164 numbers only (" ; "-joined): no spreadsheet runs them as formulas."""
    return bool(text) and all(is_plain_phone(p) for p in text.split(JOIN))


def table_rows(
    layout: Layout,
    columns: list[Column],
    records: Iterable[OrganisationRecord],
    catalogues: ExportLookups,
) -> Iterator[list[str]]:
    """Raw cell texts, row by row (numbered first when the layout says so)."""
    getters = [column.get for column in columns]
    for number, record in enumerate(records, start=1):
        values = [get(record, catalogues) for get in getters]
        # Most values are already text; cell_text() formats the others.
        cells = [v if v.__class__ is str else cell_text(v) for v in values]
        yield [str(number), *cells] if layout.numbered else cells


def headings(layout: Layout, columns: list[Column]) -> list[str]:
    names = [column.heading for column in columns]
    return [str(layout.numbered_label), *names] if layout.numbered else names


def hxl_tags(layout: Layout, columns: list[Column]) -> list[str]:
    tags = [column.hxl for column in columns]
    return ["", *tags] if layout.numbered else tags


class _Line:
    """A file-like object for csv.writer that hands back what was written."""

    def __init__(self):
        self.buffer = io.StringIO()

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_chunks(
    layout: Layout,
    columns: list[Column],
    records: Iterable[OrganisationRecord],
    catalogues: ExportLookups,
    separator: str = ",",
) -> Iterator[bytes]:
    """``layout``'s CSV: its headings (and hashtag row), then a row per record."""
    header_rows = [headings(layout, columns)]
    if layout.with_hxl:
        header_rows.append(hxl_tags(layout, columns))
    return csv_table_chunks(
        header_rows, table_rows(layout, columns, records, catalogues), separator
    )


def csv_table_chunks(
    header_rows: list[list[str]], rows: Iterable[list[str]], separator: str = ","
) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads the accents), in chunks.

    Every cell that a spreadsheet could run as a formula is neutralised (as
    ``common.formulas.neutralise`` does, inlined: this loop runs for every cell), phone
    numbers included: "+22320241122" becomes "'+22320241122".
    """
    line = _Line()
    writer = csv.writer(line, delimiter=separator, lineterminator="\r\n")
    writer.writerows(header_rows)
    yield (BOM + line.take()).encode()
    for count, row in enumerate(rows, start=1):
        writer.writerow([QUOTE + t if t[:1] in DANGEROUS_FIRST else t for t in row])
        if count % ROWS_PER_CHUNK == 0:
            yield line.take().encode()
    rest = line.take()
    if rest:
        yield rest.encode()


def write_xlsx(
    layout: Layout,
    columns: list[Column],
    records: Iterable[OrganisationRecord],
    catalogues: ExportLookups,
    title: str,
):
    """The workbook in a temporary file, rewound, for streaming.

    Whole numbers (row number, year, member counts) are number cells; every other cell
    is a text cell, so nothing is ever evaluated. Text starting with a formula character
    is still prefixed with an apostrophe (it would turn into a formula once edited),
    except E.164 phone numbers, written with Excel's "quote prefix" style: they show as
    "+22320241122" (or "+223 20 24 11 22" in a layout for people) and stay text when edited.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    # The row number, then each column: (is a number column, is a phone column).
    kinds = [(True, False)] if layout.numbered else []
    kinds += [(column.number, column.phone) for column in columns]
    sheet.append(headings(layout, columns))
    if layout.with_hxl:
        sheet.append(hxl_tags(layout, columns))
    for row in table_rows(layout, columns, records, catalogues):
        cells = []
        for (number, phone), text in zip(kinds, row, strict=True):
            if number and is_plain_integer(text):
                cells.append(int(text))
                continue
            if phone and is_phone_cell(text):
                if layout.readable_phones:
                    text = JOIN.join(map(format_international, text.split(JOIN)))
                cell = WriteOnlyCell(sheet, value=text)
                cell.quotePrefix = True
            else:
                cell = WriteOnlyCell(sheet, value=neutralise(text))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    workbook.save(output)
    output.seek(0)
    return output
