"""A small Mali catalogue and the reference mapping for the survey import tests."""

import io
from pathlib import Path

import pytest
import yaml
from django.utils import translation
from openpyxl import Workbook, load_workbook

from networks.models import Network
from organisations.factories import PartnerFactory, ThemeFactory, TypologyFactory, ZoneFactory
from organisations.models import Zone
from surveys.models import ImportMapping
from tests.data.make_reference_export import write_export

DATA = Path(__file__).parent / "data"
TYPOLOGY_SLUGS = [
    "organisations-locales",
    "associations-ong-nationales",
    "ong-internationales",
    "organisations-diasporas",
    "migrants-de-retour",
    "reseaux-plateformes",
]
THEMES = {
    "accompagnement-jeunes": "Accompagnement de jeunes",
    "droit-protection-femmes": "Droit et Protection de femmes",
    "droit-protection-enfants": "Droit et Protection des enfants",
    "assistance-migrants-transit": "Assistance des migrants en transit",
    "protection-maliens-exterieur": "Protection des Maliens de l'Extérieur/Diaspora",
    "migrants-de-retour": "Accueil, assistance et réinsertion des migrants de retour",
    "deplaces-internes-refugies": "Accueil, protection et assistance des déplacés internes",
    "cooperation-developpement-local": "Coopération et développement local",
}


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in their English source form, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture(name="world")
def world_fixture(db):
    mali = ZoneFactory(name="Mali", iso_code="ML")
    kayes = ZoneFactory(name="Kayes", level=Zone.Level.REGION, parent=mali, iso_code="ML-1")
    bamako = ZoneFactory(
        name="Bamako",
        level=Zone.Level.REGION,
        parent=mali,
        iso_code="ML-BKO",
        aliases="District de Bamako",
    )
    koulikoro = ZoneFactory(name="Koulikoro", level=Zone.Level.REGION, parent=mali, iso_code="ML-2")
    kayes_cercle = ZoneFactory(name="Kayes", level=Zone.Level.CERCLE, parent=kayes)
    diema = ZoneFactory(name="Diéma", level=Zone.Level.CERCLE, parent=kayes, aliases="Diema")
    senegal = ZoneFactory(name="Sénégal", iso_code="SN")
    typologies = {
        slug: TypologyFactory(slug=slug, name=slug.replace("-", " ")) for slug in TYPOLOGY_SLUGS
    }
    themes = {slug: ThemeFactory(slug=slug, name=name) for slug, name in THEMES.items()}
    eu = PartnerFactory(name="Union européenne", acronym="UE", slug="union-europeenne")
    fam = Network.objects.create(
        name="Forum des Associations Maliennes", acronym="FAM", slug="fam", level="national"
    )
    return {
        "mali": mali,
        "kayes": kayes,
        "kayes_cercle": kayes_cercle,
        "bamako": bamako,
        "koulikoro": koulikoro,
        "diema": diema,
        "senegal": senegal,
        "typologies": typologies,
        "themes": themes,
        "eu": eu,
        "fam": fam,
    }


REFERENCE_MAPPING = (DATA / "reference_mapping.yaml").read_text(encoding="utf-8")


def every_column_optional(definition: str) -> str:
    """The mapping with ``optional: true`` on every column: most tests give files of a few
    columns (the missing-column check has its own tests, with the mapping as written)."""
    data = yaml.safe_load(definition)
    data["fields"] = {
        target: {**(spec if isinstance(spec, dict) else {"column": spec}), "optional": True}
        for target, spec in data["fields"].items()
    }
    for key in ("identifier", "contact_persons"):
        if key in data:
            data[key]["optional"] = True
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(name="mapping")
def mapping_fixture(db):
    return ImportMapping.objects.create(
        name="Questionnaire de référence",
        slug="reference",
        definition=every_column_optional(REFERENCE_MAPPING),
    )


def reference_export(submissions) -> bytes:
    buffer = io.BytesIO()
    write_export(buffer, submissions)
    return buffer.getvalue()


def xlsx(rows, title="Sheet1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, separator=";", encoding="utf-8") -> bytes:
    lines = [separator.join(cells) for cells in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def workbook_sheets(content: bytes) -> dict[str, list[list[str]]]:
    """Every sheet of an XLSX workbook (the rows-in-error file), as rows of text."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [
            ["" if value is None else value for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in workbook.worksheets
    }
