"""Open Referral HSDS 3.0 tabular data package (a zip of CSV files + datapackage.json).

Public data only. Identifiers are UUIDs, as HSDS requires, derived with uuid5 from
stable keys (an organisation's slug, a theme's slug, an office's address…), so the
same data exported twice gives the same identifiers. README ("Exports", "HSDS") lists
how our fields map to HSDS and what HSDS cannot hold.
"""

import csv
import json
import tempfile
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from common.formulas import neutralise
from exports.records import ExportLookups, records_of_ids
from exports.safety import is_plain_phone
from organisations.models import ContactChannel, Organisation, Theme, ThemeGroup, Typology, Zone
from organisations.models.contacts import web_address
from services.models import PopulationGroup

SERVICE_PARTS = (
    "services",
    "service_populations",
    "service_languages",
    "service_themes",
    "service_zones",
    "service_offices",
    "service_schedules",
    "service_channels",
)

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://annuaire-osc-migrations/hsds")
HSDS_VERSION = "3.0"
UUID = {"type": "string", "format": "uuid"}


def hsds_id(table: str, *key) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join([table, *map(str, key)])))


@dataclass
class Table:
    """One CSV of the package: HSDS's table name, fields (name -> Table Schema type),
    links, and its file (HSDS names most files by the plural)."""

    name: str
    fields: dict[str, dict]
    foreign_keys: dict[str, str] = field(default_factory=dict)  # field -> resource
    unneutralised: tuple[str, ...] = ()  # fields written as they are (E.164 phones)
    file_name: str = ""

    def __post_init__(self):
        # Closed once copied into the zip.
        self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = csv.writer(self.file, lineterminator="\r\n")
        self.writer.writerow(list(self.fields))

    def add(self, **values) -> None:
        row = []
        for name in self.fields:
            text = "" if values.get(name) is None else str(values[name])
            keep = name in self.unneutralised and is_plain_phone(text)
            row.append(text if keep else neutralise(text))
        self.writer.writerow(row)

    @property
    def path(self) -> str:
        return self.file_name or f"{self.name}s.csv"

    def resource(self) -> dict:
        schema = {
            "fields": [{"name": name, **spec} for name, spec in self.fields.items()],
            "primaryKey": ["id"],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": [name], "reference": {"resource": target, "fields": ["id"]}}
                for name, target in self.foreign_keys.items()
            ]
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }


def _text(*names: str) -> dict[str, dict]:
    return {name: {"type": "string"} for name in names}


def _tables() -> dict[str, Table]:
    tables = [
        Table(
            "organization",
            {
                "id": UUID,
                **_text("name", "alternate_name", "description", "email", "website"),
                "year_incorporated": {"type": "integer"},
                **_text("legal_status", "uri"),
            },
        ),
        Table(
            "organization_identifier",
            {
                "id": UUID,
                "organization_id": UUID,
                **_text("identifier_scheme", "identifier_type", "identifier"),
            },
            {"organization_id": "organization"},
        ),
        Table(
            "service",
            {
                "id": UUID,
                "organization_id": UUID,
                **_text(
                    "name",
                    "alternate_name",
                    "description",
                    "url",
                    "email",
                    "status",
                    "application_process",
                    "fees_description",
                    "eligibility_description",
                    "last_modified",
                ),
            },
            {"organization_id": "organization"},
        ),
        Table(
            "location",
            {
                "id": UUID,
                "organization_id": UUID,
                **_text("location_type", "name", "description"),
                "latitude": {"type": "number"},
                "longitude": {"type": "number"},
            },
            {"organization_id": "organization"},
        ),
        Table(
            "service_at_location",
            {"id": UUID, "service_id": UUID, "location_id": UUID, **_text("description")},
            {"service_id": "service", "location_id": "location"},
            file_name="service_at_location.csv",
        ),
        Table(
            "address",
            {
                "id": UUID,
                "location_id": UUID,
                **_text(
                    "address_1",
                    "city",
                    "region",
                    "state_province",
                    "postal_code",
                    "country",
                    "address_type",
                ),
            },
            {"location_id": "location"},
            file_name="addresses.csv",
        ),
        Table(
            "contact",
            {
                "id": UUID,
                "organization_id": UUID,
                "service_id": UUID,
                **_text("name", "title", "email"),
            },
            {"organization_id": "organization", "service_id": "service"},
        ),
        Table(
            "phone",
            {
                "id": UUID,
                "organization_id": UUID,
                "service_id": UUID,
                "contact_id": UUID,
                **_text("number", "type", "description"),
            },
            {"organization_id": "organization", "service_id": "service", "contact_id": "contact"},
            unneutralised=("number",),
        ),
        Table(
            "schedule",
            {
                "id": UUID,
                "service_id": UUID,
                "service_at_location_id": UUID,
                **_text("freq", "byday", "opens_at", "closes_at", "description"),
            },
            {"service_id": "service", "service_at_location_id": "service_at_location"},
        ),
        Table(
            "language",
            {"id": UUID, "service_id": UUID, **_text("name", "code")},
            {"service_id": "service"},
        ),
        Table(
            "service_area",
            {"id": UUID, "service_id": UUID, **_text("name", "description", "uri")},
            {"service_id": "service"},
        ),
        Table(
            "funding",
            {"id": UUID, "organization_id": UUID, **_text("source")},
            {"organization_id": "organization"},
            file_name="funding.csv",
        ),
        Table(
            "taxonomy",
            {"id": UUID, **_text("name", "description", "uri", "version")},
            file_name="taxonomies.csv",
        ),
        Table(
            "taxonomy_term",
            {
                "id": UUID,
                **_text("code", "name", "description"),
                "parent_id": UUID,
                "taxonomy_id": UUID,
                **_text("language"),
            },
            {"parent_id": "taxonomy_term", "taxonomy_id": "taxonomy"},
        ),
        # link_id names an organization or a service (link_entity says which).
        Table(
            "attribute",
            {
                "id": UUID,
                "link_id": UUID,
                "taxonomy_term_id": UUID,
                **_text("link_type", "link_entity", "value"),
            },
            {"taxonomy_term_id": "taxonomy_term"},
        ),
    ]
    return {table.name: table for table in tables}


THEMES = "themes"
TYPOLOGIES = "typologies"
LINKS = "links"
POPULATIONS = "populations"
LINK_TYPES = {THEMES: "theme", TYPOLOGIES: "typology", LINKS: "link", POPULATIONS: "population"}
# A placeholder service stands for the organisation's work as a whole (HSDS hangs areas on
# services); its description says so.
PLACEHOLDER = "Service générique (aucun service décrit) : "
ACCESS_MODES = (
    ("walk_in", "sans rendez-vous"),
    ("by_appointment", "sur rendez-vous"),
    ("by_referral", "sur orientation"),
    ("by_phone", "par ligne téléphonique ou WhatsApp"),
)
COSTS = {"free": "Gratuit", "fee": "Payant", "varies": "Variable"}


def _legal_status(record) -> str:
    legal_form = Organisation.LegalForm(record["legal_form"]).label
    registration = Organisation.RegistrationKind(record["registration_kind"]).label
    parts = [str(legal_form), str(registration), record["registration_law"]]
    return "; ".join(part for part in parts if part)


def _taxonomy(tables, code: str, name: str, description: str) -> str:
    taxonomy_id = hsds_id("taxonomy", code)
    tables["taxonomy"].add(id=taxonomy_id, name=name, description=description, version="1")
    return taxonomy_id


def _term(tables, taxonomy: str, code: str, name: str, description: str, **extra) -> None:
    tables["taxonomy_term"].add(
        id=hsds_id("taxonomy_term", taxonomy, code),
        code=code,
        name=name,
        description=description or name,  # HSDS requires a description
        taxonomy_id=hsds_id("taxonomy", taxonomy),
        language="fr",
        **extra,
    )


def _write_taxonomies(tables: dict[str, Table]) -> None:
    _taxonomy(
        tables,
        THEMES,
        "Thèmes de l'Annuaire OSC Migrations",
        "Themes of intervention of organisations working on migration.",
    )
    _taxonomy(
        tables,
        TYPOLOGIES,
        "Typologie des OSC (Annuaire OSC Migrations)",
        "Families of civil-society organisations of the national mappings.",
    )
    _taxonomy(
        tables,
        LINKS,
        "Liens (Annuaire OSC Migrations)",
        "Other web sites and social network pages of an organisation (attribute value).",
    )
    _taxonomy(
        tables,
        POPULATIONS,
        "Publics servis (Annuaire OSC Migrations)",
        "The people a service is meant for.",
    )
    for group in ThemeGroup.objects.order_by("position", "slug"):
        _term(tables, THEMES, f"group:{group.slug}", group.name, group.name_en)
    for theme in Theme.objects.select_related("group").order_by("position", "slug"):
        parent = theme.group_id and hsds_id("taxonomy_term", THEMES, f"group:{theme.group.slug}")
        _term(
            tables,
            THEMES,
            theme.slug,
            theme.name,
            theme.description or theme.name_en,
            parent_id=parent or None,
        )
    for typology in Typology.objects.select_related("parent").order_by("position", "slug"):
        parent = (
            hsds_id("taxonomy_term", TYPOLOGIES, typology.parent.slug)
            if typology.parent_id
            else None
        )
        _term(
            tables,
            TYPOLOGIES,
            typology.slug,
            typology.name,
            typology.description or typology.name_en,
            parent_id=parent,
        )
    _term(tables, LINKS, ContactChannel.Kind.WEBSITE, "Site web", "Web site")
    _term(tables, LINKS, ContactChannel.Kind.SOCIAL, "Réseau social", "Social network page")
    for population in PopulationGroup.objects.order_by("position", "slug"):
        _term(tables, POPULATIONS, population.slug, population.name, population.name_en)


def _fallback_description(record, catalogues: ExportLookups) -> str:
    """What the public data says of an organisation without a description (HSDS requires
    one): its typology, scope and themes, in the directory's language."""
    parts = []
    if record["typology_id"]:
        parts.append(catalogues.typologies[record["typology_id"]][1] + ".")
    if record["scope_detail"]:
        parts.append(f"Zone d'intervention : {record['scope_detail']}.")
    themes = [catalogues.themes[theme_id][1] for (theme_id,) in record.part("themes")]
    if themes:
        parts.append(f"Thèmes : {'; '.join(themes)}.")
    return " ".join(parts) or f"{record['name']} (annuaire OSC Migrations)."


def _attribute(tables, link_id: str, taxonomy: str, code: str, entity: str, value: str) -> None:
    tables["attribute"].add(
        id=hsds_id("attribute", link_id, taxonomy, code, value),
        link_id=link_id,
        taxonomy_term_id=hsds_id("taxonomy_term", taxonomy, code),
        link_type=LINK_TYPES[taxonomy],
        link_entity=entity,
        value=value,
    )


def _by_service(rows: list[tuple]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for service_id, *values in rows:
        grouped.setdefault(service_id, []).append(tuple(values))
    return grouped


SERVICE_LINKS = ("populations", "languages", "themes", "zones", "offices", "schedules", "channels")


def _write_services(
    tables: dict[str, Table],
    record,
    org_id: str,
    locations: dict[tuple[str, str], str],
    catalogues: ExportLookups,
) -> None:
    """The organisation's published services with their places, hours, languages, people
    served, themes, areas and own contacts."""
    links = {name: _by_service(record.part(f"service_{name}")) for name in SERVICE_LINKS}
    for service_pk, *fields in record.part("services"):
        service_id = hsds_id("service", "service", service_pk)
        channels = links["channels"].get(service_pk, [])
        _write_service_row(tables, service_id, org_id, fields, channels)
        _write_service_contacts(tables, service_pk, service_id, channels)
        _write_service_places(
            tables,
            service_pk,
            service_id,
            [locations[office] for office in links["offices"].get(service_pk, [])],
            links["schedules"].get(service_pk, []),
            locations,
        )
        for (language_id,) in links["languages"].get(service_pk, []):
            code, language_name = catalogues.languages[language_id]
            tables["language"].add(
                id=hsds_id("language", service_pk, code),
                service_id=service_id,
                name=language_name,
                code=code,
            )
        for (zone_id,) in links["zones"].get(service_pk, []):
            _service_area(tables, service_id, zone_id, catalogues)
        for (population_id,) in links["populations"].get(service_pk, []):
            slug, label = catalogues.populations[population_id]
            _attribute(tables, service_id, POPULATIONS, slug, "service", label)
        for (theme_id,) in links["themes"].get(service_pk, []):
            theme_slug, theme_name = catalogues.themes[theme_id]
            _attribute(tables, service_id, THEMES, theme_slug, "service", theme_name)


def _write_service_row(
    tables: dict[str, Table], service_id: str, org_id: str, fields: list, channels: list[tuple]
) -> None:
    name, name_en, description, _description_en, eligibility, cost, cost_detail, *rest = fields
    *modes, updated_at = rest
    emails = [value for kind, value, _label in channels if kind == ContactChannel.Kind.EMAIL]
    websites = [
        address
        for kind, value, _label in channels
        if kind == ContactChannel.Kind.WEBSITE and (address := web_address(value))
    ]
    offered = [label for (_field, label), on in zip(ACCESS_MODES, modes, strict=True) if on]
    tables["service"].add(
        id=service_id,
        organization_id=org_id,
        name=name,
        alternate_name=name_en,
        description=description,
        url=websites[0] if websites else "",
        email=emails[0] if emails else "",
        status="active",
        application_process="; ".join(offered),
        fees_description="; ".join(part for part in (COSTS.get(cost, ""), cost_detail) if part),
        eligibility_description=eligibility,
        last_modified=updated_at.isoformat(),
    )


def _write_service_contacts(
    tables: dict[str, Table], service_pk: int, service_id: str, channels: list[tuple]
) -> None:
    """The service's own public phones, and its e-mails as contacts."""
    for kind, value, label in channels:
        if kind == ContactChannel.Kind.PHONE:
            tables["phone"].add(
                id=hsds_id("phone", "service", service_pk, value),
                service_id=service_id,
                number=value,
                type="voice",
                description=label,
            )
        elif kind == ContactChannel.Kind.EMAIL:
            tables["contact"].add(
                id=hsds_id("contact", "service", service_pk, value),
                service_id=service_id,
                email=value,
                title=label,
            )


def _write_service_places(
    tables: dict[str, Table],
    service_pk: int,
    service_id: str,
    location_ids: list[str],
    schedules: list[tuple],
    locations: dict[tuple[str, str], str],
) -> None:
    """Where the service is delivered, and its opening hours there or everywhere."""
    at_location = {}
    for location_id in location_ids:
        at_location[location_id] = hsds_id("service_at_location", service_pk, location_id)
        tables["service_at_location"].add(
            id=at_location[location_id], service_id=service_id, location_id=location_id
        )
    for schedule_pk, days, opens_at, closes_at, note, office_kind, address in schedules:
        location_id = locations.get((office_kind, address))
        tables["schedule"].add(
            id=hsds_id("schedule", schedule_pk),
            service_id=service_id,
            service_at_location_id=at_location.get(location_id),
            freq="WEEKLY",
            byday=days,
            opens_at=f"{opens_at:%H:%M}",
            closes_at=f"{closes_at:%H:%M}",
            description=note,
        )


def _write_placeholder_service(
    tables: dict[str, Table], record, catalogues: ExportLookups, slug: str, org_id: str
) -> None:
    """An organisation without a published service: one service standing for its work as a
    whole (HSDS hangs areas on services), marked as such in its description."""
    service_id = hsds_id("service", slug)
    theme_names = [catalogues.themes[theme_id][1] for (theme_id,) in record.part("themes")]
    tables["service"].add(
        id=service_id,
        organization_id=org_id,
        name=record["name"],
        description=PLACEHOLDER + ("; ".join(theme_names) or record["scope_detail"]),
        status="active",
    )
    for (zone_id,) in record.part("zones"):
        _service_area(tables, service_id, zone_id, catalogues)


def _service_area(tables, service_id: str, zone_id: int, catalogues: ExportLookups) -> None:
    path = catalogues.zone_path(zone_id)
    tables["service_area"].add(
        id=hsds_id("service_area", service_id, path),
        service_id=service_id,
        name=catalogues.zones[zone_id].name,
        description=path,
    )


def _write_organisation(tables: dict[str, Table], record, catalogues: ExportLookups) -> None:
    slug = record["slug"]
    org_id = hsds_id("organization", slug)
    channels = record.part("channels")
    emails = [value for kind, value, *_rest in channels if kind == ContactChannel.Kind.EMAIL]
    # HSDS's website is an absolute address ("www.amsr.org" is written https://www.amsr.org);
    # a value that is no address goes with the other sites.
    websites = [
        value
        for kind, value, *_rest in channels
        if kind == ContactChannel.Kind.WEBSITE and web_address(value)
    ]
    tables["organization"].add(
        id=org_id,
        name=record["name"],
        alternate_name=record["acronym"],
        description=record["description"] or _fallback_description(record, catalogues),
        email=emails[0] if emails else "",
        website=web_address(websites[0]) if websites else "",
        year_incorporated=record["year_founded"],
        legal_status=_legal_status(record),
    )
    _write_identifiers(tables, record, slug, org_id)
    _write_channels(tables, channels, slug, org_id, emails, websites)
    # Two persons (or offices) may share a name (an address): the n-th gets its rank.
    occurrences: Counter = Counter()

    def nth(*key) -> tuple:
        occurrences[key] += 1
        return key if occurrences[key] == 1 else (*key, occurrences[key])

    _write_persons(tables, record, slug, org_id, nth)
    locations = _write_offices(tables, record, catalogues, slug, org_id, nth)
    if record.part("services"):
        _write_services(tables, record, org_id, locations, catalogues)
    else:
        _write_placeholder_service(tables, record, catalogues, slug, org_id)
    for (theme_id,) in record.part("themes"):
        theme_slug, theme_name = catalogues.themes[theme_id]
        _attribute(tables, org_id, THEMES, theme_slug, "organization", theme_name)
    typology_id = record["typology_id"]
    if typology_id:
        typology_slug, typology_name = catalogues.typologies[typology_id]
        _attribute(tables, org_id, TYPOLOGIES, typology_slug, "organization", typology_name)
    for partner_id, _support in record.part("partners"):
        partner_slug, partner_name, acronym = catalogues.partners[partner_id]
        tables["funding"].add(
            id=hsds_id("funding", slug, partner_slug),
            organization_id=org_id,
            source=f"{partner_name} ({acronym})" if acronym else partner_name,
        )


def _write_identifiers(tables: dict[str, Table], record, slug: str, org_id: str) -> None:
    """Our slug, then the identifiers other systems give the organisation."""
    tables["organization_identifier"].add(
        id=hsds_id("organization_identifier", slug, "annuaire-osc", slug),
        organization_id=org_id,
        identifier_type="annuaire-osc-migrations slug",
        identifier=slug,
    )
    for scheme, value in record.part("identifiers"):
        tables["organization_identifier"].add(
            id=hsds_id("organization_identifier", slug, scheme, value),
            organization_id=org_id,
            identifier_type=scheme,
            identifier=value,
        )


def _write_channels(
    tables: dict[str, Table],
    channels: list,
    slug: str,
    org_id: str,
    emails: list[str],
    websites: list[str],
) -> None:
    """Phones, and the e-mails and web sites beyond the organisation's first ones."""
    for kind, value, _public, label, *_verification in channels:
        if kind == ContactChannel.Kind.PHONE:
            tables["phone"].add(
                id=hsds_id("phone", slug, value),
                organization_id=org_id,
                number=value,
                type="voice",
                description=label,
            )
        elif kind == ContactChannel.Kind.EMAIL and value != (emails[0] if emails else None):
            # HSDS has one e-mail per organisation; the others go to a contact row.
            tables["contact"].add(
                id=hsds_id("contact", slug, "email", value),
                organization_id=org_id,
                email=value,
                title=label,
            )
        elif kind == ContactChannel.Kind.SOCIAL or (
            kind == ContactChannel.Kind.WEBSITE and value != (websites[0] if websites else None)
        ):
            # HSDS 3.0 has no table of links: other sites are attributes of the organisation
            # (and an attribute has no label: README, "HSDS cannot hold").
            _attribute(tables, org_id, LINKS, kind, "organization", value)


def _write_persons(
    tables: dict[str, Table], record, slug: str, org_id: str, nth: Callable[..., tuple]
) -> None:
    """Each public contact person, with their phones."""
    for name, role, phone, phone_other, email, *_rest in record.part("persons"):
        person_key = nth("person", name)
        contact_id = hsds_id("contact", slug, *person_key)
        tables["contact"].add(
            id=contact_id, organization_id=org_id, name=name, title=role, email=email
        )
        for number in (phone, phone_other):
            if number:
                tables["phone"].add(
                    id=hsds_id("phone", slug, *person_key, number),
                    organization_id=org_id,
                    contact_id=contact_id,
                    number=number,
                    type="voice",
                )


def _write_offices(
    tables: dict[str, Table],
    record,
    catalogues: ExportLookups,
    slug: str,
    org_id: str,
    nth: Callable[..., tuple],
) -> dict[tuple[str, str], str]:
    """Each seat or office: a location and its address (city, region, country). Returns
    each (kind, address)'s location, for the services delivered there."""
    locations: dict[tuple[str, str], str] = {}
    for kind, address, zone_id in record.part("offices"):
        office_key = nth(kind, address)
        location_id = hsds_id("location", slug, *office_key)
        locations.setdefault((kind, address), location_id)
        zone = catalogues.zones.get(zone_id) if zone_id else None
        chain = catalogues.zone_chain(zone_id) if zone_id else []
        tables["location"].add(
            id=location_id,
            organization_id=org_id,
            location_type="physical",
            name=f"{record['name']} ({kind})",
            description=catalogues.zone_path(zone_id) if zone_id else "",
        )
        country = next((e for e in chain if e.level == Zone.Level.COUNTRY), None)
        region = next((e for e in chain if e.level == Zone.Level.REGION), None)
        tables["address"].add(
            id=hsds_id("address", slug, *office_key),
            location_id=location_id,
            address_1=address,
            city=zone.name if zone and zone.level != Zone.Level.COUNTRY else "",
            state_province=region.name if region else "",
            country=country.iso_code if country else "",
            address_type="physical",
        )
    return locations


def datapackage(tables: Iterable[Table]) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "annuaire-osc-migrations-hsds",
        "title": "Annuaire OSC Migrations (Open Referral HSDS 3.0)",
        "hsds_version": HSDS_VERSION,
        "resources": [table.resource() for table in tables],
    }


def hsds_zip(ids: list[int]):
    """The package for the published organisations ``ids``, as a rewound temp file."""
    tables = _tables()
    catalogues = ExportLookups()
    parts = (
        *("identifiers", "zones", "themes", "partners", "offices", "channels", "persons"),
        *SERVICE_PARTS,
    )
    for record in records_of_ids(ids, None, parts, catalogues):
        _write_organisation(tables, record, catalogues)
    _write_taxonomies(tables)
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for table in tables.values():
            table.file.seek(0)
            with package.open(table.path, "w") as member:
                while chunk := table.file.read(64 * 1024):
                    member.write(chunk.encode())
            table.file.close()
        package.writestr(
            "datapackage.json",
            json.dumps(datapackage(tables.values()), ensure_ascii=False, indent=2),
        )
    output.seek(0)
    return output
