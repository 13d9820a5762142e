"""Locating columns: where each mapped field, the identifier and the contacts are in a file."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from surveys.catalogues import fold
from surveys.mapping import (
    MULTI_FIELDS,
    Mapping,
    find_choice_columns,
    find_column,
    nearest_header,
)
from surveys.reading import FileRejected, Sheet, SurveyFile


@dataclass
class _Columns:
    """Where each mapped field is in the file."""

    fields: dict[str, list[int]]
    flags: dict[str, dict[int, str]]
    identifier: int | None
    contact_sheet: Sheet | None
    contact_columns: dict[str, int]
    contacts_by_parent: dict[str, list[tuple[int, list[str]]]]
    index_column: int | None


def _locate_columns(survey: SurveyFile, mapping: Mapping) -> tuple[_Columns, list[str]]:
    """Every mapped column found in the file, and what is wrong with each column the mapping
    names and the file lacks (an error, unless the column is marked optional), saying the
    closest header; no name column at all is a file refused."""
    headers = survey.main.headers
    located: dict[str, list[int]] = {}
    flags: dict[str, dict[int, str]] = {}
    # (mapping key, column as the mapping writes it, headers of the sheet searched)
    missing: list[tuple[str, list[str], list[str]]] = []
    for target, spec in mapping.fields.items():
        found = [find_column(alternatives, headers) for alternatives in spec.columns]
        located[target] = [i for i in found if i is not None]
        if target in MULTI_FIELDS:
            for alternatives in spec.columns:
                flags.setdefault(target, {}).update(find_choice_columns(alternatives, headers))
        if spec.optional or flags.get(target):
            continue
        for alternatives, index in zip(spec.columns, found, strict=True):
            if index is None:
                missing.append((f"fields: {target}", alternatives, headers))
    if not located["name"]:
        raise FileRejected(
            _(
                "No column of this file matches the mapping “%(mapping)s”: the name column "
                "(%(column)s) is missing. Columns found: %(headers)s."
            )
            % {
                "mapping": mapping.name,
                "column": " / ".join(mapping.fields["name"].columns[0]),
                "headers": ", ".join(headers[:20]),
            }
        )
    identifier = (
        find_column(mapping.identifier_column, headers) if mapping.identifier_column else None
    )
    if mapping.identifier_column and identifier is None and not mapping.identifier_optional:
        missing.append(("identifier: column", mapping.identifier_column, headers))
    contact_sheet, contact_columns, by_parent = None, {}, {}
    if mapping.contacts:
        contact_sheet = _contact_sheet(survey, mapping)
        contact_columns = {
            key: index
            for key, alternatives in mapping.contacts.columns.items()
            if (index := find_column(alternatives, contact_sheet.headers)) is not None
        }
        if not mapping.contacts.optional:
            missing += [
                (f"contact_persons: {key}", alternatives, contact_sheet.headers)
                for key, alternatives in mapping.contacts.columns.items()
                if key not in contact_columns
            ]
        if contact_sheet is not survey.main:
            parent = contact_sheet.headers.index("_parent_index")
            for number, cells in contact_sheet.rows:
                key = cells[parent] if parent < len(cells) else ""
                by_parent.setdefault(key, []).append((number, cells))
    index_column = headers.index("_index") if "_index" in headers else None
    columns = _Columns(
        located, flags, identifier, contact_sheet, contact_columns, by_parent, index_column
    )
    return columns, [_missing_message(*column) for column in missing]


def _missing_message(key: str, alternatives: list[str], headers: list[str]) -> str:
    values = {"column": " / ".join(alternatives), "key": key}
    nearest = nearest_header(alternatives, headers)
    if nearest:
        return _(
            "The column “%(column)s” (%(key)s) is not in the file; did you mean “%(nearest)s”? "
            "If the file may lack it, mark it “optional: true” in the mapping."
        ) % {**values, "nearest": nearest}
    return (
        _(
            "The column “%(column)s” (%(key)s) is not in the file, nor any column like it. If the "
            "file may lack it, mark it “optional: true” in the mapping."
        )
        % values
    )


def _contact_sheet(survey: SurveyFile, mapping: Mapping) -> Sheet:
    wanted = fold(mapping.contacts.sheet)
    for sheet in survey.repeats:
        if wanted and fold(sheet.name) == wanted:
            return sheet
    for sheet in survey.repeats:
        if not wanted and find_column(mapping.contacts.columns["name"], sheet.headers) is not None:
            return sheet
    return survey.main


def _unknown_columns(survey: SurveyFile, mapping: Mapping, columns: _Columns) -> list[str]:
    used = {i for indices in columns.fields.values() for i in indices}
    used |= {i for found in columns.flags.values() for i in found}
    if columns.identifier is not None:
        used.add(columns.identifier)
    if columns.contact_sheet is survey.main:
        used |= set(columns.contact_columns.values())
    unknown = [
        f"{header} ({_column_letter(i)})"
        for i, header in enumerate(survey.main.headers)
        if i not in used and not mapping.is_ignored(header)
    ]
    if columns.contact_sheet is not None and columns.contact_sheet is not survey.main:
        sheet = columns.contact_sheet
        contact_used = set(columns.contact_columns.values())
        unknown += [
            f"{sheet.name}: {header} ({_column_letter(i)})"
            for i, header in enumerate(sheet.headers)
            if i not in contact_used and not mapping.is_ignored(header)
        ]
    return unknown


def parent_key(cells: list[str], index_column: int | None, position: int) -> str:
    """How repeat rows name a submission: its _index, or else its position."""
    if index_column is None:
        return str(position)
    return cells[index_column] if index_column < len(cells) else ""


def _orphan_contacts(columns: _Columns, unclaimed: set[str]) -> list[int]:
    """Rows of the contact sheet whose _parent_index is one of ``unclaimed``: no row of the
    main sheet has it."""
    return sorted(number for key in unclaimed for number, _cells in columns.contacts_by_parent[key])


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
