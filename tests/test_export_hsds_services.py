"""The HSDS 3.0 package: every table against HSDS's own schema, and real services."""

import datetime
import json
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction

from exports.hsds import PLACEHOLDER, hsds_id
from organisations import factories as org
from organisations.models import ContactChannel
from organisations.seed import load_mali_seed
from services.factories import ScheduleFactory, ServiceFactory
from services.models import Language, PopulationGroup, Service
from tests.test_export_hsds import HSDS_NAMES, package

pytestmark = pytest.mark.django_db

# HSDS 3.0's tabular schema (Open Referral, CC BY-SA 4.0: tests/data/hsds-3/LICENSE).
SCHEMA = json.loads(
    (Path(settings.BASE_DIR) / "tests/data/hsds-3/tabular.json").read_text(encoding="utf-8")
)["properties"]
# Required by HSDS, unknown to us, written empty rather than invented (README, "HSDS"):
# Mali has no postal codes, and the source may not say where an office is (MAHM's).
UNKNOWN_ALLOWED = {
    ("address", field) for field in ("postal_code", "city", "state_province", "country")
}


def required_fields(table: str) -> list[str]:
    items = SCHEMA[table]["items"]
    return [*items.get("required", []), *(items.get("tabular_required") or [])]


@pytest.fixture
def mali(db):
    with transaction.atomic():
        load_mali_seed()
        yield


def full_service() -> Service:
    """A published service with everything a service can say."""
    organisation = org.OrganisationFactory(slug="maison-accueil", name="Maison d'accueil")
    office = org.OfficeFactory(organisation=organisation, address="Yirimadio Zerny, Bamako")
    phone = org.ContactChannelFactory(organisation=organisation, value="+22375570494")
    email = org.ContactChannelFactory(
        organisation=organisation, kind="email", value="accueil@example.org"
    )
    private = org.ContactChannelFactory(
        organisation=organisation, value="+22396000001", is_public=False
    )
    service = ServiceFactory(
        organisation=organisation,
        name="Hébergement temporaire",
        name_en="Temporary shelter",
        eligibility="Migrants de retour sans logement",
        cost=Service.Cost.FREE,
        walk_in=True,
        by_referral=True,
        populations=[PopulationGroup.objects.get(slug="migrants-de-retour")],
        languages=[Language.objects.get(code="bm"), Language.objects.get(code="fr")],
        zones=[org.RegionFactory(name="Bamako")],
        staff_notes="NOTE-PRIVEE-HSDS",
    )
    service.offices.set([office])
    service.channels.set([phone, email, private])
    ScheduleFactory(
        service=service,
        office=office,
        days="MO,TU,WE",
        opens_at=datetime.time(8, 30),
        closes_at=datetime.time(17),
    )
    ServiceFactory(organisation=organisation, name="SERVICE-BROUILLON", status="draft")
    return service


def test_every_table_follows_the_hsds_3_schema(client, mali):
    full_service()
    descriptor, tables, _data = package(client)
    assert {resource["name"] for resource in descriptor["resources"]} == set(HSDS_NAMES.values())
    for resource in descriptor["resources"]:
        name = resource["name"]
        items = SCHEMA[name]["items"]
        assert resource["path"] == items["path"]
        columns = [spec["name"] for spec in resource["schema"]["fields"]]
        assert set(columns) <= set(items["properties"]), name
        for field in required_fields(name):
            assert field in columns, (name, field)
            if (name, field) in UNKNOWN_ALLOWED:
                continue
            empty = [row["id"] for row in tables[name] if not row[field]]
            assert empty == [], (name, field, len(empty))
        for column in columns:
            allowed = items["properties"][column].get("enum")
            if allowed:
                values = {row[column] for row in tables[name]} - {""}
                assert values <= set(allowed), (name, column, values)
    # The seed's 44 organisations, 20 of them without a description of their own.
    assert len(tables["organization"]) == 45
    assert all(row["description"] for row in tables["organization"])


TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]\d\d:\d\d)?$")


def has_format(spec: dict, value: str) -> bool:
    """Whether a CSV cell is what HSDS's property ``spec`` says (type, format, the data
    package's type)."""
    kind = spec.get("datapackage_type") or spec.get("format") or spec.get("type")
    checks = {
        "uuid": lambda v: bool(uuid.UUID(v)),
        "email": lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v),
        "uri": lambda v: urlsplit(v).scheme in {"http", "https"} and urlsplit(v).netloc,
        "number": float,
        "time": TIME.match,
        "date": datetime.date.fromisoformat,
        "date-time": datetime.datetime.fromisoformat,
        "datetime": datetime.datetime.fromisoformat,
    }
    try:
        return bool(checks.get(kind, lambda v: True)(value))
    except ValueError:
        return False


def test_every_value_has_the_format_hsds_3_gives_its_field(client, mali):
    full_service()
    descriptor, tables, _data = package(client)
    # An e-mail address the source misspelt is kept as written, flagged for verification
    # (ajdmorga@yahoofr): HSDS has no other column for it (README, "HSDS cannot hold").
    as_written = set(
        ContactChannel.objects.filter(kind="email", to_verify=True).values_list("value", flat=True)
    )
    checked = set()
    for resource in descriptor["resources"]:
        name = resource["name"]
        properties = SCHEMA[name]["items"]["properties"]
        for row in tables[name]:
            for column, value in row.items():
                if value and value not in as_written:
                    assert has_format(properties[column], value), (name, column, value)
                    checked.add(properties[column].get("datapackage_type") or "")
    # The service tables are not empty: their opening hours and dates were checked too.
    assert {"time", "datetime"} <= checked
    assert all(tables[name] for name in ("service_at_location", "schedule", "language"))


def test_an_organisation_without_a_description_gets_one_from_its_public_data(client, mali):
    _descriptor, tables, _data = package(client)
    (fam,) = [row for row in tables["organization"] if row["id"] == hsds_id("organization", "fam")]
    assert fam["description"].startswith("Réseaux et plateformes")


def test_real_services_fill_service_place_hours_language_and_contact(client):
    service = full_service()
    _descriptor, tables, data = package(client)
    service_id = hsds_id("service", "service", service.pk)
    (row,) = [r for r in tables["service"] if r["id"] == service_id]
    assert (row["name"], row["alternate_name"], row["status"]) == (
        "Hébergement temporaire",
        "Temporary shelter",
        "active",
    )
    assert row["eligibility_description"] == "Migrants de retour sans logement"
    assert row["fees_description"] == "Gratuit"
    assert row["application_process"] == "sans rendez-vous; sur orientation"
    assert row["email"] == "accueil@example.org"
    (at_location,) = tables["service_at_location"]
    assert at_location["service_id"] == service_id
    (schedule,) = tables["schedule"]
    assert (schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "MO,TU,WE",
        "08:30",
        "17:00",
    )
    assert schedule["service_at_location_id"] == at_location["id"]
    assert sorted((r["code"], r["name"]) for r in tables["language"]) == [
        ("bm", "Bambara"),
        ("fr", "Français"),
    ]
    assert [r["number"] for r in tables["phone"] if r["service_id"] == service_id] == [
        "+22375570494"
    ]
    assert [r["email"] for r in tables["contact"] if r["service_id"] == service_id] == [
        "accueil@example.org"
    ]
    assert [r["name"] for r in tables["service_area"] if r["service_id"] == service_id] == [
        "Bamako"
    ]
    people = [r["value"] for r in tables["attribute"] if r["link_id"] == service_id]
    assert people == ["Migrants de retour"]
    for private in (b"+22396000001", b"NOTE-PRIVEE-HSDS", b"SERVICE-BROUILLON"):
        assert private not in data


def test_an_organisation_without_services_keeps_a_marked_placeholder(client):
    organisation = org.OrganisationFactory(
        slug="sans-service", themes=[org.ThemeFactory(name="Protection")]
    )
    ServiceFactory(organisation=organisation, name="PROJET", status="draft")
    _descriptor, tables, _data = package(client)
    (placeholder,) = tables["service"]
    assert placeholder["id"] == hsds_id("service", "sans-service")
    assert placeholder["description"] == PLACEHOLDER + "Protection"
