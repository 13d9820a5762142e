"""The parts of an organisation's public record a proposal may change.

For each part: how it is read from the record (public values only: public channels,
persons who consented to publication), how a proposal writes it (JSON), how staff read
the difference with the current record, and how an accepted part is written back,
through the normal history. Which fields are public comes from organisations/fields.py.

A proposal's values, by kind of part:
- PLAIN: the field's value (text, whole number or choice code; None when empty).
- LOOKUP: the catalogue entry's primary key (typology, country of registration), or None.
- LINKS: the sorted primary keys of the zones or themes.
- CHANNELS: the public values of one kind of contact channel, in order.
- OFFICES: the addresses of the seats, or of the other offices.
- PERSONS: the persons listed, as {"name", "role", "phone", "email", "consent"}.
"""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.text import collation_key
from organisations.fields import ORGANISATION_FIELDS, Kind, Visibility
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Theme,
    Typology,
    Zone,
)

PLAIN, LOOKUP, LINKS, CHANNELS, OFFICES, PERSONS = (
    "plain",
    "lookup",
    "links",
    "channels",
    "offices",
    "persons",
)

# Public, but the consortium's own: how it knows the record, where it read it.
NOT_PROPOSED = {"survey_status", "source"}
LINKED = {"zones": (OrganisationZone, "zone", Zone), "themes": (OrganisationTheme, "theme", Theme)}
LOOKED_UP = {"typology": Typology, "registration_country": Zone}
OFFICE_KINDS = {"seat_address": Office.Kind.SEAT, "office_addresses": Office.Kind.OFFICE}
LABELS: dict[str, Promise] = {
    "phones": _("phones"),
    "emails": _("e-mails"),
    "websites": _("web sites"),
    "social_links": _("social networks"),
    "seat_address": _("head office (seat)"),
    "office_addresses": _("other offices"),
    "contact_persons": _("contact persons"),
}


@dataclass(frozen=True)
class Part:
    key: str
    kind: str
    channel: str = ""  # CHANNELS: a ContactChannel.Kind

    @property
    def label(self) -> str:
        if self.key in LABELS:
            return str(LABELS[self.key])
        return str(Organisation._meta.get_field(self.key).verbose_name)

    @property
    def is_list(self) -> bool:
        return self.kind not in (PLAIN, LOOKUP)

    @property
    def takes_text(self) -> bool:
        """A visitor's proposed value can be this part's value as typed (a text or a
        whole number, not a choice)."""
        return self.kind == PLAIN and not Organisation._meta.get_field(self.key).choices


def _parts() -> tuple[Part, ...]:
    parts = []
    for described in ORGANISATION_FIELDS:
        name = described.name
        if described.visibility is not Visibility.PUBLIC or name in NOT_PROPOSED:
            continue
        if described.kind in (Kind.TEXT, Kind.INTEGER, Kind.CHOICE):
            parts.append(Part(name, PLAIN))
        elif described.kind is Kind.LOOKUP and name in LOOKED_UP:
            parts.append(Part(name, LOOKUP))
        elif described.kind is Kind.MANY and name in LINKED:
            parts.append(Part(name, LINKS))
        elif described.kind is Kind.CHANNEL:
            parts.append(Part(name, CHANNELS, channel=described.channel))
        elif name in OFFICE_KINDS:
            parts.append(Part(name, OFFICES))
        elif name == "contact_persons":
            parts.append(Part(name, PERSONS))
    return tuple(parts)


PARTS: tuple[Part, ...] = _parts()
BY_KEY = {part.key: part for part in PARTS}


def by_name(person: dict) -> tuple[str, str]:
    """Persons in a proposal are in the order of their names, accents aside."""
    return collation_key(person["name"])


def person_value(person: ContactPerson) -> dict:
    return {
        "name": person.name,
        "role": person.role,
        "phone": person.phone,
        "email": person.email,
        "consent": person.is_publishable,
    }


def current_values(organisation: Organisation) -> dict:
    """The public value of every part, as a proposal writes it (a few queries)."""
    channels = list(organisation.channels.public().order_by("kind", "position", "pk"))
    offices = list(organisation.offices.order_by("pk"))
    values = {}
    for part in PARTS:
        if part.kind == PLAIN:
            values[part.key] = getattr(organisation, part.key)
        elif part.kind == LOOKUP:
            values[part.key] = getattr(organisation, f"{part.key}_id")
        elif part.kind == LINKS:
            model, target, _catalogue = LINKED[part.key]
            links = model.objects.filter(organisation=organisation)
            values[part.key] = sorted(links.values_list(f"{target}_id", flat=True))
        elif part.kind == CHANNELS:
            values[part.key] = [c.value for c in channels if c.kind == part.channel]
        elif part.kind == OFFICES:
            values[part.key] = [o.address for o in offices if o.kind == OFFICE_KINDS[part.key]]
        else:
            persons = organisation.contact_persons.public().order_by("pk")
            values[part.key] = sorted(map(person_value, persons), key=by_name)
    return values


@dataclass
class Difference:
    """One part of a proposal as staff review it."""

    part: Part
    current: str = ""  # PLAIN and LOOKUP: the readable values
    proposed: str = ""
    added: list[str] = field(default_factory=list)  # lists: what the proposal adds, removes
    removed: list[str] = field(default_factory=list)
    # The record's value changed after the proposal was made: what it was then.
    conflict: bool = False
    when_proposed: str = ""

    @property
    def key(self) -> str:
        return self.part.key


def _added(proposed: list, original: list) -> list:
    return [item for item in proposed if item not in original]


def list_changes(original: list, proposed: list) -> tuple[list, list]:
    """(added, removed): what the proposer changed in a list part."""
    return _added(proposed, original), _added(original, proposed)


class Reader:
    """Readable values: catalogue names read once for all the parts shown."""

    def __init__(self, *value_sets: dict):
        wanted: dict[type, set] = {}
        for values in value_sets:
            for key, value in values.items():
                part = BY_KEY.get(key)
                if part is None:
                    continue
                if part.kind == LOOKUP and value is not None:
                    wanted.setdefault(LOOKED_UP[key], set()).add(value)
                elif part.kind == LINKS:
                    wanted.setdefault(LINKED[key][2], set()).update(value or [])
        self.names = {
            model: {pk: entry.display_name for pk, entry in model.objects.in_bulk(pks).items()}
            for model, pks in wanted.items()
        }

    def value(self, part: Part, value) -> str:
        if value in (None, ""):
            return ""
        if part.kind == LOOKUP:
            return self._name(LOOKED_UP[part.key], value)
        if part.kind == PLAIN:
            model_field = Organisation._meta.get_field(part.key)
            if model_field.choices:
                return str(dict(model_field.flatchoices).get(value, value))
        return str(value)

    def items(self, part: Part, values: list) -> list[str]:
        if part.kind == LINKS:
            return [self._name(LINKED[part.key][2], pk) for pk in values]
        if part.kind == PERSONS:
            return [self.person(item) for item in values]
        return [str(item) for item in values]

    def _name(self, model, pk) -> str:
        return self.names.get(model, {}).get(pk, gettext("(no longer in the catalogue)"))

    @staticmethod
    def person(item: dict) -> str:
        details = [item.get(name, "") for name in ("name", "role", "phone", "email")]
        consent = (
            gettext("agrees to be published")
            if item.get("consent")
            else gettext("not to be published")
        )
        return f"{', '.join(detail for detail in details if detail)} ({consent})"


def differences(proposal, current: dict | None) -> list[Difference]:
    """The proposal's parts against the record now (``current``: None for a new
    organisation), in the order of PARTS."""
    reader = Reader(proposal.proposed, proposal.original, current or {})
    shown = []
    for part in PARTS:
        if part.key not in proposal.proposed:
            continue
        proposed = proposal.proposed[part.key]
        original = proposal.original.get(part.key, [] if part.is_list else None)
        now = original if current is None else current.get(part.key)
        difference = Difference(part, conflict=current is not None and now != original)
        if part.is_list:
            added, removed = list_changes(original, proposed)
            difference.added = reader.items(part, added)
            difference.removed = reader.items(part, removed)
            difference.current = "; ".join(reader.items(part, now))
        else:
            difference.current = reader.value(part, now)
            difference.proposed = reader.value(part, proposed)
        if difference.conflict:
            difference.when_proposed = (
                "; ".join(reader.items(part, original))
                if part.is_list
                else reader.value(part, original)
            )
        shown.append(difference)
    return shown


def proposal_reason(proposal) -> str:
    """The change reason the history shows for what a proposal changed."""
    return gettext("From proposal #%(number)d") % {"number": proposal.pk}


class Writer:
    """Writes accepted parts of one proposal onto its organisation, each save and delete
    recorded in the history with the editor and the proposal as reason."""

    def __init__(self, organisation: Organisation, proposal, user):
        self.organisation = organisation
        self.proposal = proposal
        self.user = user
        self.reason = proposal_reason(proposal)

    def _tag(self, instance):
        instance._history_user = self.user
        instance._change_reason = self.reason
        return instance

    def _save(self, instance) -> None:
        self._tag(instance).full_clean()
        instance.save()

    def _delete(self, instances) -> None:
        for instance in instances:
            self._tag(instance).delete()

    def set_fields(self, keys: list[str]) -> None:
        """PLAIN and LOOKUP parts, on the organisation (saved by ``save_organisation``)."""
        for key in keys:
            attribute = key if BY_KEY[key].kind == PLAIN else f"{key}_id"
            value = self.proposal.proposed[key]
            model_field = Organisation._meta.get_field(key)
            if value is None and not model_field.null:
                value = ""
            setattr(self.organisation, attribute, value)

    def save_organisation(self) -> None:
        self._save(self.organisation)

    def write_list(self, key: str) -> None:
        part = BY_KEY[key]
        original = self.proposal.original.get(key, [])
        added, removed = list_changes(original, self.proposal.proposed[key])
        getattr(self, f"_write_{part.kind}")(part, added, removed)

    def _write_links(self, part: Part, added: list, removed: list) -> None:
        model, target, catalogue = LINKED[part.key]
        links = model.objects.filter(organisation=self.organisation)
        self._delete(links.filter(**{f"{target}_id__in": removed}))
        present = set(links.values_list(f"{target}_id", flat=True))
        for entry in catalogue.objects.filter(pk__in=added).exclude(pk__in=present):
            self._save(model(organisation=self.organisation, **{target: entry}))
        if part.key == "zones":
            self.organisation.refresh_search_text()

    def _write_channels(self, part: Part, added: list, removed: list) -> None:
        channels = self.organisation.channels.filter(kind=part.channel)
        self._delete(channels.public().filter(value__in=removed))
        last = max(channels.values_list("position", flat=True), default=0)
        for position, value in enumerate(added, start=last + 1):
            channel = channels.filter(value=value).first() or ContactChannel(
                organisation=self.organisation, kind=part.channel, value=value, position=position
            )
            channel.is_public = True
            self._save(channel)

    def _write_offices(self, part: Part, added: list, removed: list) -> None:
        offices = self.organisation.offices.filter(kind=OFFICE_KINDS[part.key])
        for address in removed:
            self._delete(offices.filter(address=address)[:1])
        for address in added:
            self._save(
                Office(organisation=self.organisation, kind=OFFICE_KINDS[part.key], address=address)
            )

    def _write_persons(self, part: Part, added: list, removed: list) -> None:
        persons = self.organisation.contact_persons
        added_names = {item["name"] for item in added}
        # A person no longer listed leaves the public directory; staff keep the record.
        for item in removed:
            if item["name"] not in added_names:
                for person in persons.public().filter(name=item["name"]):
                    person.is_publishable = False
                    self._save(person)
        for item in added:
            person = persons.filter(name=item["name"]).first() or ContactPerson(
                organisation=self.organisation, name=item["name"]
            )
            person.role, person.phone, person.email = item["role"], item["phone"], item["email"]
            person.is_publishable = bool(item["consent"])
            if person.is_publishable:
                person.consent_given_by = self._consent_giver()
                person.consent_date = self.proposal.created_at.date()
            self._save(person)

    def _consent_giver(self) -> str:
        given_by = self.proposal.sender_name or gettext("the organisation (update link)")
        received = date_format(self.proposal.created_at, "SHORT_DATE_FORMAT")
        return f"{given_by} — {self.reason}, {received}"[:255]
