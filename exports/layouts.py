"""What each export holds: its columns, in order, and how a record fills them.

Column names of the full export are a public contract (README, section "Exports"):
add columns at the end, never rename one. They come from the organisation's field
description (``organisations.fields``). Multi-valued cells join their values with
" ; " (``JOIN``), in a stable order.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from exports.records import ExportLookups, OrganisationRecord
from needs.models import OrganisationNeed
from organisations.fields import ORGANISATION_FIELDS, Kind, OrganisationField, exported_fields
from organisations.models import ContactChannel, Office, Organisation, Zone

JOIN = " ; "
# Separates the fields of one contact person inside a cell.
FIELD_JOIN = " | "

Getter = Callable[[OrganisationRecord, ExportLookups], object]


@dataclass(frozen=True)
class Column:
    name: str
    get: Getter
    label: object = None  # a heading for people, when it differs from ``name``
    hxl: str = ""
    private: bool = False
    # A phone column: its cells are E.164 numbers (see exports.safety.is_plain_phone).
    phone: bool = False
    # A whole-number column: a number cell in XLSX.
    number: bool = False

    @property
    def heading(self) -> str:
        return str(self.label) if self.label is not None else self.name


@dataclass(frozen=True)
class Layout:
    slug: str
    columns: tuple[Column, ...]
    parts: tuple[str, ...]
    filename_stem: str
    with_hxl: bool = False
    numbered: bool = False  # a first "N°" column counting rows
    # A table printed for people: its XLSX shows phones as "+223 20 24 11 22" (CSV keeps
    # E.164, for programs).
    readable_phones: bool = False
    numbered_label: object = field(default=_("No."))

    def columns_for(self, private: bool) -> list[Column]:
        return [column for column in self.columns if private or not column.private]


def _field(name: str) -> Getter:
    # record.fields, not record[name]: one Python call less, for each of a million cells.
    return lambda record, catalogues: record.fields[name]


def _joined(values) -> str:
    """Non-empty texts joined with " ; "."""
    return JOIN.join(filter(None, values))


def _channel_values(record) -> dict[tuple[str, bool], list[str]]:
    """The record's channel values by kind and visibility, grouped once for the eight
    channel columns."""
    grouped = record.derived.get("channels")
    if grouped is None:
        grouped = record.derived["channels"] = {}
        for kind, value, is_public, *_details in record.part("channels"):
            grouped.setdefault((kind, is_public), []).append(value)
    return grouped


def _channels(kind: str, public: bool) -> Getter:
    key = (kind, public)
    return lambda record, catalogues: _joined(_channel_values(record).get(key, ()))


def _name_with_acronym(record, catalogues) -> str:
    acronym = record["acronym"]
    return f"{record['name']} ({acronym})" if acronym else record["name"]


def _typology_slug(record, catalogues) -> str:
    typology_id = record["typology_id"]
    return catalogues.typologies[typology_id][0] if typology_id else ""


def _typology_name(record, catalogues) -> str:
    typology_id = record["typology_id"]
    return catalogues.typologies[typology_id][1] if typology_id else ""


def _registration_country(record, catalogues) -> str:
    zone_id = record["registration_country_id"]
    return catalogues.zones[zone_id].iso_code if zone_id else ""


def _offices(kind: str) -> Getter:
    return lambda record, catalogues: _joined(
        address for office_kind, address, _zone in record.part("offices") if office_kind == kind
    )


def _offices_with_places(record, catalogues) -> str:
    """Each office as "kind | zone path | address" (the survey import reads it back)."""
    return JOIN.join(
        FIELD_JOIN.join([kind, catalogues.zone_path(zone_id) if zone_id else "", address])
        for kind, address, zone_id in record.part("offices")
    )


def _partner_support(record, catalogues) -> str:
    """ "partner-slug | what the partner supports", for partners with a description."""
    return JOIN.join(
        FIELD_JOIN.join([catalogues.partners[partner_id][0], support])
        for partner_id, support in record.part("partners")
        if support
    )


def _network_roles(record, catalogues) -> str:
    """ "network-slug | role | member since", for memberships with a role or a year."""
    return JOIN.join(
        FIELD_JOIN.join([catalogues.networks[network_id][0], role, str(since or "")])
        for network_id, role, since in record.part("networks")
        if role or since
    )


def _channel_details(record, catalogues) -> str:
    """ "kind | value | label | to verify | why", for channels with any of the last three."""
    return JOIN.join(
        FIELD_JOIN.join([kind, value, label, "yes" if to_verify else "", note])
        for kind, value, _public, label, to_verify, note in record.part("channels")
        if label or to_verify or note
    )


def _seat_address(record, catalogues) -> str:
    """The seat's address; an organisation with offices but no seat shows its offices."""
    offices = record.part("offices")
    seats = [address for kind, address, _zone in offices if kind == Office.Kind.SEAT]
    return _joined(seats or [address for _kind, address, _zone in offices])


def _zone_paths(record, catalogues) -> str:
    return _joined(catalogues.zone_path(zone_id) for (zone_id,) in record.part("zones"))


def _zones_at(level: str, attribute: str) -> Getter:
    def get(record, catalogues):
        seen = []
        for (zone_id,) in record.part("zones"):
            entry = catalogues.zone_at_level(zone_id, level)
            value = getattr(entry, attribute) if entry else ""
            if value and value not in seen:
                seen.append(value)
        return _joined(seen)

    return get


def _countries(record, catalogues) -> str:
    """Countries of the intervention zones, or else the country of registration."""
    return _zones_at(Zone.Level.COUNTRY, "iso_code")(record, catalogues) or _registration_country(
        record, catalogues
    )


def _themes(position: int) -> Getter:
    return lambda record, catalogues: _joined(
        catalogues.themes[theme_id][position] for (theme_id,) in record.part("themes")
    )


def _partners(position: int) -> Getter:
    return lambda record, catalogues: _joined(
        catalogues.partners[partner_id][position]
        for partner_id, _support in record.part("partners")
    )


def _networks(record, catalogues) -> str:
    return _joined(
        catalogues.networks[network_id][0] for network_id, *_role in record.part("networks")
    )


def _identifiers(record, catalogues) -> str:
    return _joined(f"{scheme}:{value}" for scheme, value in record.part("identifiers"))


def _aliases(record, catalogues) -> str:
    return _joined(name for (name,) in record.part("aliases"))


def _needs(public: bool) -> Getter:
    return lambda record, catalogues: _joined(
        catalogues.need_key(category_id, activity_id)
        for category_id, activity_id, is_public, *_details in record.part("needs")
        if is_public == public
    )


_NEED_DEFAULTS = (OrganisationNeed.Priority.MEDIUM, OrganisationNeed.Status.IDENTIFIED)


def _need_details(record, catalogues) -> str:
    """ "need | priority | status | support given | partner | support date | notes", for
    needs (public or private) with more than their key."""
    entries = []
    for category, activity, _public, priority, status, given, partner, date, notes in record.part(
        "needs"
    ):
        if (priority, status) != _NEED_DEFAULTS or given or partner or date or notes:
            values = [
                catalogues.need_key(category, activity),
                priority,
                status,
                given,
                catalogues.partners[partner][0] if partner else "",
                date.isoformat() if date else "",
                notes,
            ]
            entries.append(FIELD_JOIN.join(values))
    return JOIN.join(entries)


def _persons(publishable: bool) -> Getter:
    """Each person as "name | role | phone | other phone | e-mail" (+ " | notes" if private)."""

    def get(record, catalogues):
        entries = []
        for name, role, phone, phone_other, email, is_publishable, *_consent, notes in record.part(
            "persons"
        ):
            if is_publishable != publishable:
                continue
            values = [name, role, phone, phone_other, email]
            if not publishable:
                values.append(notes)
            entries.append(FIELD_JOIN.join(values))
        return JOIN.join(entries)

    return get


def _consents(record, catalogues) -> str:
    """For each publishable person, in the same order: "given by | date | notes"."""
    entries = []
    for *_who, is_publishable, given_by, given_on, notes in record.part("persons"):
        if is_publishable:
            date = given_on.isoformat() if given_on else ""
            entries.append(FIELD_JOIN.join([given_by, date, notes]))
    return JOIN.join(entries)


def _web(record, catalogues) -> str:
    """Web sites and social pages; when there are none, what the source said about it."""
    channels = record.part("channels")
    public_web = [
        value
        for wanted in (ContactChannel.Kind.WEBSITE, ContactChannel.Kind.SOCIAL)
        for kind, value, *_details in channels
        if kind == wanted
    ]
    if public_web:
        return _joined(public_web)
    status = record["website_status"]
    return str(Organisation.WebsiteStatus(status).label) if status else ""


def _all_channels(kind: str) -> Getter:
    return lambda record, catalogues: _joined(
        value for channel_kind, value, *_details in record.part("channels") if channel_kind == kind
    )


def _service_names(record, catalogues) -> str:
    return _joined(name for _pk, name, *_fields in record.part("services"))


def _service_catalogue(part: str, catalogue: str) -> Getter:
    """The names of the people served (languages) of an organisation's services, each once,
    in the catalogue's order."""

    def getter(record, catalogues) -> str:
        entries = getattr(catalogues, catalogue)
        ids = sorted({entry_id for _service, entry_id in record.part(part)})
        return _joined(entries[entry_id][1] for entry_id in ids)

    return getter


ALL_PARTS = (
    "aliases",
    "identifiers",
    "zones",
    "themes",
    "partners",
    "networks",
    "offices",
    "channels",
    "persons",
    "needs",
)

# How the full export reads each field that is not one of the organisation's own columns
# (those, the plain fields, are read as they are).
FULL_GETTERS: dict[str, Getter] = {
    "other_names": _aliases,
    "typology": _typology_slug,
    "typology_name": _typology_name,
    "registration_country": _registration_country,
    "source": _field("source__code"),
    "identifiers": _identifiers,
    "zones": _zone_paths,
    "themes": _themes(0),
    "theme_names": _themes(1),
    "networks": _networks,
    "partners": _partners(0),
    "partner_names": _partners(1),
    "seat_address": _offices(Office.Kind.SEAT),
    "office_addresses": _offices(Office.Kind.OFFICE),
    **{
        described.name: _channels(described.channel, public=not described.private)
        for described in ORGANISATION_FIELDS
        if described.kind is Kind.CHANNEL
    },
    "contact_persons": _persons(publishable=True),
    "needs": _needs(public=True),
    "contact_persons_consent": _consents,
    "private_contact_persons": _persons(publishable=False),
    "private_needs": _needs(public=False),
    "offices": _offices_with_places,
    "partner_support": _partner_support,
    "network_roles": _network_roles,
    # Verification notes are staff notes; labels of private channels are private.
    "channel_details": _channel_details,
    "need_details": _need_details,
}


def full_columns(fields: Iterable[OrganisationField]) -> tuple[Column, ...]:
    """The full export's columns: every exported field, in the description's order.

    The private ones are for staff with organisations.view_private only.
    """
    return tuple(
        Column(
            described.name,
            _field(described.source) if described.plain else FULL_GETTERS[described.name],
            private=described.private,
            phone=described.channel == ContactChannel.Kind.PHONE,
            number=described.kind is Kind.INTEGER,
        )
        for described in exported_fields(fields)
    )


FULL = Layout(
    slug="organisations",
    filename_stem="organisations-osc",
    parts=ALL_PARTS,
    columns=full_columns(ORGANISATION_FIELDS),
)

# Tableau 13 of the Mali synthesis, "Annuaire des OSC interviewées".
ANNUAIRE = Layout(
    slug="annuaire",
    filename_stem="annuaire-osc",
    parts=("offices", "channels"),
    numbered=True,
    readable_phones=True,
    columns=(
        Column("name", _name_with_acronym, label=_("Name of the organisation")),
        Column("seat_address", _seat_address, label=_("Head office address")),
        Column(
            "phones", _all_channels(ContactChannel.Kind.PHONE), label=_("Phone numbers"), phone=True
        ),
        Column("emails", _all_channels(ContactChannel.Kind.EMAIL), label=_("E-mail addresses")),
        Column("web", _web, label=_("Web site")),
    ),
)

# Humanitarian Exchange Language: a hashtag row under the header.
HXL = Layout(
    slug="hxl",
    filename_stem="organisations-osc-hxl",
    parts=("zones", "themes", "channels", "services", "service_populations", "service_languages"),
    with_hxl=True,
    columns=(
        Column("slug", _field("slug"), hxl="#org +code"),
        Column("name", _field("name"), hxl="#org +name"),
        Column("acronym", _field("acronym"), hxl="#org +acronym"),
        Column("typology", _typology_name, hxl="#org +type"),
        Column("themes", _themes(1), hxl="#sector"),
        Column("countries", _countries, hxl="#country +code"),
        Column("regions", _zones_at(Zone.Level.REGION, "name"), hxl="#adm1 +name"),
        Column("region_codes", _zones_at(Zone.Level.REGION, "iso_code"), hxl="#adm1 +code"),
        Column("cercles", _zones_at(Zone.Level.CERCLE, "name"), hxl="#adm2 +name"),
        Column("emails", _all_channels(ContactChannel.Kind.EMAIL), hxl="#contact +email"),
        Column(
            "phones", _all_channels(ContactChannel.Kind.PHONE), hxl="#contact +phone", phone=True
        ),
        Column("websites", _all_channels(ContactChannel.Kind.WEBSITE), hxl="#contact +url"),
        # The organisation's published services: names, the people and languages they serve.
        Column("services", _service_names, hxl="#activity +name"),
        Column(
            "services_for",
            _service_catalogue("service_populations", "populations"),
            hxl="#activity +targeted",
        ),
        Column(
            "service_languages",
            _service_catalogue("service_languages", "languages"),
            hxl="#activity +language",
        ),
    ),
)

LAYOUTS = {layout.slug: layout for layout in (FULL, ANNUAIRE, HXL)}
