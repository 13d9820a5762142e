"""The organisation's fields as the outside world reads and writes them, described once.

The API serializer, the full export's columns (and the mapping that imports them back)
and the survey import's field checks are all derived from ``ORGANISATION_FIELDS``: a field
added here appears in each of them. The order is the order of the API's keys and of the
full export's columns, which are only ever added at the end (README, "Full export columns").
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from django.db import models

from organisations.models import ContactChannel, Organisation


class Kind(Enum):
    """What a field holds, which says how a file cell is read and written."""

    SLUG = "slug"  # the organisation's address, kept by an import when it is free
    TEXT = "text"
    INTEGER = "integer"  # a whole number (a number cell in XLSX)
    CHOICE = "choice"  # one code of ``choices``
    LOOKUP = "lookup"  # a catalogue entry named by its code (typology, country, source)
    MANY = "many"  # several catalogue entries or names (many-to-many, other names)
    CHANNEL = "channel"  # contact channels of one kind (``channel``)
    ENTRIES = "entries"  # entries with parts, "a | b | c" joined with " ; "
    READABLE = "readable"  # a copy of other fields for people: exported, never imported
    NESTED = "nested"  # a list of objects (the API's offices, channels)
    TIMESTAMP = "timestamp"


class Visibility(Enum):
    PUBLIC = "public"
    # Only users allowed to see private data (organisations.view_private) get it.
    PRIVATE = "private"
    # Not secret, but of use to staff only: the API gives it to everyone (public callers
    # only ever get published records), the full export keeps it among the staff columns.
    STAFF = "staff"


@dataclass(frozen=True)
class OrganisationField:
    # The name in the full export's header and in the API.
    name: str
    kind: Kind
    visibility: Visibility = Visibility.PUBLIC
    # Where it is read: the model attribute (or query path) when it differs from ``name``.
    attribute: str = ""
    # The survey import's name for it, when it differs from ``name`` (see import_target).
    target: str = ""
    exported: bool = True
    api: bool = True
    choices: type[models.TextChoices] | None = None  # Kind.CHOICE
    channel: str = ""  # Kind.CHANNEL: a ContactChannel.Kind

    @property
    def source(self) -> str:
        return self.attribute or self.name

    @property
    def import_target(self) -> str:
        """The import mapping's name of the field; "" for what an import does not read."""
        if not self.exported or self.kind in (Kind.READABLE, Kind.NESTED, Kind.TIMESTAMP):
            return ""
        return self.target or self.name

    @property
    def plain(self) -> bool:
        """A column of the organisation's own table, written in files as it is stored."""
        return self.kind in (Kind.SLUG, Kind.TEXT, Kind.INTEGER, Kind.CHOICE)

    @property
    def private(self) -> bool:
        """Staff only in the full export."""
        return self.visibility is not Visibility.PUBLIC


def _text(name: str, **options) -> OrganisationField:
    return OrganisationField(name, Kind.TEXT, **options)


def _integer(name: str) -> OrganisationField:
    return OrganisationField(name, Kind.INTEGER)


def _choice(name: str, choices: type[models.TextChoices], **options) -> OrganisationField:
    return OrganisationField(name, Kind.CHOICE, choices=choices, **options)


def _entries(name: str, **options) -> OrganisationField:
    return OrganisationField(name, Kind.ENTRIES, api=False, **options)


def _readable(name: str) -> OrganisationField:
    return OrganisationField(name, Kind.READABLE, api=False)


def _channels(name: str, channel: str, visibility=Visibility.PUBLIC) -> OrganisationField:
    return OrganisationField(name, Kind.CHANNEL, visibility, channel=channel, api=False)


def _api_only(name: str, kind: Kind) -> OrganisationField:
    return OrganisationField(name, kind, exported=False)


Channel = ContactChannel.Kind
PRIVATE = Visibility.PRIVATE

ORGANISATION_FIELDS: tuple[OrganisationField, ...] = (
    OrganisationField("slug", Kind.SLUG),
    _text("name"),
    _text("acronym"),
    OrganisationField("other_names", Kind.MANY, attribute="aliases", target="aliases"),
    OrganisationField("typology", Kind.LOOKUP),
    _readable("typology_name"),
    _choice("legal_form", Organisation.LegalForm),
    _choice("registration_kind", Organisation.RegistrationKind),
    _text("registration_law"),
    OrganisationField("registration_country", Kind.LOOKUP),
    _text("registration_reference"),
    _integer("year_founded"),
    _choice("scope", Organisation.Scope),
    _text("scope_detail"),
    _text("description"),
    _choice("budget_band", Organisation.BudgetBand),
    _integer("members_individuals"),
    _integer("members_organisations"),
    _integer("members_countries"),
    _text("members_note"),
    _choice("website_status", Organisation.WebsiteStatus),
    _choice("survey_status", Organisation.SurveyStatus),
    OrganisationField("source", Kind.LOOKUP, api=False),
    _entries("identifiers"),
    OrganisationField("zones", Kind.MANY),
    OrganisationField("themes", Kind.MANY),
    _readable("theme_names"),
    OrganisationField("networks", Kind.MANY),
    OrganisationField("partners", Kind.MANY),
    _readable("partner_names"),
    _readable("seat_address"),
    _readable("office_addresses"),
    # The API's offices and channels as lists of objects; the full export gives channels in
    # the columns below and offices in its later "offices" column.
    _api_only("offices", Kind.NESTED),
    _api_only("channels", Kind.NESTED),
    _channels("phones", Channel.PHONE),
    _channels("emails", Channel.EMAIL),
    _channels("websites", Channel.WEBSITE),
    _channels("social_links", Channel.SOCIAL),
    # The API lists the persons and needs the caller may see; the export's columns hold
    # the public ones, the private ones further on.
    OrganisationField("contact_persons", Kind.ENTRIES),
    OrganisationField("needs", Kind.ENTRIES),
    _api_only("updated_at", Kind.TIMESTAMP),
    _choice("status", Organisation.Status, visibility=Visibility.STAFF),
    _text("staff_notes", visibility=PRIVATE),
    _channels("private_phones", Channel.PHONE, PRIVATE),
    _channels("private_emails", Channel.EMAIL, PRIVATE),
    _channels("private_websites", Channel.WEBSITE, PRIVATE),
    _channels("private_social_links", Channel.SOCIAL, PRIVATE),
    _entries("contact_persons_consent", visibility=PRIVATE),
    _entries("private_contact_persons", visibility=PRIVATE),
    _entries("private_needs", visibility=PRIVATE),
    # Added after the private columns: columns are only ever added at the end.
    _entries("offices"),
    _entries("partner_support"),
    _entries("network_roles"),
    _entries("channel_details", visibility=PRIVATE),
    _entries("need_details", visibility=PRIVATE),
)


# A description: ORGANISATION_FIELDS, or another in tests.
Description = Iterable[OrganisationField]


def api_fields(fields: Description | None = None) -> list[OrganisationField]:
    return [field for field in fields or ORGANISATION_FIELDS if field.api]


def exported_fields(fields: Description | None = None) -> list[OrganisationField]:
    return [field for field in fields or ORGANISATION_FIELDS if field.exported]


def importable_fields(fields: Description | None = None) -> list[OrganisationField]:
    return [field for field in fields or ORGANISATION_FIELDS if field.import_target]
