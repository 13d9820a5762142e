"""The 3W long form: one row per organisation × place × theme, read back with libhxl as
humanitarian tools read it."""

import csv
import io
from collections import defaultdict

import hxl
import pytest
from django.urls import reverse

from organisations.factories import OrganisationFactory
from organisations.models import Organisation, Zone
from tests.gaps_world import HIDDEN, build_world

pytestmark = pytest.mark.django_db

THREE_W = "/exports/3w-hxl.csv"


def download(client, **query) -> bytes:
    response = client.get(THREE_W, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode().removeprefix("\ufeff"))))


def test_rows_cell_for_cell(client):
    world = build_world()
    OrganisationFactory(
        name="=HYPERLINK(1)", slug="sans-zone", typology=None, registration_country=world.mali
    )
    rows = rows_of(download(client))
    assert rows[:2] == [
        [
            "organisation",
            "organisation_code",
            "organisation_type",
            "sector",
            "country_code",
            "adm1_code",
            "adm1_name",
            "adm2_code",
            "adm2_name",
        ],
        [
            "#org +name",
            "#org +code",
            "#org +type",
            "#sector",
            "#country +code",
            "#adm1 +code",
            "#adm1 +name",
            "#adm2 +code",
            "#adm2 +name",
        ],
    ]
    kayes = ["ML", "ML-1", "Kayes"]
    assert rows[2:] == [
        # The list's order (by name).
        ["À Gao", "gao", "Associations", "Réinsertion", "ML", "ML-7", "Gao", "", ""],
        # A cercle's row names its region too.
        ["Dans un cercle", "cercle", "Associations", "Protection", *kayes, "", "Yélimané"],
        # Recorded in a commune: given as its cercle (with its P-code); no theme: one row
        # with an empty sector, so that it is still counted.
        ["Dans une commune", "commune", "Associations", "", *kayes, "ML0105", "Kita"],
        # Recorded at region level: no cercle.
        ["Dans une région", "region", "Associations", "Protection", *kayes, "", ""],
        ["Dans une région", "region", "Associations", "Réinsertion", *kayes, "", ""],
        # No zone: its country of registration; a formula is written as text (sorted as
        # « hyperlink 1 »).
        ["'=HYPERLINK(1)", "sans-zone", "", "", "ML", "", "", "", ""],
        # Country-wide: no region, no cercle.
        ["Partout", "partout", "Associations", "Protection", "ML", "", "", "", ""],
    ]


def test_libhxl_counts_the_organisations_of_each_region_as_the_database_does(client):
    world = build_world()
    OrganisationFactory(slug="deux-regions", zones=[world.gao, world.kita])
    dataset = hxl.data(io.BytesIO(download(client)))
    organisations = defaultdict(set)
    for row in dataset:
        organisations[row.get("#adm1+code")].add(row.get("#org+code"))
    published = Organisation.objects.published()
    for region in Zone.objects.filter(level="region"):
        assert len(organisations.get(region.iso_code, ())) == published.in_zone(region).count()
    assert {code: len(slugs) for code, slugs in organisations.items()} == {
        "ML-7": 2,  # à Gao, deux régions
        "ML-1": 4,  # a commune, a region, a cercle, deux régions
        None: 1,  # country-wide
    }
    # Every published organisation appears, with or without a theme.
    assert set().union(*organisations.values()) == set(published.values_list("slug", flat=True))
    assert [column.display_tag for column in dataset.columns][:2] == ["#org+name", "#org+code"]


def test_filtered_like_the_list(client):
    world = build_world()
    kayes = rows_of(download(client, zone=world.kayes.pk))[2:]
    assert {row[1] for row in kayes} == {"commune", "region", "cercle"}
    on_reinsertion = rows_of(download(client, theme="reinsertion"))[2:]
    # The organisations of the filtered list, each with all its places and themes.
    assert {(row[1], row[3]) for row in on_reinsertion} == {
        ("gao", "Réinsertion"),
        ("region", "Protection"),
        ("region", "Réinsertion"),
    }
    wrong = client.get(THREE_W, {"zone": "abc"})
    assert wrong.status_code == 400
    assert "zone" in wrong.content.decode().lower()


def test_public_data_only_even_for_staff(client, staff_client):
    build_world()
    for someone in (client, staff_client):
        body = download(someone).decode()
        assert HIDDEN not in body
        assert "Ségou" not in body  # only the hidden organisations work there


def test_linked_next_to_the_other_downloads(client):
    world = build_world()
    page = client.get(reverse("directory:organisation_list"), {"zone": world.kayes.pk})
    assert f'href="{THREE_W}?zone={world.kayes.pk}" download>3W' in page.content.decode()
