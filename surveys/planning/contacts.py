"""Contacts: persons (with their consent), contact sheets and channels (phones, e-mails,
web sites) of a row."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from common.phones import is_e164, to_e164
from organisations.models import ContactChannel
from surveys.planning.cells import _FIELD_SPLIT, _MAX_PART_LENGTH, _entry, _refusal, _RowReader
from surveys.planning.columns import parent_key
from surveys.planning.plan import Note, Problem, RowPlan

_PERSON_LINKS = {"contact_persons", "private_contact_persons", "contact_persons_consent"}
# Phone lists are also written "76 45 12 30 / 66 12 34 56".
_PHONE_SPLIT = re.compile(r"\s*/\s*")
_validate_url = URLValidator()


class _ContactReader(_RowReader):
    """Contact persons, their consents and the contact channels of a row."""

    def _person(self, row: RowPlan, index: int, token: str, listed_public: bool, links) -> None:
        """ "name | role | phone | other phone | e-mail" (+ " | notes" in private columns).

        Persons of the public column are publishable only in our own exports, which list
        there only the persons who consented; from any other file they stay private.
        """
        parts = _entry(token).split(_FIELD_SPLIT)
        size = 5 if listed_public else 6
        if not listed_public and len(parts) > size:  # notes may hold " | "
            parts[5:] = [_FIELD_SPLIT.join(parts[5:])]
        parts += [""] * (size - len(parts))
        if any(len(part) > _MAX_PART_LENGTH for part in parts[:5]):
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": max(map(len, parts[:5])), "limit": _MAX_PART_LENGTH},
                )
            )
            return
        if len(parts) > size or not parts[0]:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not written name | role | phone | other phone | e-mail.")
                    % {"value": token[:60]},
                )
            )
            return
        name, role, phone, phone_other, email, notes = (*parts, "")[:6]
        contact = {
            "name": name,
            "role": role,
            "is_publishable": listed_public and self.mapping.exported,
            "notes": notes,
        }
        written = []
        for key, value in (("phone", phone), ("phone_other", phone_other)):
            contact[key] = to_e164(value, self.mapping.phone_region)
            if value and not contact[key]:
                written.append(self._kept_as_written(row, "phone", value))
        contact["email"] = _valid_email(email)
        if email and not contact["email"]:
            written.append(self._kept_as_written(row, "email", email))
        contact["notes"] = "\n".join(filter(None, [notes, *written]))
        links.append(contact)

    def _kept_as_written(self, row: RowPlan, kind: str, value: str) -> str:
        """A contact person's phone or e-mail that is not one: kept in the person's notes
        (the field holds only valid values), and noted in the preview, to verify."""
        if kind == "phone":
            row.notes.append(
                Note(kind, _("Phone “%(value)s” kept as written, to verify.") % {"value": value})
            )
            return _("Phone as written: %(value)s") % {"value": value}
        row.notes.append(
            Note(kind, _("E-mail “%(value)s” kept as written, to verify.") % {"value": value})
        )
        return _("E-mail as written: %(value)s") % {"value": value}

    def _join_persons(self, row: RowPlan) -> None:
        """Contact persons of every column, with the consent of the publishable ones."""
        if not _PERSON_LINKS & row.links.keys():
            return
        persons = row.links.pop("contact_persons", []) + row.links.pop(
            "private_contact_persons", []
        )
        consents = row.links.pop("contact_persons_consent", [])
        publishable = [person for person in persons if person["is_publishable"]]
        for (index, consent), person in zip(consents, publishable, strict=False):
            given_by, date, *notes = _entry(consent).split(_FIELD_SPLIT) + [""]
            notes = _FIELD_SPLIT.join(notes[:-1]) if len(notes) > 1 else ""
            try:
                person["consent_date"] = datetime.date.fromisoformat(date) if date else None
            except ValueError:
                row.errors.append(
                    self._problem(
                        row, index, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": date}
                    )
                )
            if len(given_by) > _MAX_PART_LENGTH:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(given_by), "limit": _MAX_PART_LENGTH},
                    )
                )
            person["consent_given_by"] = given_by
            person["notes"] = notes
        if len(consents) > len(publishable):
            row.errors.append(
                self._problem(
                    row,
                    consents[-1][0],
                    _("More consents than publishable contact persons."),
                )
            )
        for person in publishable:
            if not person.get("consent_date"):
                # Published only with a recorded consent (a database rule): kept private.
                person["is_publishable"] = False
                row.notes.append(
                    Note(
                        "contact_private",
                        _("%(name)s has no consent date: kept as a private contact person.")
                        % {"name": person["name"]},
                    )
                )
        if persons:
            row.links["contacts"] = row.links.get("contacts", []) + persons

    def _channel(self, target: str, value: str, public: bool | None) -> tuple:
        """(kind, value, to verify, why, public: None when the mapping's default decides,
        label)."""
        if self.exported:
            # The directory held it so: kept as written, to verify as channel_details says
            # (a phone outside E.164, "+ 223 2202056", is always to verify: a database rule).
            flagged = target == ContactChannel.Kind.PHONE and not is_e164(value)
            return (target, value, flagged, "", public, "")
        if target == "phone":
            phone = to_e164(value, self.mapping.phone_region)
            if phone:
                return (ContactChannel.Kind.PHONE, phone, False, "", public, "")
            note = _("Phone “%(value)s” kept as written, to verify.") % {"value": value}
            return (ContactChannel.Kind.PHONE, value, True, note, public, "")
        if target == "email":
            # Kept as written (a local part may be case-sensitive); compared case-insensitively.
            email = _valid_email(value)
            if not email:
                note = _("E-mail “%(value)s” kept as written, to verify.") % {"value": value}
                return (ContactChannel.Kind.EMAIL, value, True, note, public, "")
            return (ContactChannel.Kind.EMAIL, email, False, "", public, "")
        kind = ContactChannel.Kind.SOCIAL if target == "social" else ContactChannel.Kind.WEBSITE
        url = value if "://" in value else f"https://{value}"
        try:
            _validate_url(url)
        except ValidationError:
            note = _("Web site “%(value)s” kept as written, to verify.") % {"value": value}
            return (kind, value, True, note, public, "")
        return (kind, value, False, "", public, "")

    def _contacts(self, row: RowPlan, position: int) -> None:
        columns = self.columns.contact_columns
        if self.columns.contact_sheet is None:
            return
        if self.columns.contact_sheet is self.survey_main:
            sources = [(row.row, row.cells)]
        else:
            # Repeat rows point at their submission by _index (or by its position).
            key = parent_key(row.cells, self.columns.index_column, position)
            sources = self.columns.contacts_by_parent.get(key, [])
        contacts = []
        for number, cells in sources:
            values = {key: self._cell(cells, index) for key, index in columns.items()}
            refusals = [refusal for value in values.values() if (refusal := _refusal(value))]
            if refusals:
                row.errors.append(
                    Problem(number, None, self.columns.contact_sheet.name, refusals[0])
                )
                continue
            if not values.get("name"):
                if any(values.values()):
                    unnamed = _(
                        "The contact on row %(row)s of “%(sheet)s” has no name: not imported."
                    )
                    sheet = self.columns.contact_sheet.name
                    row.notes.append(
                        Note("contact_unnamed", unnamed % {"row": number, "sheet": sheet})
                    )
                continue
            too_long = [value for value in values.values() if len(value) > _MAX_PART_LENGTH]
            if too_long:
                row.errors.append(
                    Problem(
                        number,
                        None,
                        self.columns.contact_sheet.name,
                        _("Too long: %(length)s characters, at most %(limit)s.")
                        % {"length": len(too_long[0]), "limit": _MAX_PART_LENGTH},
                    )
                )
                continue
            contact = {"name": values["name"], "role": values.get("role", "")}
            phone = to_e164(values.get("phone", ""), self.mapping.phone_region)
            contact["phone"] = phone
            notes = []
            if values.get("phone") and not phone:
                notes.append(self._kept_as_written(row, "phone", values["phone"]))
            email = _valid_email(values.get("email", ""))
            if values.get("email", "").strip() and not email:
                notes.append(self._kept_as_written(row, "email", values["email"]))
            contact["email"] = email
            contact["notes"] = "\n".join(notes)
            contacts.append(contact)
        row.links["contacts"] = contacts


def _valid_email(value: str) -> str:
    """The e-mail as written (spaces around it aside), or "" when it is not one."""
    email = value.strip()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email
