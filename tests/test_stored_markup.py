"""HTML and JavaScript stored in any field is shown as text: on every public page (French and
English), in the admin, in the CSV, XLSX, HXL and HSDS exports and in the API."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from networks.factories import MembershipFactory, NetworkFactory
from organisations.factories import (
    ContactChannelFactory,
    OfficeFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    RegionFactory,
    ThemeFactory,
    ZoneFactory,
)
from organisations.models import Zone
from services.factories import ServiceFactory
from tests.public_urls import directory_page_urls

SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'
NAME = f"Association {SCRIPT}"
# What a browser would run if a value were not escaped.
LIVE = [SCRIPT.encode(), b"<img src=x", b'href="javascript:']

pytestmark = pytest.mark.django_db


@pytest.fixture(name="planted")
def planted_fixture():
    mali = ZoneFactory(name="Mali", iso_code="ML")
    zone = RegionFactory(name=f"Kayes {IMG}", parent=mali, level=Zone.Level.REGION)
    theme = ThemeFactory(name=f"Retour {SCRIPT}")
    organisation = OrganisationFactory(
        name=NAME,
        acronym=IMG,
        description=f"Aide {SCRIPT} et {IMG}",
        zones=[zone],
        themes=[theme],
        registration_country=mali,
    )
    OrganisationAliasFactory(organisation=organisation, name=f"Alias {IMG}")
    OfficeFactory(organisation=organisation, address=f"Rue {SCRIPT}", zone=zone)
    for kind, value in [
        ("email", f"contact{IMG}@example.org"),
        ("website", "javascript:alert(document.domain)"),
        ("social", f"facebook.com/{SCRIPT}"),
        ("phone", f"+223 {IMG}"),
    ]:
        # A phone that is not a number is only stored flagged "to verify".
        ContactChannelFactory(
            organisation=organisation, kind=kind, value=value, to_verify=kind == "phone"
        )
    network = NetworkFactory(name=f"Réseau {SCRIPT}", acronym=IMG)
    MembershipFactory(organisation=organisation, network=network)
    organisation.refresh_search_text()
    ServiceFactory(
        organisation=organisation,
        name=f"Accueil {SCRIPT}",
        name_en=f"Welcome {SCRIPT}",
        description=f"Écoute {IMG}",
        description_en=f"Listening {IMG}",
        eligibility=f"Tous {SCRIPT}",
        cost="fee",
        cost_detail=f"500 F {IMG}",
        zones=[zone],
    )
    return {
        "organisation": organisation,
        "network": network,
        "theme": theme,
        "zone": zone,
    }


def _assert_inert(body: bytes, where: str) -> None:
    for fragment in LIVE:
        assert fragment not in body, (where, fragment)


def _public_urls(planted) -> list[str]:
    """The public HTML pages (the CSV of where help is missing is checked as a download)."""
    return [
        *(url for url in directory_page_urls(planted) if not url.endswith(".csv")),
        "/organisations/?q=association",
        "/en/organisations/?q=association",
    ]


def test_every_public_page_shows_the_markup_as_text(client, planted):
    seen_escaped = set()
    for url in _public_urls(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"] == "application/pdf":  # a profile sheet: text, no markup
            continue
        body = response.content
        _assert_inert(body, url)
        seen_escaped |= {value for value in (NAME, IMG, SCRIPT) if escape(value).encode() in body}
    assert seen_escaped == {NAME, IMG, SCRIPT}


def test_the_profile_shows_every_planted_field_escaped(client, planted):
    body = client.get(planted["organisation"].get_absolute_url()).content.decode()

    for shown in [
        escape(NAME),
        escape(IMG),  # acronym
        escape(f"Aide {SCRIPT} et {IMG}"),
        escape(f"Alias {IMG}"),
        escape(f"Rue {SCRIPT}"),
        escape(f"contact{IMG}@example.org"),
        escape(f"Réseau {SCRIPT}"),
        escape(f"Kayes {IMG}"),
        # Its service.
        escape(f"Accueil {SCRIPT}"),
        escape(f"Écoute {IMG}"),
        escape(f"Tous {SCRIPT}"),
        escape(f"500 F {IMG}"),
    ]:
        assert shown in body, shown
    _assert_inert(body.encode(), "profile")


def test_the_admin_shows_the_markup_as_text(admin_client, planted):
    organisation, network, zone = planted["organisation"], planted["network"], planted["zone"]
    urls = [
        reverse("admin:organisations_organisation_changelist"),
        reverse("admin:organisations_organisation_changelist") + "?q=association",
        reverse("admin:organisations_organisation_change", args=[organisation.pk]),
        reverse("admin:organisations_organisation_history", args=[organisation.pk]),
        reverse("admin:networks_network_changelist"),
        reverse("admin:networks_network_change", args=[network.pk]),
        reverse("admin:organisations_zone_changelist"),
        reverse("admin:organisations_zone_change", args=[zone.pk]),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        _assert_inert(response.content, url)
    change = admin_client.get(urls[2]).content.decode()
    assert escape(f"Alias {IMG}") in change
    assert escape(f"Rue {SCRIPT}") in change


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Disposition"].startswith("attachment"), url
    assert "html" not in response["Content-Type"], url
    return b"".join(response.streaming_content) if response.streaming else response.content


def _cells(text: str) -> set[str]:
    # A formula prefix (') added by the export is fine: the value is still text.
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=_separator(text))
    return {cell.removeprefix("'") for row in rows for cell in row}


def _separator(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


@pytest.mark.parametrize("name", ["annuaire", "full"])
def test_the_csv_exports_hold_the_markup_as_plain_cells(client, planted, name):
    cells = _cells(_download(client, reverse(f"exports:{name}", args=["csv"])).decode("utf-8"))
    # The directory's layout writes "name (acronym)" in one cell.
    assert any(NAME in cell for cell in cells)
    assert any(IMG in cell for cell in cells)
    assert f"Aide {SCRIPT} et {IMG}" in cells or name == "annuaire"


def test_the_hxl_export_holds_the_markup_as_plain_cells(client, planted):
    cells = _cells(_download(client, reverse("exports:hxl")).decode("utf-8"))
    assert NAME in cells


def test_the_3w_file_and_the_gaps_table_hold_the_markup_as_plain_cells(client, planted):
    three_w = _cells(_download(client, reverse("exports:three_w")).decode("utf-8"))
    assert NAME in three_w
    assert f"Kayes {IMG}" in three_w
    gaps = _cells(_download(client, reverse("directory:gaps_csv")).decode("utf-8"))
    assert f"Kayes {IMG}" in gaps


@pytest.mark.parametrize("name", ["annuaire", "full"])
def test_the_xlsx_exports_hold_the_markup_as_text_cells(client, planted, name):
    workbook = load_workbook(
        io.BytesIO(_download(client, reverse(f"exports:{name}", args=["xlsx"])))
    )
    values = [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert any(NAME in value for value in values)
    assert any(IMG in value for value in values)


def test_the_hsds_package_holds_the_markup_as_data(client, planted):
    archive = zipfile.ZipFile(io.BytesIO(_download(client, reverse("exports:hsds"))))
    names = archive.namelist()
    assert not [name for name in names if name.endswith((".html", ".htm", ".svg"))]
    cells = _cells(archive.read("organizations.csv").decode("utf-8"))
    assert NAME in cells
    assert f"Aide {SCRIPT} et {IMG}" in cells


def test_the_api_returns_the_markup_as_json_strings(client, planted):
    organisation = planted["organisation"]
    listing = client.get(reverse("api:organisation-list"), {"q": "association"})
    detail = client.get(reverse("api:organisation-detail", args=[organisation.slug]))
    network = client.get(reverse("api:network-detail", args=[planted["network"].slug]))

    for response in (listing, detail, network):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
    assert listing.json()["results"][0]["name"] == NAME
    assert detail.json()["acronym"] == IMG
    assert detail.json()["description"] == f"Aide {SCRIPT} et {IMG}"
    assert network.json()["name"] == f"Réseau {SCRIPT}"
