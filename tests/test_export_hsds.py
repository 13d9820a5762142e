"""The Open Referral HSDS 3.0 data package."""

import csv
import io
import json
import uuid
import zipfile

import pytest
from django.urls import reverse

from directory.facet_index import facet_index
from exports.hsds import hsds_id
from organisations.factories import OrganisationFactory
from tests.export_world import PRIVATE_EMAIL, PRIVATE_PERSON, PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db

# HSDS names a table in the singular and most of its files in the plural.
HSDS_NAMES = {
    "organizations.csv": "organization",
    "organization_identifiers.csv": "organization_identifier",
    "services.csv": "service",
    "locations.csv": "location",
    "addresses.csv": "address",
    "contacts.csv": "contact",
    "phones.csv": "phone",
    "service_at_location.csv": "service_at_location",
    "schedules.csv": "schedule",
    "languages.csv": "language",
    "service_areas.csv": "service_area",
    "funding.csv": "funding",
    "taxonomies.csv": "taxonomy",
    "taxonomy_terms.csv": "taxonomy_term",
    "attributes.csv": "attribute",
}

EXPECTED_FILES = {
    "organizations.csv",
    "organization_identifiers.csv",
    "services.csv",
    "locations.csv",
    "addresses.csv",
    "contacts.csv",
    "phones.csv",
    "service_at_location.csv",
    "schedules.csv",
    "languages.csv",
    "service_areas.csv",
    "funding.csv",
    "taxonomies.csv",
    "taxonomy_terms.csv",
    "attributes.csv",
    "datapackage.json",
}


def package(client, **params) -> tuple[dict, dict[str, list[dict]], bytes]:
    response = client.get(reverse("exports:hsds"), params)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(archive.namelist()) == EXPECTED_FILES
        descriptor = json.loads(archive.read("datapackage.json"))
        tables = {
            HSDS_NAMES[name]: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            for name in archive.namelist()
            if name.endswith(".csv")
        }
    return descriptor, tables, data


def test_every_file_parses_and_every_foreign_key_resolves(client):
    build_export_world()
    descriptor, tables, _data = package(client)
    assert descriptor["profile"] == "tabular-data-package"
    for resource in descriptor["resources"]:
        rows = tables[resource["name"]]
        field_names = [spec["name"] for spec in resource["schema"]["fields"]]
        assert rows == [] or list(rows[0]) == field_names
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), resource["name"]
        assert all(uuid.UUID(value).version == 5 for value in ids)
        for key in resource["schema"].get("foreignKeys", []):
            (column,) = key["fields"]
            targets = {row["id"] for row in tables[key["reference"]["resource"]]}
            for row in rows:
                assert row[column] == "" or row[column] in targets, (resource["name"], column)
    assert len(tables["organization"]) == 3
    assert {row["link_entity"] for row in tables["attribute"]} == {"organization"}


def test_a_known_organisation_maps_to_hsds_fields(client):
    build_export_world()
    _descriptor, tables, _data = package(client)
    ame_id = hsds_id("organization", "ame")
    (ame,) = [row for row in tables["organization"] if row["id"] == ame_id]
    assert ame["name"] == "Association Malienne des Expulsés"
    assert ame["alternate_name"] == "AME"
    assert ame["email"] == "expulsesmaliensbasta@yahoo.fr"
    assert ame["website"] == "https://www.expulsesmaliens.info"
    assert ame["year_incorporated"] == "1996"
    assert ame["description"] == '\'=HYPERLINK("http://evil")'
    phones = {row["number"] for row in tables["phone"] if row["organization_id"] == ame_id}
    # E.164 numbers stay as they are: no apostrophe in the machine-readable package.
    assert phones == {"+22320241122", "+22366772111", "+22376000000"}
    (address,) = [row for row in tables["address"] if "Djélibougou" in row["address_1"]]
    assert address["country"] == "ML"
    service = next(row for row in tables["service"] if row["organization_id"] == ame_id)
    areas = [
        row["description"] for row in tables["service_area"] if row["service_id"] == service["id"]
    ]
    assert areas == ["Mali > Kayes", "Mali > Kayes > Bafoulabé"]
    themes = {
        row["value"]
        for row in tables["attribute"]
        if row["link_id"] == ame_id and row["link_type"] == "theme"
    }
    assert themes == {"Protection", "Réinsertion"}
    assert [row["source"] for row in tables["funding"] if row["organization_id"] == ame_id] == [
        "Union européenne (UE)"
    ]
    identifiers = {
        (row["identifier_type"], row["identifier"])
        for row in tables["organization_identifier"]
        if row["organization_id"] == ame_id
    }
    assert identifiers == {("annuaire-osc-migrations slug", "ame"), ("kobo-uuid", "abc-123")}


def test_public_data_only_and_the_filters_apply(staff_client):
    world = build_export_world()
    _descriptor, tables, data = package(staff_client, zone=world.gao.pk)
    assert sorted(row["name"] for row in tables["organization"]) == [
        "Bloc d'Aide et d'Accompagnement des Migrants",
        "Maison du Migrant de Gao",
    ]
    _descriptor, _tables, data = package(staff_client)
    for planted in (PRIVATE_PHONE, PRIVATE_EMAIL, PRIVATE_PERSON):
        assert planted.encode() not in data


def test_identifiers_are_stable_from_one_export_to_the_next(client):
    build_export_world()
    first = package(client)[1]
    second = package(client)[1]
    assert first == second


def test_the_query_count_does_not_grow_with_the_rows(client, django_assert_max_num_queries):
    build_export_world()
    OrganisationFactory.create_batch(40)
    facet_index()  # the first list after a write builds the index: a fixed number of queries
    # ids, organisations, seven parts, eight service parts, five catalogues, theme groups,
    # themes, typologies, people served (twice: lookups and terms), languages.
    with django_assert_max_num_queries(28):
        _descriptor, tables, _data = package(client)
    assert len(tables["organization"]) == 43
