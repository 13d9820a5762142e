"""Spreadsheet formula injection is neutralised in every CSV and XLSX export."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from common.formulas import neutralise, restore
from organisations.factories import OfficeFactory, OrganisationFactory
from organisations.models import Organisation

DANGEROUS = ["=1+1", "+33 cmd", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_each_dangerous_prefix_gets_an_apostrophe_and_can_be_restored(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


@pytest.mark.parametrize("value", ["Bamako", "'already quoted", "", "a=b", "1-2"])
def test_harmless_cells_are_left_alone(value):
    assert neutralise(value) == value
    assert restore(value) == value


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_dangerous_prefix_is_neutralised_in_exports(client, fmt):
    for index, value in enumerate(DANGEROUS):
        organisation = OrganisationFactory(name=value, slug=f"danger-{index}", acronym="X")
        OfficeFactory(organisation=organisation, address=value)
    response = client.get(reverse("exports:annuaire", args=[fmt]))
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode().removeprefix("\ufeff"))))[1:]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        # XML turns a carriage return into a line feed; the apostrophe still leads.
        rows = [
            [str(value or "").replace("\n", "\r") for value in row]
            for row in sheet.iter_rows(min_row=2, values_only=True)
        ]
    names = sorted(row[1] for row in rows)
    addresses = sorted(row[2] for row in rows)
    assert names == sorted(f"'{value} (X)" for value in DANGEROUS)
    assert addresses == sorted(f"'{value}" for value in DANGEROUS)
    # The stored data is unchanged.
    assert sorted(Organisation.objects.values_list("name", flat=True)) == sorted(DANGEROUS)
