"""The one code path the admin pages and ``manage.py import_survey`` share."""

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import PatternFill

from common.formulas import DANGEROUS_FIRST
from surveys.applying import apply_plan
from surveys.checking import validate_mapping
from surveys.mapping import CREATABLE, MappingError
from surveys.models import ImportBatch, ImportMapping
from surveys.planning.build import build_plan
from surveys.planning.plan import Action, ImportPlan, Problem
from surveys.reading import read_survey_file
from surveys.set_aside import set_aside_file


def file_checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def is_mapping_file(reference: str) -> bool:
    """``reference`` names a YAML or JSON file (else the code of a saved mapping)."""
    return Path(reference).suffix.lower() in {".yaml", ".yml", ".json"}


def load_mapping(reference: str, save: bool = True) -> ImportMapping:
    """A saved mapping by its code, or a YAML/JSON file checked, then saved (or updated) under
    its name; with ``save=False`` the caller saves it (``apply_import(save_mapping=True)``
    saves it with the import it served, so a failed run saves nothing)."""
    path = Path(reference)
    if is_mapping_file(reference):
        try:
            definition = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise MappingError(
                _("Cannot read the mapping file %(path)s.") % {"path": path}
            ) from None
        parsed = validate_mapping(definition)
        slug = slugify(path.stem)[:80]
        mapping = ImportMapping.objects.filter(slug=slug).first() or ImportMapping(slug=slug)
        mapping.name = parsed.name or path.stem
        mapping.definition = definition
        if save:
            mapping.save()
        return mapping
    mapping = ImportMapping.objects.filter(slug=reference).first()
    if mapping is None:
        raise MappingError(_("No saved mapping has the code “%(code)s”.") % {"code": reference})
    return mapping


def preview_import(
    content: bytes,
    file_name: str,
    mapping: ImportMapping,
    on_existing: str = ImportBatch.OnExisting.FILL,
    allow_create: tuple[str, ...] = (),
    confirmed_matches: dict[int, int] | None = None,
) -> ImportPlan:
    """Read the file and plan every row. Raises FileRejected or MappingError."""
    survey = read_survey_file(content, file_name)
    return build_plan(
        survey,
        mapping.parsed(),
        on_existing=on_existing,
        allow_create=tuple(kind for kind in allow_create if kind in CREATABLE),
        confirmed_matches=confirmed_matches,
    )


class PlanChanged(Exception):
    """The directory changed between the preview and the confirmation."""


def apply_import(
    content: bytes,
    file_name: str,
    mapping: ImportMapping,
    user,
    on_existing: str = ImportBatch.OnExisting.FILL,
    allow_create: tuple[str, ...] = (),
    confirmed_matches: dict[int, int] | None = None,
    previewed: str = "",
    progress: Callable[[int, int], None] | None = None,
    save_mapping: bool = False,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
) -> tuple[ImportPlan, ImportBatch]:
    """Plan again and apply, all or nothing, or (``mode`` SET_ASIDE) the valid rows, the
    others kept with the import as a file to correct (``batch.set_aside_file``).

    ``previewed`` is the fingerprint of the plan the user saw: if the directory moved
    since (someone else imported or edited), nothing is written and PlanChanged is raised.
    """
    plan = preview_import(content, file_name, mapping, on_existing, allow_create)
    if previewed and plan.fingerprint() != previewed:
        raise PlanChanged(
            _("The directory changed since the preview; check the new preview and confirm again.")
        )
    if confirmed_matches:
        plan = preview_import(
            content, file_name, mapping, on_existing, allow_create, confirmed_matches
        )
    batch = apply_plan(
        plan,
        mapping=mapping,
        user=user,
        file_name=file_name,
        checksum=file_checksum(content),
        allow_create=allow_create,
        progress=progress,
        save_mapping=save_mapping,
        mode=mode,
    )
    if batch.rows_set_aside:
        content, name = set_aside_file(
            plan, file_name, lambda row: " | ".join(map(describe, row.errors))
        )
        batch.set_aside_file.save(f"{batch.pk}-{name}", ContentFile(content))
    return plan, batch


def set_aside_hint(plan: ImportPlan, mode: str) -> str:
    """On the command line, when --set-aside would apply the valid rows: says how many."""
    valid = len(plan.rows) - plan.counts[Action.ERROR]
    all_or_nothing = mode != ImportBatch.Mode.SET_ASIDE
    if plan.has_errors and valid and not plan.missing_columns and all_or_nothing:
        return _(
            "%(count)s rows are valid: --set-aside applies them and sets the others aside."
        ) % {"count": valid}
    return ""


def refusal(plan: ImportPlan, mode: str) -> str:
    """Why the command line applies nothing of ``plan`` in ``mode`` ("" when it applies)."""
    if not plan.has_errors:
        return ""
    if plan.missing_columns or mode != ImportBatch.Mode.SET_ASIDE:
        return _("Rows in error: nothing was imported.")
    if plan.counts[Action.ERROR] == len(plan.rows):
        return _("Every row is in error: nothing was imported.")
    return ""


def where(row: int, column: int | None = None, header: str = "") -> str:
    """ "Row 5, column 19 (Sigle)" in the user's language, as every import message says it."""
    if column:
        return _("Row %(row)s, column %(column)s (%(header)s)") % {
            "row": row,
            "column": column,
            "header": header,
        }
    return _("Row %(row)s") % {"row": row}


def describe(problem: Problem, row: int | None = None) -> str:
    """ "Row 5, column 19 (Sigle): message"; ``row`` when the row is counted in another file."""
    place = where(problem.row if row is None else row, problem.column, problem.header)
    return _("%(where)s: %(message)s") % {"where": place, "message": problem.message}


def error_rows_file(plan: ImportPlan) -> bytes:
    """The rows in error as the file had them, to correct and import again: an XLSX workbook.

    Cells are written as text cells, not as CSV: a phone "+223 66 00 11 22" or a formula
    "=A1" comes back exactly (a CSV needs an apostrophe before them, which a re-import would
    keep; Excel's "quotePrefix" style is its apostrophe that is not part of the value). The
    main sheet keeps every column in place, the cells in error filled in yellow; each repeat
    sheet keeps the rows of the rows in error (their contact persons, say); a last sheet
    lists what is wrong, by row of this file and of the original one.
    """
    survey = plan.survey
    workbook = Workbook(write_only=True)
    main = workbook.create_sheet(survey.main.name if survey.format == "xlsx" else "survey")
    main.append(_text_cells(main, survey.main.headers))
    in_error = [row for row in plan.rows if row.errors]
    new_rows = {row.row: number for number, row in enumerate(in_error, start=2)}
    index = survey.main.headers.index("_index") if "_index" in survey.main.headers else None
    # Repeat rows point at their submission by its _index, else by its position.
    parents: dict[str, str] = {}
    for position, row in enumerate(plan.rows, start=1):
        if row.errors:
            key = row.cells[index] if index is not None and index < len(row.cells) else ""
            parents[key if index is not None else str(position)] = (
                key if index is not None else str(len(parents) + 1)
            )
    for row in in_error:
        marked = {problem.column - 1 for problem in row.errors if problem.column}
        main.append(_text_cells(main, row.cells, marked))
    repeat_rows: dict[tuple[str, int], int] = {}
    for sheet in survey.repeats:
        repeat = workbook.create_sheet(sheet.name)
        repeat.append(_text_cells(repeat, sheet.headers))
        parent = sheet.headers.index("_parent_index")
        written = 1
        for number, cells in sheet.rows:
            key = cells[parent] if parent < len(cells) else ""
            if key in parents:
                cells = [*cells]
                cells[parent] = parents[key]
                written += 1
                repeat_rows[(sheet.name, number)] = written
                repeat.append(_text_cells(repeat, cells))
    problems = workbook.create_sheet(_("errors"))
    problems.append(
        _text_cells(problems, [_("sheet"), _("row"), _("row of the original file"), _("error")])
    )
    for message in plan.missing_columns:  # the mapping's, not a row's
        problems.append(_text_cells(problems, [main.title, "", "", message]))
    for row in in_error:
        for problem in row.errors:
            sheet_name = problem.header if (problem.header, problem.row) in repeat_rows else ""
            if sheet_name:
                here = repeat_rows[(sheet_name, problem.row)]
                text = problem.message
            else:
                sheet_name, here = main.title, new_rows[row.row]
                text = describe(problem, here)
            problems.append(_text_cells(problems, [sheet_name, str(here), str(problem.row), text]))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


_MARKED = PatternFill("solid", fgColor="FFFF00")


def _text_cells(sheet, values: list[str], marked: set[int] = frozenset()) -> list[WriteOnlyCell]:
    cells = []
    for position, value in enumerate(values):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula nor a number: the text as the file had it
        if value[:1] in DANGEROUS_FIRST:
            cell.quotePrefix = True
        if position in marked:
            cell.fill = _MARKED
        cells.append(cell)
    return cells
