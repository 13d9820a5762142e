"""The plan of a survey file: its columns located, each row built, matched and decided."""

from surveys.catalogues import load_catalogues
from surveys.checking import check_targets
from surveys.mapping import Mapping
from surveys.matching import OrganisationIndex
from surveys.planning.columns import _locate_columns, _orphan_contacts, _unknown_columns
from surveys.planning.plan import ImportPlan, OnExisting
from surveys.planning.reconciling import _decide, _ExistingState, _match
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
    index = OrganisationIndex(mapping.identifier_scheme)
    builder = _RowBuilder(survey.main, mapping, columns, catalogues, allow_create)
    rows = [
        builder.build(position, number, cells)
        for position, (number, cells) in enumerate(survey.main.rows, start=1)
    ]
    services = ServicePlanner(survey, mapping, catalogues)
    services.read(rows)
    _match(rows, index, builder.identifiers, confirmed_matches or {})
    existing = _ExistingState.load(
        {row.organisation_id for row in rows if row.organisation_id}, mapping.fields
    )
    for row in rows:
        _decide(row, existing, on_existing, mapping, catalogues)
    services.reconcile(rows, on_existing)
    return ImportPlan(
        mapping=mapping,
        survey=survey,
        rows=rows,
        unknown_columns=services.unknown_columns(_unknown_columns(survey, mapping, columns)),
        orphan_contacts=_orphan_contacts(survey, columns),
        orphan_services=services.orphans(),
        missing_columns=missing + services.missing,
        creations=builder.creations,
        on_existing=on_existing,
    )
