"""The profile sheet (one A4 page of PDF) and the PDF renderer's rules: shipped fonts only,
nothing fetched."""

import io
import socket

import pypdf
import pytest
from django.urls import reverse

from common.pdf import FONT_FILES, FONTS_DIR, LocalFetcher, render_pdf
from organisations.factories import OfficeFactory, OrganisationFactory, ZoneFactory
from tests.export_world import PRIVATE_EMAIL, PRIVATE_NOTES, PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db


def sheet(client, slug: str, language: str = ""):
    return client.get(language + reverse("directory:organisation_sheet", args=[slug]))


def pages_of(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_a_profile_sheet_is_one_page_with_the_public_profile(client):
    build_export_world()
    response = sheet(client, "ame")
    assert response["Content-Disposition"] == 'inline; filename="fiche-ame.pdf"'
    (text,) = pages_of(response)
    assert text.startswith("Annuaire OSC Migrations — Fiche Association Malienne des Expulsés")
    for shown in (
        "Djélibougou, route de Koulikoro, Bamako",
        "+223 20 24 11 22",
        "expulsesmaliensbasta@yahoo.fr",
        "Ousmane Diarra Président",  # a person who consented to publication
        "Associations de migrants de retour",
        "Réinsertion",
        "Kayes · Bafoulabé",
        "Réseau Migration (Membre fondateur)",
        "Fiche complète en ligne : http://testserver/organisations/ame/",
    ):
        assert shown in text
    for private in (PRIVATE_PHONE, "+223 99 99 99 99", PRIVATE_EMAIL, PRIVATE_NOTES, "PRIVATE"):
        assert private not in text


def test_the_english_sheet_has_english_labels(client):
    build_export_world()
    (text,) = pages_of(sheet(client, "ame", "/en"))
    assert "Profile sheet" in text and "Where it works" in text and "Full profile online" in text
    assert "Fiche complète" not in text


def test_a_long_profile_still_fits_one_page(client):
    mali = ZoneFactory(name="Mali", level="country")
    places = [ZoneFactory(name=f"Commune {n}", level="region", parent=mali) for n in range(80)]
    organisation = OrganisationFactory(description="Une phrase assez longue. " * 150, zones=places)
    (text,) = pages_of(sheet(client, organisation.slug))
    assert "et 56 autres lieux" in text  # 24 places named, then how many more


def test_a_draft_has_no_sheet_even_for_staff(staff_client):
    world = build_export_world()
    assert sheet(staff_client, world.draft.slug).status_code == 404


def test_the_profile_links_to_its_sheet(client):
    build_export_world()
    page = client.get(reverse("directory:organisation_detail", args=["ame"])).content.decode()
    assert f'href="{reverse("directory:organisation_sheet", args=["ame"])}"' in page


@pytest.mark.parametrize(
    "address",
    ["http://127.0.0.1:9/logo.png", "https://example.org/font.ttf", "file:///etc/hostname"],
)
def test_the_renderer_fetches_nothing_but_the_shipped_fonts(address):
    with pytest.raises(ValueError, match="local resources only"):
        LocalFetcher().fetch(address)
    font = (FONTS_DIR / FONT_FILES["normal"]).as_uri()
    response = LocalFetcher().fetch(font)
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    response.close()
    # A page naming a remote image is still made, without it.
    rendered = render_pdf(f'<p>Texte</p><img src="{address}" alt="logo">')
    assert rendered.pages == 1


def test_an_organisation_with_many_offices_still_fits_one_page(client):
    organisation = OrganisationFactory(description="Une phrase assez longue. " * 150)
    for n in range(120):
        OfficeFactory(
            organisation=organisation,
            kind="office" if n else "seat",
            address=f"Rue {n} du quartier de l'antenne numéro {n}, porte {n}, Bamako",
        )
    (text,) = pages_of(sheet(client, organisation.slug))
    assert "Rue 0 du quartier" in text and "Rue 5 du quartier" in text
    assert "Rue 6 du quartier" not in text
    assert "et 114 autres bureaux" in text  # 6 offices shown, then how many more


def test_making_the_pdfs_opens_no_network_connection(client, monkeypatch):
    """The sheet and the annuaire are made with sockets forbidden, and none is tried: their
    fonts and styles are the shipped ones (a stylesheet naming a remote address is caught)."""
    build_export_world()
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    (text,) = pages_of(sheet(client, "ame"))
    assert "Association Malienne des Expulsés" in text
    annuaire = client.get(reverse("exports:annuaire_pdf"))
    assert annuaire.status_code == 200
    body = b"".join(annuaire.streaming_content)
    assert len(pypdf.PdfReader(io.BytesIO(body)).pages) >= 3
    assert attempts == []
