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

from django.db.models import QuerySet

from common.formulas import neutralise
from exports.records import ExportLookups, organisation_records
from exports.safety import is_plain_phone
from organisations.models import ContactChannel, Organisation, Theme, ThemeGroup, Typology, Zone

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://annuaire-osc-migrations/hsds")
HSDS_VERSION = "3.0"
UUID = {"type": "string", "format": "uuid"}


def hsds_id(table: str, *key) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join([table, *map(str, key)])))


@dataclass
class Table:
    """One CSV of the package: name, fields (name -> Table Schema type) and links."""

    name: str
    fields: dict[str, dict]
    foreign_keys: dict[str, str] = field(default_factory=dict)  # field -> resource
    unneutralised: tuple[str, ...] = ()  # fields written as they are (E.164 phones)

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
        return f"{self.name}.csv"

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
    """The package's schema: one Table per HSDS file, with its fields and foreign keys.

    It stays whole (111 lines) on purpose: it is data, read like the HSDS table list it
    mirrors, and every table's foreign keys name the others declared here.
    """
    tables = [
        Table(
            "organizations",
            {
                "id": UUID,
                **_text("name", "alternate_name", "description", "email", "website"),
                "year_incorporated": {"type": "integer"},
                **_text("legal_status", "uri"),
            },
        ),
        Table(
            "organization_identifiers",
            {
                "id": UUID,
                "organization_id": UUID,
                **_text("identifier_scheme", "identifier_type", "identifier"),
            },
            {"organization_id": "organizations"},
        ),
        Table(
            "services",
            {"id": UUID, "organization_id": UUID, **_text("name", "description", "status")},
            {"organization_id": "organizations"},
        ),
        Table(
            "locations",
            {
                "id": UUID,
                "organization_id": UUID,
                **_text("location_type", "name", "description"),
                "latitude": {"type": "number"},
                "longitude": {"type": "number"},
            },
            {"organization_id": "organizations"},
        ),
        Table(
            "addresses",
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
            {"location_id": "locations"},
        ),
        Table(
            "contacts",
            {"id": UUID, "organization_id": UUID, **_text("name", "title", "email")},
            {"organization_id": "organizations"},
        ),
        Table(
            "phones",
            {
                "id": UUID,
                "organization_id": UUID,
                "contact_id": UUID,
                **_text("number", "type", "description"),
            },
            {"organization_id": "organizations", "contact_id": "contacts"},
            unneutralised=("number",),
        ),
        Table(
            "urls",
            {"id": UUID, "organization_id": UUID, **_text("label", "url")},
            {"organization_id": "organizations"},
        ),
        Table(
            "service_areas",
            {"id": UUID, "service_id": UUID, **_text("name", "description", "uri")},
            {"service_id": "services"},
        ),
        Table(
            "funding",
            {"id": UUID, "organization_id": UUID, **_text("source")},
            {"organization_id": "organizations"},
        ),
        Table(
            "taxonomies",
            {"id": UUID, **_text("name", "description", "uri", "version")},
        ),
        Table(
            "taxonomy_terms",
            {
                "id": UUID,
                **_text("code", "name", "description"),
                "parent_id": UUID,
                "taxonomy_id": UUID,
                **_text("language"),
            },
            {"parent_id": "taxonomy_terms", "taxonomy_id": "taxonomies"},
        ),
        Table(
            "attributes",
            {
                "id": UUID,
                "link_id": UUID,
                "taxonomy_term_id": UUID,
                **_text("link_type", "link_entity", "value", "label"),
            },
            {"link_id": "organizations", "taxonomy_term_id": "taxonomy_terms"},
        ),
    ]
    return {table.name: table for table in tables}


THEMES = "themes"
TYPOLOGIES = "typologies"


def _legal_status(record) -> str:
    legal_form = Organisation.LegalForm(record["legal_form"]).label
    registration = Organisation.RegistrationKind(record["registration_kind"]).label
    parts = [str(legal_form), str(registration), record["registration_law"]]
    return "; ".join(part for part in parts if part)


def _write_taxonomies(tables: dict[str, Table]) -> None:
    taxonomies, terms = tables["taxonomies"], tables["taxonomy_terms"]
    taxonomies.add(
        id=hsds_id("taxonomy", THEMES),
        name="Thèmes de l'Annuaire OSC Migrations",
        description="Themes of intervention of organisations working on migration.",
        version="1",
    )
    taxonomies.add(
        id=hsds_id("taxonomy", TYPOLOGIES),
        name="Typologie des OSC (Annuaire OSC Migrations)",
        description="Families of civil-society organisations of the national mappings.",
        version="1",
    )
    themes_id = hsds_id("taxonomy", THEMES)
    for group in ThemeGroup.objects.order_by("position", "slug"):
        terms.add(
            id=hsds_id("taxonomy_term", THEMES, "group", group.slug),
            code=f"group:{group.slug}",
            name=group.name,
            description=group.name_en,
            taxonomy_id=themes_id,
            language="fr",
        )
    for theme in Theme.objects.select_related("group").order_by("position", "slug"):
        terms.add(
            id=hsds_id("taxonomy_term", THEMES, theme.slug),
            code=theme.slug,
            name=theme.name,
            description=theme.description or theme.name_en,
            parent_id=hsds_id("taxonomy_term", THEMES, "group", theme.group.slug)
            if theme.group_id
            else None,
            taxonomy_id=themes_id,
            language="fr",
        )
    typologies_id = hsds_id("taxonomy", TYPOLOGIES)
    for typology in Typology.objects.select_related("parent").order_by("position", "slug"):
        terms.add(
            id=hsds_id("taxonomy_term", TYPOLOGIES, typology.slug),
            code=typology.slug,
            name=typology.name,
            description=typology.description or typology.name_en,
            parent_id=hsds_id("taxonomy_term", TYPOLOGIES, typology.parent.slug)
            if typology.parent_id
            else None,
            taxonomy_id=typologies_id,
            language="fr",
        )


def _write_organisation(tables: dict[str, Table], record, catalogues: ExportLookups) -> None:
    slug = record["slug"]
    org_id = hsds_id("organization", slug)
    channels = record.part("channels")
    emails = [value for kind, value, *_rest in channels if kind == ContactChannel.Kind.EMAIL]
    websites = [value for kind, value, *_rest in channels if kind == ContactChannel.Kind.WEBSITE]
    tables["organizations"].add(
        id=org_id,
        name=record["name"],
        alternate_name=record["acronym"],
        description=record["description"],
        email=emails[0] if emails else "",
        website=websites[0] if websites else "",
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
    _write_offices(tables, record, catalogues, slug, org_id, nth)
    _write_service(tables, record, catalogues, slug, org_id)
    for (theme_id,) in record.part("themes"):
        _add_term(tables, slug, THEMES, "theme", catalogues.themes[theme_id])
    typology_id = record["typology_id"]
    if typology_id:
        _add_term(tables, slug, TYPOLOGIES, "typology", catalogues.typologies[typology_id])
    for partner_id, _support in record.part("partners"):
        partner_slug, partner_name, acronym = catalogues.partners[partner_id]
        tables["funding"].add(
            id=hsds_id("funding", slug, partner_slug),
            organization_id=org_id,
            source=f"{partner_name} ({acronym})" if acronym else partner_name,
        )


def _write_identifiers(tables: dict[str, Table], record, slug: str, org_id: str) -> None:
    """Our slug, then the identifiers other systems give the organisation."""
    tables["organization_identifiers"].add(
        id=hsds_id("organization_identifier", slug, "annuaire-osc", slug),
        organization_id=org_id,
        identifier_type="annuaire-osc-migrations slug",
        identifier=slug,
    )
    for scheme, value in record.part("identifiers"):
        tables["organization_identifiers"].add(
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
            tables["phones"].add(
                id=hsds_id("phone", slug, value),
                organization_id=org_id,
                number=value,
                type="voice",
                description=label,
            )
        elif kind == ContactChannel.Kind.EMAIL and value != (emails[0] if emails else None):
            # HSDS has one e-mail per organisation; the others go to a contact row.
            tables["contacts"].add(
                id=hsds_id("contact", slug, "email", value),
                organization_id=org_id,
                email=value,
                title=label,
            )
        elif kind == ContactChannel.Kind.SOCIAL or (
            kind == ContactChannel.Kind.WEBSITE and value != websites[0]
        ):
            tables["urls"].add(
                id=hsds_id("url", slug, value), organization_id=org_id, url=value, label=label
            )


def _write_persons(
    tables: dict[str, Table], record, slug: str, org_id: str, nth: Callable[..., tuple]
) -> None:
    """Each public contact person, with their phones."""
    for name, role, phone, phone_other, email, *_rest in record.part("persons"):
        person_key = nth("person", name)
        contact_id = hsds_id("contact", slug, *person_key)
        tables["contacts"].add(
            id=contact_id, organization_id=org_id, name=name, title=role, email=email
        )
        for number in (phone, phone_other):
            if number:
                tables["phones"].add(
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
) -> None:
    """Each seat or office: a location and its address (city, region, country)."""
    for kind, address, zone_id in record.part("offices"):
        office_key = nth(kind, address)
        location_id = hsds_id("location", slug, *office_key)
        zone = catalogues.zones.get(zone_id) if zone_id else None
        chain = catalogues.zone_chain(zone_id) if zone_id else []
        tables["locations"].add(
            id=location_id,
            organization_id=org_id,
            location_type="physical",
            name=f"{record['name']} ({kind})",
            description=catalogues.zone_path(zone_id) if zone_id else "",
        )
        country = next((e for e in chain if e.level == Zone.Level.COUNTRY), None)
        region = next((e for e in chain if e.level == Zone.Level.REGION), None)
        tables["addresses"].add(
            id=hsds_id("address", slug, *office_key),
            location_id=location_id,
            address_1=address,
            city=zone.name if zone and zone.level != Zone.Level.COUNTRY else "",
            state_province=region.name if region else "",
            country=country.iso_code if country else "",
            address_type="physical",
        )


def _write_service(
    tables: dict[str, Table], record, catalogues: ExportLookups, slug: str, org_id: str
) -> None:
    """The organisation's one service (its themes) and the zones it serves."""
    service_id = hsds_id("service", slug)
    theme_names = [catalogues.themes[theme_id][1] for (theme_id,) in record.part("themes")]
    tables["services"].add(
        id=service_id,
        organization_id=org_id,
        name=record["name"],
        description="; ".join(theme_names) or record["scope_detail"],
        status="active",
    )
    for (zone_id,) in record.part("zones"):
        path = catalogues.zone_path(zone_id)
        tables["service_areas"].add(
            id=hsds_id("service_area", slug, path),
            service_id=service_id,
            name=catalogues.zones[zone_id].name,
            description=path,
        )


def _add_term(
    tables: dict[str, Table], slug: str, taxonomy: str, link_type: str, term: tuple[str, str]
) -> None:
    """An attribute linking the organisation ``slug`` to a (slug, name) term of ``taxonomy``."""
    term_slug, term_name = term
    tables["attributes"].add(
        id=hsds_id("attribute", slug, taxonomy, term_slug),
        link_id=hsds_id("organization", slug),
        taxonomy_term_id=hsds_id("taxonomy_term", taxonomy, term_slug),
        link_type=link_type,
        link_entity="organization",
        label=term_name,
    )


def datapackage(tables: Iterable[Table]) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "annuaire-osc-migrations-hsds",
        "title": "Annuaire OSC Migrations (Open Referral HSDS 3.0)",
        "hsds_version": HSDS_VERSION,
        "resources": [table.resource() for table in tables],
    }


def hsds_zip(queryset: QuerySet[Organisation]):
    """The package for the public organisations of ``queryset``, as a rewound temp file."""
    tables = _tables()
    catalogues = ExportLookups()
    parts = ("identifiers", "zones", "themes", "partners", "offices", "channels", "persons")
    for record in organisation_records(queryset, None, parts, catalogues):
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
