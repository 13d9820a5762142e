"""The full export of the Mali seed, imported into a database without organisations
through the survey import and exports/mappings/full_export.yaml.

The import engine reads part of the export today (COVERED); README "Exports" lists the
rest (zones as paths, contact persons, needs, offices, status, slugs, private channels)
as the import's gaps.
"""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse

from organisations.models import ContactChannel, Organisation
from organisations.seed import load_mali_seed
from surveys.service import apply_import, load_mapping
from tests.export_world import PRIVATE_EMAIL, PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db

MAPPING = Path(__file__).resolve().parent.parent / "exports" / "mappings" / "full_export.yaml"
COVERED = [
    "name",
    "acronym",
    "typology",
    "typology_name",
    "legal_form",
    "registration_kind",
    "registration_law",
    "registration_country",
    "registration_reference",
    "year_founded",
    "scope",
    "scope_detail",
    "description",
    "budget_band",
    "members_individuals",
    "members_organisations",
    "members_countries",
    "members_note",
    "staff_notes",
    "themes",
    "theme_names",
    "networks",
    "partners",
    "partner_names",
    "phones",
    "websites",
]


def export(client, fmt: str) -> bytes:
    return b"".join(client.get(reverse("exports:full", args=[fmt])).streaming_content)


def rows_by_name(csv_bytes: bytes) -> dict[str, dict]:
    text = csv_bytes.decode().removeprefix("\ufeff")
    return {row["name"]: row for row in csv.DictReader(io.StringIO(text))}


def reimport(client, workbook: bytes) -> None:
    """Delete every organisation, then import ``workbook`` with the full-export mapping."""
    Organisation.objects.all().delete()
    mapping = load_mapping(str(MAPPING))
    plan, _batch = apply_import(workbook, "export.xlsx", mapping, client.user)
    assert [row.errors for row in plan.rows if row.errors] == []


def test_the_seed_comes_back_from_its_export(staff_client):
    load_mali_seed()
    before = rows_by_name(export(staff_client, "csv"))
    assert len(before) == Organisation.objects.count() > 20

    reimport(staff_client, export(staff_client, "xlsx"))

    after = rows_by_name(export(staff_client, "csv"))
    assert sorted(after) == sorted(before)
    for name, row in before.items():
        assert {c: after[name][c] for c in COVERED} == {c: row[c] for c in COVERED}, name
        # The import lower-cases e-mails (Infos@… becomes infos@…).
        assert after[name]["emails"] == row["emails"].lower(), name


def test_exporting_again_gives_the_same_file(staff_client):
    load_mali_seed()
    reimport(staff_client, export(staff_client, "xlsx"))
    first = export(staff_client, "csv")

    reimport(staff_client, export(staff_client, "xlsx"))

    assert export(staff_client, "csv") == first


def test_private_channels_are_never_imported_as_public(staff_client):
    build_export_world()
    reimport(staff_client, export(staff_client, "xlsx"))
    assert Organisation.objects.filter(name="Association Malienne des Expulsés").exists()
    assert not ContactChannel.objects.filter(value__in=[PRIVATE_PHONE, PRIVATE_EMAIL]).exists()
    public = ContactChannel.objects.filter(is_public=True).values_list("value", flat=True)
    assert "+22320241122" in public
