"""The rows set aside by an import, as a file to correct and import again.

It has the input's format and columns: an XLSX keeps its sheet names, headers and repeat
sheets (with the rows of the rows set aside only), a CSV its encoding and separator. Cells
are written as they were read, so that a corrected file imports to the same records as a
clean one; a last column, whose name starts with "_" (ignored by every mapping), says why
each row was set aside.
"""

import csv
import io
from collections.abc import Callable
from pathlib import PurePath

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from common.formulas import is_formula, neutralise
from surveys.planning.columns import parent_key
from surveys.planning.plan import ImportPlan, RowPlan
from surveys.reading import Sheet


def set_aside_rows(plan: ImportPlan) -> list[tuple[int, RowPlan]]:
    """(position in the sheet, from 1; row) of each row in error."""
    return [(position, row) for position, row in enumerate(plan.rows, start=1) if row.errors]


def set_aside_file(
    plan: ImportPlan, file_name: str, reason: Callable[[RowPlan], str]
) -> tuple[bytes, str]:
    """(content, file name) of the rows in error of ``plan``; ``reason(row)`` says why."""
    stem = PurePath(file_name).stem[:60] or "import"
    rows = set_aside_rows(plan)
    survey = plan.survey
    # After the last header, or after a cell that has none (itself a reason to set aside).
    width = max(len(plan.headers), *(len(row.cells) for _position, row in rows)) + 1
    header = _with_reason(plan.headers, width, _("_reason set aside"))
    main = [_with_reason(row.cells, width, reason(row)) for _position, row in rows]
    if survey.format == "csv":
        return _csv([header, *main], survey.encoding, survey.separator), f"{stem}-set-aside.csv"
    sheets = [(survey.main.name, [header, *main])]
    sheets += [(sheet.name, _repeat_rows(plan, sheet, rows)) for sheet in survey.repeats]
    return _xlsx(sheets), f"{stem}-set-aside.xlsx"


def _with_reason(cells: list[str], width: int, text: str) -> list[str]:
    return [*cells, *[""] * (width - 1 - len(cells)), text]


def _repeat_rows(plan: ImportPlan, sheet: Sheet, rows) -> list[list[str]]:
    """The sheet's rows that belong to the rows set aside, with their _parent_index.

    A repeat row names its submission by the main sheet's _index, or else by its position:
    positions change in the smaller file, so they are renumbered.
    """
    parent = sheet.headers.index("_parent_index")
    index = plan.headers.index("_index") if "_index" in plan.headers else None
    keys = {
        parent_key(row.cells, index, position): parent_key(row.cells, index, new)
        for new, (position, row) in enumerate(rows, start=1)
    }
    kept = [list(sheet.headers)]
    for _number, cells in sheet.rows:
        key = cells[parent] if parent < len(cells) else ""
        if key in keys:
            cells = list(cells) + [""] * (parent + 1 - len(cells))
            cells[parent] = keys[key]
            kept.append(cells)
    return kept


def _csv(rows: list[list[str]], encoding: str, separator: str) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, delimiter=separator or ";", lineterminator="\r\n")
    # A formula is what set its row aside: behind an apostrophe, opening the file does not
    # run it. Every other cell is written as read ("+223 66 00 11 22" stays a phone).
    writer.writerows([neutralise(c) if is_formula(c) else c for c in row] for row in rows)
    text = output.getvalue()
    if encoding == "utf-8-sig":
        return ("\ufeff" + text).encode("utf-8")
    return text.encode(encoding or "utf-8", errors="replace")


def _xlsx(sheets: list[tuple[str, list[list[str]]]]) -> bytes:
    workbook = Workbook(write_only=True)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for cells in rows:
            sheet.append([_text_cell(sheet, value) for value in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value: str):
    """A text cell, never a formula: "=…" stays text, as the reader gave it."""
    if value == "":
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
