"""Building rows: one row's cells read into values, links and problems."""

import re
import sys

from django.utils.translation import gettext as _

from organisations.models import Organisation, OrganisationIdentifier
from surveys.catalogues import fold
from surveys.mapping import (
    CHANNEL_FIELDS,
    CHOICE_FIELDS,
    INTEGER_FIELDS,
    MULTI_FIELDS,
    TEXT_FIELDS,
    FieldSpec,
)
from surveys.planning.cells import _MAX_PART_LENGTH, _parse_int, _refusal, _unmatched
from surveys.planning.contacts import _PHONE_SPLIT, _ContactReader
from surveys.planning.entries import _EntryReader
from surveys.planning.plan import Note, RowPlan

# Entries whose parts are checked one by one (an address or notes may be long).
_LONG_ENTRIES = {
    "offices",
    "contact_persons",
    "private_contact_persons",
    "contact_persons_consent",
    "partner_support",
    "need_details",
}
_DETAIL_LINKS = {"partner_support", "network_roles", "channel_details", "need_details"}
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# A choice name as KoboToolbox writes it: lower-case words joined by underscores.
_KOBO_CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
# A single text value stored in a field of at most this many characters.
_MAX_LENGTHS = {f.name: f.max_length for f in Organisation._meta.fields if f.max_length}
_MAX_SCHEME = OrganisationIdentifier._meta.get_field("scheme").max_length


class _RowBuilder(_ContactReader, _EntryReader):
    """Reads one row's cells into values, links and problems."""

    def build(self, position: int, number: int, cells: list[str]) -> RowPlan:
        row = RowPlan(row=number, cells=cells)
        for index, value in enumerate(cells):
            if value and (refusal := _refusal(value)):
                row.errors.append(self._problem(row, index, refusal))
        for index in range(len(self.headers), len(cells)):
            if cells[index]:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("This cell has no column header: “%(value)s”.")
                        % {"value": cells[index][:40]},
                    )
                )
        if row.errors:
            return row
        for target, spec in self.mapping.fields.items():
            if target in MULTI_FIELDS:
                self._multi(row, target, spec)
            else:
                self._scalar(row, target, spec)
        row.name = row.values.get("name", "")
        if not row.name:
            column = self.columns.fields["name"][0]
            row.errors.append(self._problem(row, column, _("The organisation's name is empty.")))
        if self.columns.identifier is not None:
            identifier = self._cell(cells, self.columns.identifier)
            if identifier:
                row.links["identifier"] = identifier
                self.identifiers[number] = identifier
        if self.mapping.contacts and "name" in self.columns.contact_columns:
            self._contacts(row, position)
        self._join_persons(row)
        if _DETAIL_LINKS & row.links.keys():
            self._join_details(row)
        return row

    def _scalar(self, row: RowPlan, target: str, spec: FieldSpec) -> None:
        indices = self.columns.fields[target]
        present = [(i, self._cell(row.cells, i)) for i in indices]
        present = [(i, value) for i, value in present if value]
        if not present:
            return
        if target in TEXT_FIELDS:
            self._text(row, target, indices, present)
            return
        index, value = present[0]
        if target == "slug":
            self._slug(row, index, value)
        elif target in INTEGER_FIELDS:
            self._integer(row, target, index, value)
        elif target in CHOICE_FIELDS:
            self._chosen(row, target, spec, index, value)
        else:  # typology, registration_country, source
            self._catalogue_entry(row, target, spec, index, value)

    def _text(
        self, row: RowPlan, target: str, indices: list[int], present: list[tuple[int, str]]
    ) -> None:
        """A text field; several columns are joined, each under its header."""
        if len(indices) > 1:
            text = "\n".join(f"{self.headers[i]}: {value}" for i, value in present)
        else:
            text = present[0][1]
        limit = _MAX_LENGTHS.get(target)
        if limit and len(text) > limit:
            row.errors.append(
                self._problem(
                    row,
                    present[0][0],
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": len(text), "limit": limit},
                )
            )
            return
        row.values[target] = text

    def _slug(self, row: RowPlan, index: int, value: str) -> None:
        if not _SLUG.match(value) or len(value) > _MAX_LENGTHS["slug"]:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not a slug (letters, digits, - and _ only).")
                    % {"value": value[:40]},
                )
            )
            return
        # Used for a new organisation only, when no other one has it.
        row.links["slug"] = value

    def _integer(self, row: RowPlan, target: str, index: int, value: str) -> None:
        number = _parse_int(value)
        low, high = (1800, 2100) if target == "year_founded" else (0, 2_000_000_000)
        if number is None or not low <= number <= high:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not a whole number between %(low)s and %(high)s.")
                    % {"value": value, "low": low, "high": high},
                )
            )
            return
        row.values[target] = number

    def _chosen(self, row: RowPlan, target: str, spec: FieldSpec, index: int, value: str) -> None:
        """One of a choice field's values, given as the mapping's answer, a value or a label."""
        choice = _choice(value, spec, CHOICE_FIELDS[target])
        if choice is None:
            allowed = ", ".join(spec.choices) or ", ".join(CHOICE_FIELDS[target].values)
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not one of the expected answers (%(allowed)s).")
                    % {"value": value, "allowed": allowed},
                )
            )
            return
        row.values[target] = choice

    def _catalogue_entry(
        self, row: RowPlan, target: str, spec: FieldSpec, index: int, value: str
    ) -> None:
        """A typology, country of registration or source, found in its catalogue."""
        wanted = spec.choices.get(fold(value), value)
        resolution = self.catalogues.for_field(target).resolve(wanted)
        if resolution.entry is None:
            row.errors.append(self._problem(row, index, _unmatched(value, resolution)))
            return
        # One key string for every row (100,000 rows would each hold their own copy).
        row.values[sys.intern(f"{target}_id")] = resolution.entry.id

    def _multi(self, row: RowPlan, target: str, spec: FieldSpec) -> None:
        links = row.links.setdefault(target, [])
        for index, token in self._tokens(row, target, spec):
            if len(token) > _MAX_PART_LENGTH and target not in _LONG_ENTRIES:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(token), "limit": _MAX_PART_LENGTH},
                    )
                )
            elif target == "aliases":
                links.append(token)
            elif target in CHANNEL_FIELDS:
                self._channels(row, target, token, links)
            elif target == "identifiers":
                self._identifier(row, index, token, links)
            elif target == "offices":
                self._office(row, index, token, links)
            elif target in ("contact_persons", "private_contact_persons"):
                self._person(row, index, token, target == "contact_persons", links)
            elif target in ("contact_persons_consent", "channel_details", "need_details"):
                links.append((index, token))  # read once every column is (_join_details)
            elif target in ("partner_support", "network_roles"):
                self._link_detail(row, index, target, token, links)
            elif target in ("needs", "private_needs"):
                self._need(row, index, target, token, links)
            elif target == "zones":
                resolution = self.catalogues.zones.resolve_zone(
                    spec.choices.get(fold(token), token), spec.level
                )
                self._link(row, index, target, token, resolution, links)
            else:
                wanted = spec.choices.get(fold(token), token)
                resolution = self.catalogues.for_field(target).resolve(wanted)
                self._link(row, index, target, wanted, resolution, links)

    def _channels(self, row: RowPlan, target: str, token: str, links: list) -> None:
        """The channels of one value; a cell of a survey may list phones "76 45 12 30 / 66…"."""
        kind, public = CHANNEL_FIELDS[target]
        split_phones = kind == "phone" and not self.exported
        for part in _PHONE_SPLIT.split(token) if split_phones else [token]:
            channel = self._channel(kind, part, public)
            if channel[3]:
                row.notes.append(Note(channel[0], channel[3]))
            links.append(channel)

    def _identifier(self, row: RowPlan, index: int, token: str, links: list) -> None:
        """ "scheme:identifier", as the full export writes another system's identifiers."""
        scheme, colon, value = token.partition(":")
        if not (colon and 0 < len(scheme.strip()) <= _MAX_SCHEME and value.strip()):
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _(
                        "“%(value)s” is not written scheme:identifier (a scheme of at "
                        "most %(limit)s characters)."
                    )
                    % {"value": token, "limit": _MAX_SCHEME},
                )
            )
        else:
            links.append((scheme.strip(), value.strip()))

    def _need(self, row: RowPlan, index: int, target: str, token: str, links: list) -> None:
        """A need of the catalogue, "category" or "category/number"."""
        need = self.catalogues.needs.get(token.strip())
        if need is None:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not a need of the catalogue (category or category/number).")
                    % {"value": token},
                )
            )
        else:
            # Its details (need_details) are added once every column is read.
            links.append((*need, target == "needs", token.strip(), {}))

    def _link(self, row, index, target, value, resolution, links) -> None:
        if resolution.entry is not None:
            links.append(resolution.entry.id)
            if resolution.note:
                row.notes.append(Note("zone", resolution.note))
        elif target in self.allow_create and not resolution.error:
            self.creations[target].setdefault(fold(value), _label(value))
            links.append(("new", fold(value)))
        else:
            row.errors.append(self._problem(row, index, _unmatched(value, resolution)))


def _label(answer: str) -> str:
    """The name of a catalogue entry an answer creates: the answer as written, or for a
    KoboToolbox choice code ("aide_juridique") its words ("Aide juridique")."""
    if _KOBO_CODE.match(answer):
        words = answer.replace("_", " ")
        return words[:1].upper() + words[1:]
    return answer


def _choice(value: str, spec: FieldSpec, choices) -> str | None:
    folded = fold(value)
    if folded in spec.choices:
        return spec.choices[folded]
    for choice_value, label in choices.choices:
        if folded in {fold(choice_value), fold(str(label))}:
            return choice_value
    return None
