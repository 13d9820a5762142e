"""The plan of a survey file: its columns located, each row built, matched and decided."""

from surveys.catalogues import load_catalogues
from surveys.checking import check_targets
from surveys.mapping import Mapping
from surveys.matching import OrganisationIndex
from surveys.planning.columns import (
    _locate_columns,
    _orphan_contacts,
    _unknown_columns,
    parent_key,
)
from surveys.planning.labels import RowDescriber
from surveys.planning.plan import ImportPlan, OnExisting
from surveys.planning.reconciling import _decide, _ExistingState, _match
from surveys.planning.rows import _RowBuilder
from surveys.reading import SurveyFile


def build_plan(
    survey: SurveyFile,
    mapping: Mapping,
    on_existing: str = OnExisting.FILL,
    allow_create: tuple[str, ...] = (),
    confirmed_matches: dict[int, int] | None = None,
) -> ImportPlan:
    """Read every row against the catalogues and the existing organisations; no writes."""
    columns, missing = _locate_columns(survey, mapping)
    catalogues = load_catalogues(mapping.country, mapping.fields)
    # The catalogues may have changed since the mapping was saved.
    check_targets(mapping, catalogues)
    index = OrganisationIndex(mapping.identifier_scheme)
    builder = _RowBuilder(survey.main, mapping, columns, catalogues, allow_create)
    # The main sheet's rows are streamed: each is read, built, and only its plan is kept,
    # with its cells packed into one string (a row can still be found in error, by _match
    # or _decide, and then be written out again).
    rows = []
    packed = []
    parent_keys = set()
    for position, (number, cells) in enumerate(survey.main.rows, start=1):
        row = builder.build(position, number, cells)
        rows.append(row)
        packed.append(None if row.errors else _pack(cells))
        if not row.errors:
            row.cells = []
        parent_keys.add(parent_key(cells, columns.index_column, position))
    _match(rows, index, builder.identifiers, confirmed_matches or {})
    existing = _ExistingState.load(
        {row.organisation_id for row in rows if row.organisation_id}, mapping.fields
    )
    describer = RowDescriber(catalogues)
    for row, cells in zip(rows, packed, strict=True):
        _decide(row, existing, on_existing, mapping, catalogues, describer)
        if row.errors and cells is not None:
            row.cells = cells.split(_SEPARATOR) if isinstance(cells, str) else cells
    return ImportPlan(
        mapping=mapping,
        survey=survey,
        rows=rows,
        unknown_columns=_unknown_columns(survey, mapping, columns),
        orphan_contacts=_orphan_contacts(columns, parent_keys),
        missing_columns=missing,
        creations=builder.creations,
        on_existing=on_existing,
    )


# Cells hold no NUL (XML cannot, the CSV reader refuses it), but for "_x0000_" in a workbook.
_SEPARATOR = "\x00"


def _pack(cells: list[str]) -> str | list[str]:
    """The cells as one string (a tenth of the memory), or as they are if one holds a NUL."""
    joined = _SEPARATOR.join(cells)
    return joined if joined.count(_SEPARATOR) == len(cells) - 1 else cells
