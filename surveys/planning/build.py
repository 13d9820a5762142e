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
from surveys.planning.reconciling import _decide, _ExistingState, _Matcher
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
    builder = _RowBuilder(survey.main, mapping, columns, catalogues, allow_create)
    matcher = _Matcher(
        OrganisationIndex(mapping.identifier_scheme), builder.identifiers, confirmed_matches or {}
    )
    # The main sheet's rows are streamed: each is read, built and matched, and only its
    # plan is kept (its cells too while it is in error, to be written out again).
    rows = []
    unclaimed = set(columns.contacts_by_parent)  # repeat rows whose submission is not met yet
    for position, (number, cells) in enumerate(survey.main.rows, start=1):
        row = builder.build(position, number, cells)
        matcher.match(row)
        if not row.errors:
            row.cells = []
        rows.append(row)
        unclaimed.discard(parent_key(cells, columns.index_column, position))
    del matcher  # the directory's index: not needed any more
    matched = [row for row in rows if row.organisation_id]
    existing = _ExistingState.load(
        {row.organisation_id for row in matched},
        mapping.fields,
        set().union(*(row.values for row in matched)),
    )
    describer = RowDescriber(catalogues)
    for row in rows:
        _decide(row, existing, on_existing, mapping, catalogues, describer)
    _keep_repeat_rows_in_error(survey, rows, columns.index_column)
    return ImportPlan(
        mapping=mapping,
        survey=survey,
        rows=rows,
        unknown_columns=_unknown_columns(survey, mapping, columns),
        orphan_contacts=_orphan_contacts(columns, unclaimed),
        missing_columns=missing,
        creations=builder.creations,
        on_existing=on_existing,
    )


def _keep_repeat_rows_in_error(survey: SurveyFile, rows, index_column: int | None) -> None:
    """Repeat sheets keep only the rows of rows in error (set aside with them)."""
    keys = {
        parent_key(row.cells, index_column, position)
        for position, row in enumerate(rows, start=1)
        if row.errors
    }
    for sheet in survey.repeats:
        parent = sheet.headers.index("_parent_index")
        sheet.rows = [
            (number, cells)
            for number, cells in sheet.rows
            if (cells[parent] if parent < len(cells) else "") in keys
        ]
