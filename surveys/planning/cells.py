"""Reading cells: refused values, empty answers, tokens of multi-valued cells, entries
with parts, whole numbers and unmatched catalogue values."""

import re

from django.utils.translation import gettext as _

from common.formulas import is_formula, restore
from common.numbers import is_plain_integer
from surveys.catalogues import ImportCatalogues, fold
from surveys.catalogues import unmatched as _unmatched  # noqa: F401 (used by the row readers)
from surveys.mapping import CREATABLE, ENTRY_FIELDS, FieldSpec, Mapping
from surveys.planning.columns import _Columns
from surveys.planning.plan import Problem, RowPlan
from surveys.reading import Sheet

_MULTI_SPLIT = re.compile(r"\s*[;,\n]\s*")
# Entries with parts (contact persons, offices…) may hold commas: split at ";" only.
_ENTRY_SPLIT = re.compile(r"\s*[;\n]\s*")
# How the exports join values in a cell (exports.layouts.JOIN) and parts of an entry.
_EXPORT_SPLIT = re.compile(r" ; ")
_FIELD_SPLIT = " | "
_AS_WRITTEN = ENTRY_FIELDS | {"aliases"}
# Fields of each kind of entry; the last one is free text.
_FIELD_COUNTS = {
    "offices": 3,
    "contact_persons": 5,
    "private_contact_persons": 6,
    "contact_persons_consent": 3,
    "partner_support": 2,
    "network_roles": 3,
    "channel_details": 5,
    "need_details": 7,
}
_TRUE_FLAGS = {"1", "true", "vrai", "oui", "yes", "x"}
_FALSE_FLAGS = {"", "0", "false", "faux", "non", "no"}
# Other names, channel values, contact names and roles: 255 characters at most.
_MAX_PART_LENGTH = 255
# Markup a browser would run or load (tags, comments, javascript: links): names are shown on
# public pages (escaped, but refused here too). "<< Espoir >>" or "< 5 ans" are plain text.
_MARKUP = re.compile(
    r"</?(?:script|img|iframe|frame|svg|math|object|embed|style|link|meta|base|form|input|"
    r"button|a|body|video|audio|source|details|template|marquee)\b|<!--|javascript:",
    re.IGNORECASE,
)


_FORMULA_FIRST = frozenset("=+-@")


def _refusal(value: str) -> str:
    """Why a cell cannot be imported at all (a formula, HTML markup), or ""."""
    # Every cell is checked: most are plain text, told apart without a regular expression
    # (a formula starts with one of "=+-@", markup holds "<" or "javascript:").
    if value[:1] not in _FORMULA_FIRST and "<" not in value and ":" not in value:
        return ""
    if is_formula(value):
        return _("The cell holds a formula (%(formula)s); paste values only.") % {
            "formula": value[:40]
        }
    if _MARKUP.search(value):
        return _("The cell holds HTML markup (%(markup)s); type plain text.") % {
            "markup": value[:40]
        }
    return ""


class _RowReader:
    """What reads one row's cells: the file, the mapping and the catalogues."""

    def __init__(self, main: Sheet, mapping: Mapping, columns: _Columns, catalogues, allow_create):
        self.survey_main = main
        self.headers = main.headers
        self.mapping = mapping
        self.columns = columns
        self.catalogues: ImportCatalogues = catalogues
        self.allow_create = set(allow_create)
        self.creations: dict[str, dict[str, str]] = {kind: {} for kind in CREATABLE}
        self.identifiers: dict[int, str] = {}
        self.longest_empty = max(map(len, mapping.empty_values), default=0) + 2
        self.exported = mapping.exported
        # How each multi-valued field's cells split into values.
        self.splits = {
            target: (
                _EXPORT_SPLIT
                if mapping.exported
                else _ENTRY_SPLIT
                if target in ENTRY_FIELDS
                else _MULTI_SPLIT
            ).split
            for target in mapping.fields
        }

    def _problem(self, row: RowPlan, index: int | None, message: str, sheet_row=None) -> Problem:
        header = self.headers[index] if index is not None and index < len(self.headers) else ""
        return Problem(
            row=sheet_row or row.row,
            column=index + 1 if index is not None else None,
            header=header,
            message=message,
        )

    def _cell(self, cells: list[str], index: int) -> str:
        value = cells[index] if index < len(cells) else ""
        if self.exported:
            return restore(value)
        # Only short answers can be "Néant", "N/A"…: long ones are not folded for nothing.
        if len(value) <= self.longest_empty and fold(value) in self.mapping.empty_values:
            return ""
        return value

    def _tokens(self, row: RowPlan, target: str, spec: FieldSpec) -> list[tuple[int, str]]:
        tokens: list[tuple[int, str]] = []
        for index in self.columns.fields[target]:
            value = self._cell(row.cells, index)
            fields = _FIELD_COUNTS.get(target, 0)
            for token in self.splits[target](value) if value else []:
                # Too few fields: the rest of the previous entry's last field, which held
                # " ; " (notes, an address).
                if (
                    fields
                    and tokens
                    and tokens[-1][0] == index
                    and _entry(token).count(_FIELD_SPLIT) < fields - 1
                ):
                    tokens[-1] = (index, f"{tokens[-1][1]} ; {token}")
                    continue
                parts = token.split()
                # KoboToolbox writes select_multiple answers as space-separated codes.
                if len(parts) > 1 and self._codes(target, spec, token, parts):
                    tokens += [(index, part) for part in parts]
                elif token and fold(token) not in self.mapping.empty_values:
                    tokens.append((index, token))
        for index, choice in self.columns.flags.get(target, {}).items():
            flag = fold(row.cells[index] if index < len(row.cells) else "")
            if flag in _TRUE_FLAGS:
                tokens.append((index, choice))
            elif flag not in _FALSE_FLAGS:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("Expected 1 or 0 (chosen or not), found “%(value)s”.")
                        % {"value": row.cells[index]},
                    )
                )
        seen: set[str] = set()
        unique = []
        for index, token in tokens:
            # Other names and entries are compared as written ("Local-Mali" is not
            # "Local Mali"); consents pair with persons by position, so two alike are two.
            as_written = target in _AS_WRITTEN
            key = token if as_written else fold(spec.choices.get(fold(token), token))
            if target == "contact_persons_consent" or key not in seen:
                seen.add(key)
                unique.append((index, token))
        return unique

    def _codes(self, target: str, spec: FieldSpec, token: str, parts: list[str]) -> bool:
        """``token`` is KoboToolbox's space-separated codes of a select_multiple question:
        each part is one of the mapping's choices or names a catalogue entry (by name, slug
        or other name, folded), and the whole does not ("Union européenne" stays one)."""
        if target not in _CATALOGUE_TARGETS:
            return all(fold(part) in spec.choices for part in parts)
        catalogue = self.catalogues.for_field(target)

        def known(value: str) -> bool:
            return fold(value) in spec.choices or catalogue.knows(value)

        return not known(token) and all(known(part) for part in parts)


# Multi-valued fields whose values name catalogue entries.
_CATALOGUE_TARGETS = {"zones", "themes", "partners", "networks"}


def _entry(token: str) -> str:
    """An entry " | b |  | " as written: readers strip the cell, and so its outer spaces."""
    if token.startswith("| ") or token == "|":
        token = " " + token
    return token + " " if token.endswith(" |") else token


def _parse_int(value: str) -> int | None:
    cleaned = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    return int(cleaned) if is_plain_integer(cleaned) else None
