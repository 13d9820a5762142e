"""Entries with parts of a full export: offices, partner support, network roles, channel
details and need details."""

import datetime

from django.utils.translation import gettext as _

from needs.models import OrganisationNeed
from networks.models import Membership
from organisations.models import ContactChannel, Office, Partnership
from surveys.mapping import CHANNEL_FIELDS
from surveys.planning.cells import (
    _FIELD_SPLIT,
    _MAX_PART_LENGTH,
    _entry,
    _parse_int,
    _RowReader,
    _unmatched,
)
from surveys.planning.plan import RowPlan

# Longest text of each part of an entry, as the database stores it.
_PARTNER_SUPPORT_LENGTH = Partnership._meta.get_field("description").max_length
_ROLE_LENGTH = Membership._meta.get_field("role").max_length
_LABEL_LENGTH = ContactChannel._meta.get_field("label").max_length


class _EntryReader(_RowReader):
    """Entries with parts (offices, partner support, network roles, channel and need
    details), each checked against the catalogues and the row's other links."""

    def _office(self, row: RowPlan, index: int, token: str, links: list) -> None:
        """ "kind | place | address" (kind: seat or office; the place, a zone, may be a full
        path or empty; the address comes last, as it may hold anything)."""
        kind, _sep, rest = _entry(token).partition(_FIELD_SPLIT)
        place, sep, address = rest.partition(_FIELD_SPLIT)
        if kind not in Office.Kind.values or not sep or not address:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("“%(value)s” is not written kind | place | address (kind: %(kinds)s).")
                    % {"value": token[:60], "kinds": ", ".join(Office.Kind.values)},
                )
            )
            return
        zone_id = None
        if place:
            resolution = self.catalogues.zones.resolve_zone(place, "highest")
            if resolution.entry is None:
                row.errors.append(self._problem(row, index, _unmatched(place, resolution)))
                return
            zone_id = resolution.entry.id
        links.append((kind, address, zone_id))

    def _link_detail(self, row: RowPlan, index: int, target: str, token: str, links) -> None:
        """ "partner-slug | what it supports" or "network-slug | role | member since"."""
        parts = _entry(token).split(_FIELD_SPLIT)
        catalogue = self.catalogues.for_field(
            "partners" if target == "partner_support" else "networks"
        )
        resolution = catalogue.resolve(parts[0])
        if resolution.entry is None:
            row.errors.append(self._problem(row, index, _unmatched(parts[0], resolution)))
            return
        if target == "partner_support":
            detail = {"description": _FIELD_SPLIT.join(parts[1:])}
            text, limit = detail["description"], _PARTNER_SUPPORT_LENGTH
        else:
            role, since = (parts[1:] + ["", ""])[:2]
            year = _parse_int(since) if since else None
            if len(parts) > 3 or (since and year is None):
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _("“%(value)s” is not written network | role | year.")
                        % {"value": token[:60]},
                    )
                )
                return
            detail = {"role": role, "since_year": year}
            text, limit = role, _ROLE_LENGTH
        if len(text) > limit:
            row.errors.append(
                self._problem(
                    row,
                    index,
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": len(text), "limit": limit},
                )
            )
            return
        links.append((index, resolution.entry.id, detail))

    def _join_details(self, row: RowPlan) -> None:
        """What a partner supports, a network role, a channel's label and verification, a
        need's priority, status and support, each given to the link, channel or need it
        describes; a detail of nothing is an error."""
        for target, linked in (("partner_support", "partners"), ("network_roles", "networks")):
            details = {}
            for index, entry_id, detail in row.links.pop(target, []):
                if entry_id not in row.links.get(linked, []):
                    label = self.catalogues.for_field(linked).label_of(entry_id)
                    row.errors.append(
                        self._problem(
                            row,
                            index,
                            _("“%(entry)s” is not in the row's %(column)s.")
                            % {"entry": label, "column": linked},
                        )
                    )
                details[entry_id] = detail
            row.links[f"{linked}_details"] = details
        for index, token in row.links.pop("channel_details", []):
            parts = _entry(token).split(_FIELD_SPLIT)
            parts += [""] * (5 - len(parts))
            kind, value, label, flag = parts[:4]
            note = _FIELD_SPLIT.join(parts[4:])
            found = False
            for target in CHANNEL_FIELDS.keys() & row.links.keys():
                channels = row.links[target]
                for position, channel in enumerate(channels):
                    if (channel[0], channel[1]) == (kind, value):
                        found = True
                        to_verify = channel[2] or flag == "yes"
                        channels[position] = (kind, value, to_verify, note, channel[4], label)
            if not found or len(label) > _LABEL_LENGTH or len(note) > _MAX_PART_LENGTH:
                row.errors.append(
                    self._problem(
                        row,
                        index,
                        _(
                            "“%(value)s” describes no channel of this row "
                            "(kind | value | label | to verify | why)."
                        )
                        % {"value": token[:60]},
                    )
                )
        needs = {
            need[3]: need
            for target in ("needs", "private_needs")
            for need in row.links.get(target, [])
        }
        for index, token in row.links.pop("need_details", []):
            problem = self._need_details(token, needs)
            if problem:
                row.errors.append(self._problem(row, index, problem))

    def _need_details(self, token: str, needs: dict) -> str:
        """Fill in the need an entry "need | priority | status | support given | partner |
        date | notes" describes; what is wrong with it, or ""."""
        parts = _entry(token).split(_FIELD_SPLIT)
        parts += [""] * (7 - len(parts))
        key, priority, status, given, partner, date, notes = (
            *parts[:6],
            _FIELD_SPLIT.join(parts[6:]),
        )
        if key not in needs:
            return _("“%(value)s” is not a need of this row.") % {"value": key}
        if priority not in OrganisationNeed.Priority.values or status not in (
            OrganisationNeed.Status.values
        ):
            return _("“%(value)s”: priority or status is not one of ours (%(allowed)s).") % {
                "value": token[:60],
                "allowed": ", ".join(
                    OrganisationNeed.Priority.values + OrganisationNeed.Status.values
                ),
            }
        if len(given) > _MAX_PART_LENGTH:
            return _("Too long: %(length)s characters, at most %(limit)s.") % {
                "length": len(given),
                "limit": _MAX_PART_LENGTH,
            }
        details = needs[key][4]
        if partner:
            resolution = self.catalogues.partners.resolve(partner)
            if resolution.entry is None:
                return _unmatched(partner, resolution)
            details["support_partner_id"] = resolution.entry.id
        try:
            details["support_date"] = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            return _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": date}
        details.update(priority=priority, status=status, support_given=given, notes=notes)
        return ""
