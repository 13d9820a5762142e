"""The plan of a survey file: its columns located, each row built, matched and decided."""

from django.utils.translation import gettext as _

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
from surveys.planning.plan import ImportPlan, OnExisting, Problem
from surveys.planning.reconciling import _decide, _ExistingState, _Matcher
from surveys.planning.rows import _RowBuilder
from surveys.planning.services import ServicePlanner
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
    services = ServicePlanner(survey, mapping, catalogues)
    matcher = _Matcher(
        OrganisationIndex(mapping.identifier_scheme), builder.identifiers, confirmed_matches or {}
    )
    # The main sheet's rows are streamed: each is read, built and matched, and only its
    # plan is kept (its cells too while it is in error, to be written out again).
    # The contact sheet's rows are held by submission (columns.contacts_by_parent) and
    # let go once their submission is read, unless it is in error.
    contact_sheet = columns.contact_sheet
    if contact_sheet is not None and contact_sheet is not survey.main:
        contact_sheet.rows = []
    rows = []
    unclaimed = set(columns.contacts_by_parent)  # repeat rows whose submission is not met yet
    claimed: set[str] = set()  # submissions whose repeat rows were read
    for position, (number, cells) in enumerate(survey.main.rows, start=1):
        row = builder.build(position, number, cells)
        key = parent_key(cells, columns.index_column, position)
        if key in claimed:
            row.errors.append(_same_parent(row, key))
        elif key in columns.contacts_by_parent:
            claimed.add(key)
        matcher.match(row)
        services.read(row, key)
        if not row.errors:
            row.cells = []
            columns.contacts_by_parent.pop(key, None)
        rows.append(row)
        unclaimed.discard(key)
    del claimed
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
    services.reconcile(rows, on_existing)
    _keep_repeat_rows_in_error(survey, rows, columns)
    return ImportPlan(
        mapping=mapping,
        survey=survey,
        rows=rows,
        unknown_columns=services.unknown_columns(_unknown_columns(survey, mapping, columns)),
        orphan_contacts=_orphan_contacts(columns, unclaimed),
        orphan_services=services.orphans(),
        missing_columns=missing + services.missing,
        creations=builder.creations,
        on_existing=on_existing,
    )


def _same_parent(row, key: str) -> Problem:
    # Repeat rows (contact persons) name their submission by _index: two rows with one
    # _index cannot both have them.
    return Problem(
        row.row,
        None,
        "",
        _("An earlier row has the same _index (%(index)s): their repeat rows cannot be told apart.")
        % {"index": key},
    )


def _keep_repeat_rows_in_error(survey: SurveyFile, rows, columns) -> None:
    """Repeat sheets keep only the rows of rows in error (set aside with them)."""
    keys = {
        parent_key(row.cells, columns.index_column, position)
        for position, row in enumerate(rows, start=1)
        if row.errors
    }
    for sheet in survey.repeats:
        if sheet is columns.contact_sheet:
            kept = [r for key in keys for r in columns.contacts_by_parent.get(key, [])]
            sheet.rows = sorted(kept, key=lambda numbered: numbered[0])
            continue
        parent = sheet.headers.index("_parent_index")
        sheet.rows = [
            (number, cells)
            for number, cells in sheet.rows
            if (cells[parent] if parent < len(cells) else "") in keys
        ]
