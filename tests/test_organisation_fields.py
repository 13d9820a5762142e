"""The organisation's fields are described once (organisations/fields.py): the API, the full
export, its import mapping and the import's field checks all follow the description."""

import csv
import io

import pytest
import yaml
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from exports.api.serializers import OrganisationSerializer, organisation_api_fields
from exports.full_mapping import MAPPING_FILE, full_export_mapping
from exports.layouts import FULL, Layout, full_columns
from exports.records import ExportLookups, base_fields, organisation_records
from exports.writers import csv_chunks
from organisations.fields import (
    ORGANISATION_FIELDS,
    Kind,
    OrganisationField,
    Visibility,
    api_fields,
    exported_fields,
)
from organisations.models import Organisation
from surveys import mapping
from surveys.mapping import MappingError, import_targets, parse_mapping
from tests.export_world import build_export_world

# A field the description does not give yet: the record's edit counter.
NEW_FIELD = OrganisationField("version", Kind.INTEGER)
EXTENDED = (*ORGANISATION_FIELDS, NEW_FIELD)


def test_it_names_each_field_once_per_reader():
    for names in (
        [field.name for field in api_fields()],
        [field.name for field in exported_fields()],
        list(import_targets()),
    ):
        assert len(names) == len(set(names))


def test_it_gives_the_api_export_and_import_the_described_fields():
    assert OrganisationSerializer.Meta.fields == [
        "url",
        "page",
        *(field.name for field in ORGANISATION_FIELDS if field.api),
    ]
    assert [column.name for column in FULL.columns] == [
        field.name for field in ORGANISATION_FIELDS if field.exported
    ]
    assert [column.name for column in FULL.columns if column.private] == [
        field.name
        for field in ORGANISATION_FIELDS
        if field.exported and field.visibility is not Visibility.PUBLIC
    ]
    assert {
        field.target or field.name
        for field in ORGANISATION_FIELDS
        if field.exported and field.kind not in (Kind.READABLE, Kind.NESTED, Kind.TIMESTAMP)
    } == mapping.ALL_FIELDS
    assert {f.name for f in ORGANISATION_FIELDS if f.kind is Kind.TEXT} == mapping.TEXT_FIELDS


def test_it_ships_the_mapping_the_description_gives():
    """``manage.py write_full_export_mapping`` rewrites it after a change of the description."""
    assert MAPPING_FILE.read_text(encoding="utf-8") == full_export_mapping()
    shipped = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))
    assert shipped["fields"]["aliases"] == "other_names"
    assert shipped["ignore"] == [
        "typology_name",
        "theme_names",
        "partner_names",
        "seat_address",
        "office_addresses",
    ]


def test_it_refuses_a_mapping_target_the_description_does_not_give():
    with pytest.raises(MappingError, match="Champ inconnu « version »"):
        parse_mapping("fields:\n  name: nom\n  version: v\n")


@pytest.mark.django_db
def test_it_carries_a_new_field_to_the_api_the_export_and_the_import(monkeypatch):
    world = build_export_world()
    Organisation.objects.filter(pk=world.ame.pk).update(version=7)

    class ExtendedSerializer(OrganisationSerializer):
        class Meta(OrganisationSerializer.Meta):
            fields = organisation_api_fields(EXTENDED)

    request = APIRequestFactory().get("/api/organisations/ame/")
    api_item = ExtendedSerializer(
        Organisation.objects.get(pk=world.ame.pk), context={"request": Request(request)}
    ).data
    assert list(api_item)[-1] == "version"
    assert api_item["version"] == 7

    monkeypatch.setattr("exports.records.BASE_FIELDS", base_fields(EXTENDED))
    layout = Layout(
        slug="extended", columns=full_columns(EXTENDED), parts=FULL.parts, filename_stem="x"
    )
    catalogues = ExportLookups()
    records = organisation_records(
        Organisation.objects.filter(pk=world.ame.pk), None, layout.parts, catalogues
    )
    text = b"".join(csv_chunks(layout, layout.columns_for(False), records, catalogues)).decode()
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[-1] == "version"
    assert row[-1] == "7"
    assert header[:-1] == [column.name for column in FULL.columns_for(False)]

    assert import_targets(EXTENDED)["version"] is NEW_FIELD
    assert "  version: version" in full_export_mapping(EXTENDED).splitlines()
