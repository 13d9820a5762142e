"""Reconciling: each row matched with an existing organisation, then what it would
change there (field by field) and add (parts it does not have yet)."""

from dataclasses import dataclass
from operator import itemgetter

from django.utils.translation import gettext as _

from common.text import build_search_text
from needs.models import OrganisationNeed
from networks.models import Membership
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partnership,
)
from surveys.catalogues import fold
from surveys.mapping import CHANNEL_FIELDS
from surveys.matching import normalise_name
from surveys.planning.plan import Action, Describer, OnExisting, Problem, RowPlan


class _Matcher:
    """Finds each row's existing organisation, one row after another as the file is read
    (then a row that is not in error need not keep its cells); a second row for the same
    organisation is an error."""

    def __init__(self, index, identifiers: dict[int, str], confirmed: dict[int, int]):
        self.index = index
        self.identifiers = identifiers
        self.confirmed = confirmed
        self.first_row_by_key: dict[str, int] = {}

    def match(self, row: RowPlan) -> None:
        if row.errors:
            self.identifiers.pop(row.row, None)
            return
        keys = [f"name:{normalise_name(row.name)}"]
        # Each row's identifier is taken as it is matched: the file's do not pile up.
        identifier = self.identifiers.pop(row.row, None)
        if identifier is not None:
            keys.append(f"id:{identifier.lower()}")
        first = self.first_row_by_key
        earlier = next((first[k] for k in keys if k in first), None)
        if earlier is not None:
            row.errors.append(
                Problem(
                    row.row,
                    None,
                    "",
                    _("Row %(row)s already describes this organisation; merge the two rows.")
                    % {"row": earlier},
                )
            )
            return
        for key in keys:
            first[key] = row.row
        emails = [value for kind, value, *_rest in row.links.get("emails", [])]
        index = self.index
        found = index.match(
            row.links.get("identifier", ""), row.name, row.values.get("acronym", ""), emails
        )
        confirmed = self.confirmed.get(row.row)
        if confirmed is not None and found.organisation_id not in (None, confirmed):
            row.errors.append(
                Problem(
                    row.row,
                    None,
                    "",
                    _("This row is already “%(organisation)s” (%(reason)s); it cannot be merged.")
                    % {"organisation": index.labels[found.organisation_id], "reason": found.reason},
                )
            )
        elif confirmed is not None and confirmed not in index.labels:
            row.errors.append(
                Problem(row.row, None, "", _("The organisation to merge into is gone."))
            )
        elif confirmed is not None:
            row.organisation_id = confirmed
            row.match_reason = _("confirmed by you")
        elif found.organisation_id:
            row.organisation_id = found.organisation_id
            row.match_reason = found.reason
        else:
            row.suggestion = found.suggestion


@dataclass
class _ExistingState:
    """What the matched organisations hold now; one query per kind of part."""

    organisations: dict[int, Organisation]
    zones: dict[int, set[int]]
    themes: dict[int, set[int]]
    partners: dict[int, set[int]]
    networks: dict[int, set[int]]
    aliases: dict[int, set[str]]
    alias_names: dict[int, list[str]]
    channels: dict[int, set[tuple[str, str]]]
    contacts: dict[int, set[str]]
    identifiers: dict[int, set[str]]
    offices: dict[int, set[tuple]]
    needs: dict[int, set[tuple]]

    @classmethod
    def load(cls, ids: set[int], targets, attnames: set[str]) -> "_ExistingState":
        """``attnames``: the organisations' fields the rows set (only those are loaded)."""
        ids_list = sorted(ids)
        organisations: dict[int, Organisation] = {}
        # Those fields, and those of the search text: 10,000 matched organisations in full
        # would take tens of megabytes.
        wanted = attnames | {"name", "acronym", "description"}
        fields = [f.name for f in Organisation._meta.concrete_fields if f.attname in wanted]
        for chunk in _chunks(ids_list):
            organisations.update(Organisation.objects.only(*fields).in_bulk(chunk))

        def pairs(model, value_field, **filters):
            grouped: dict[int, set] = {}
            for chunk in _chunks(ids_list):
                rows = model.objects.filter(organisation_id__in=chunk, **filters)
                for org_id, value in rows.values_list("organisation_id", value_field):
                    grouped.setdefault(org_id, set()).add(value)
            return grouped

        alias_rows = pairs(OrganisationAlias, "name")
        channels: dict[int, set[tuple[str, str]]] = {}
        offices: dict[int, set[tuple]] = {}
        needs: dict[int, set[tuple]] = {}
        # Offices and needs only when the file has them (full exports).
        for chunk in _chunks(ids_list) if "offices" in targets else []:
            rows = Office.objects.filter(organisation_id__in=chunk)
            for org_id, *office in rows.values_list(
                "organisation_id", "kind", "address", "zone_id"
            ):
                offices.setdefault(org_id, set()).add(tuple(office))
        for chunk in _chunks(ids_list) if {"needs", "private_needs"} & set(targets) else []:
            rows = OrganisationNeed.objects.filter(organisation_id__in=chunk)
            for org_id, *need in rows.values_list("organisation_id", "category_id", "activity_id"):
                needs.setdefault(org_id, set()).add(tuple(need))
        for chunk in _chunks(ids_list):
            rows = ContactChannel.objects.filter(organisation_id__in=chunk)
            for org_id, kind, value in rows.values_list("organisation_id", "kind", "value"):
                channels.setdefault(org_id, set()).add((kind, value.lower()))
        return cls(
            organisations=organisations,
            zones=pairs(OrganisationZone, "zone_id"),
            themes=pairs(OrganisationTheme, "theme_id"),
            partners=pairs(Partnership, "partner_id"),
            networks=pairs(Membership, "network_id"),
            aliases=alias_rows,
            alias_names={k: sorted(names) for k, names in alias_rows.items()},
            channels=channels,
            contacts={
                k: {fold(v) for v in names} for k, names in pairs(ContactPerson, "name").items()
            },
            identifiers=pairs(OrganisationIdentifier, "value"),
            offices=offices,
            needs=needs,
        )


def _chunks(values: list, size: int = 5000):
    for start in range(0, len(values), size):
        yield values[start : start + size]


_EMPTY = {None, "", "unknown"}


def _decide(
    row: RowPlan, existing: _ExistingState, on_existing, mapping, catalogues, describer: Describer
) -> None:
    """Set the row's action and its field-by-field changes."""
    if row.errors:
        row.action = Action.ERROR
        return
    org = existing.organisations.get(row.organisation_id) if row.organisation_id else None
    if row.organisation_id and org is None:
        row.errors.append(Problem(row.row, None, "", _("The organisation to merge into is gone.")))
        row.action = Action.ERROR
        return
    if org is not None and on_existing == OnExisting.SKIP:
        row.action = Action.SKIPPED
        row.values, row.links = {}, {}
        return
    values = {}
    old_values = {} if org is not None else None
    for attname, new in row.values.items():
        old = getattr(org, attname) if org is not None else None
        if org is not None and (
            old == new or (on_existing == OnExisting.FILL and old not in _EMPTY)
        ):
            continue
        values[attname] = new
        if old_values is not None:
            old_values[attname] = old
    row.values, row.old_values = values, old_values
    row.describer = describer
    _keep_new_links(row, org, existing)
    # Same parts in the same order as Organisation.build_search_text (zones by path,
    # aliases by name).
    zone_ids = [*existing.zones.get(row.organisation_id, ()), *row.links.get("zones", [])]
    zone_ids.sort(key=catalogues.zone_paths.__getitem__)
    zone_names = [catalogues.zone_names[zone_id] for zone_id in zone_ids]
    current = {
        "name": org.name if org else "",
        "acronym": org.acronym if org else "",
        "description": org.description if org else "",
    }
    current.update({k: v for k, v in values.items() if k in current})
    aliases = sorted(existing.alias_names.get(row.organisation_id, []) + row.links["aliases"])
    row.search_text = build_search_text(
        current["name"], current["acronym"], current["description"], aliases, zone_names
    )
    if org is None:
        row.action = Action.NEW
    elif values or row.added:
        row.action = Action.UPDATE
    else:
        row.action = Action.UNCHANGED


def _keep_new_links(row: RowPlan, org, existing: _ExistingState) -> None:
    """Drop the parts the organisation already has: contacts and zones are never doubled
    (what is left, the preview words with labels.RowDescriber.added)."""
    org_id = org.pk if org is not None else None
    current_links = {
        "zones": existing.zones,
        "themes": existing.themes,
        "partners": existing.partners,
        "networks": existing.networks,
    }
    for target, current in current_links.items():
        known = current.get(org_id, ())
        # Tuples: a plan of 100,000 rows keeps four of these a row, lists take more room.
        row.links[target] = tuple(v for v in row.links.get(target, ()) if v not in known)
    # Only a name written exactly alike is already there: "ASSOCIATION X" is kept.
    taken = existing.aliases.get(org_id, set()) | {org.name if org else row.name}
    aliases = []
    for alias in row.links.get("aliases", []):
        if alias not in taken:
            taken.add(alias)
            aliases.append(alias)
    row.links["aliases"] = aliases
    channels = []
    seen = set(existing.channels.get(org_id, set()))
    for target in CHANNEL_FIELDS:
        for channel in row.links.pop(target, []):
            if (channel[0], channel[1].lower()) not in seen:
                seen.add((channel[0], channel[1].lower()))
                channels.append(channel)
    row.links["channels"] = channels
    # A person the organisation has (by name) is not added again; within the file, only a
    # person given twice alike is (two namesakes of one organisation are two people).
    people = existing.contacts.get(org_id, set())
    contacts = []
    for contact in row.links.get("contacts", []):
        if fold(contact["name"]) not in people and contact not in contacts:
            contacts.append(contact)
    row.links["contacts"] = contacts
    identifier = row.links.get("identifier")
    if identifier and identifier in existing.identifiers.get(org_id, set()):
        row.links.pop("identifier")
    if _ENTRY_LINKS & row.links.keys():
        _keep_new_entries(row, org_id, existing)
    # Reading the row added keys that were popped since (channels by kind): a copy sized
    # for those left saves some 200 bytes a row, 20 MB in a plan of 100,000 rows.
    row.links = dict(row.links)


_ENTRY_LINKS = {"identifiers", "offices", "needs", "private_needs"}


def _keep_new_entries(row: RowPlan, org_id, existing: _ExistingState) -> None:
    """Identifiers, offices and needs (of a full export) the organisation does not have."""
    row.links["identifiers"] = _new_only(
        row.links.get("identifiers", []), existing.identifiers.get(org_id, ()), itemgetter(1)
    )
    row.links["offices"] = _new_only(
        row.links.get("offices", []), existing.offices.get(org_id, ()), tuple
    )
    needs = row.links.pop("needs", []) + row.links.pop("private_needs", [])
    row.links["needs"] = _new_only(needs, existing.needs.get(org_id, ()), itemgetter(0, 1))


def _new_only(entries: list, known, key) -> list:
    """Entries whose key is neither known nor met earlier in the list."""
    seen = set(known)
    kept = []
    for entry in entries:
        if key(entry) not in seen:
            seen.add(key(entry))
            kept.append(entry)
    return kept
