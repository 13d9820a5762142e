"""Nothing lost, nothing altered: the rows-in-error file imports back to the original values,
missing columns are errors, phones are kept when invalid, zones abroad resolve, KoboToolbox
codes need no listing, created entries are named from the answer, undo removes everything."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from crm.reports import quality_lists
from organisations.factories import ThemeFactory, ZoneFactory
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Organisation,
    Partner,
    Source,
    Theme,
    Zone,
)
from surveys.applying import PlanHasErrors
from surveys.models import ImportBatch, ImportMapping
from surveys.service import apply_import, error_rows_file, preview_import
from surveys.undoing import undo_batch
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    REFERENCE_MAPPING,
    csv_bytes,
    english_messages,
    mapping_fixture,
    reference_export,
    workbook_sheets,
    world_fixture,
)

DIASPORA = {
    "identification/nom_osc": "Association des Maliens de Montreuil",
    "identification/sigle": "AMM",
    "identification/type_osc": "diaspora",
    "identification/telephones": "+33 1 48 70 00 00",
    "historique/annee_creation": 1985,
    # A zone abroad, written as its ISO code, and a town the catalogue has there.
    "activites/zones": "FR; Montreuil",
    "activites/themes": "diaspora developpement",
    "_uuid": "uuid-amm",
    "contacts": [("Awa Keita", "Présidente", "+33 6 12 34 56 78", "awa@example.org")],
}


@pytest.fixture(name="strict")
def strict_mapping(world):
    """The reference mapping as shipped: every column it names must be in the file."""
    france = ZoneFactory(name="France", iso_code="FR", name_en="France")
    ile_de_france = ZoneFactory(name="Île-de-France", level=Zone.Level.REGION, parent=france)
    ZoneFactory(name="Montreuil", level=Zone.Level.COMMUNE, parent=ile_de_france)
    return ImportMapping.objects.create(
        name="Référence", slug="strict", definition=REFERENCE_MAPPING
    )


@pytest.fixture
def importer(client, django_user_model):
    user = django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_survey"))
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _snapshot(names: list[str]) -> dict:
    """Every stored value of these organisations and of their parts (ids and times aside)."""
    # verified_at: when the import confirmed the organisation (issue 18), a time too.
    skip = {"id", "created_at", "updated_at", "verified_at", "source_id", "organisation_id"}

    def values(obj) -> dict:
        return {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in skip
        }

    found = {}
    for org in Organisation.objects.filter(name__in=names).order_by("name"):
        found[org.name] = {
            **values(org),
            "source": org.source.code,
            "zones": sorted(org.zones.values_list("name", flat=True)),
            "themes": sorted(org.themes.values_list("slug", flat=True)),
            "partners": sorted(org.partners.values_list("slug", flat=True)),
            "aliases": sorted(org.aliases.values_list("name", flat=True)),
            "identifiers": sorted(org.identifiers.values_list("scheme", "value")),
            "channels": sorted(tuple(sorted(values(c).items())) for c in org.channels.all()),
            "persons": sorted(tuple(sorted(values(p).items())) for p in org.contact_persons.all()),
        }
    assert sorted(found) == sorted(names)
    return found


def _correct(content: bytes, corrections: dict[tuple[str, str], str]) -> bytes:
    """The rows-in-error workbook with cells replaced, keyed by (organisation's uuid, header),
    as a person fixing it in a spreadsheet would."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        uuid = row[headers.index("_uuid")].value
        for (wanted, header), value in corrections.items():
            if wanted == uuid:
                row[headers.index(header)].value = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_the_rows_in_error_file_imports_back_to_the_original_values(importer, strict):
    ame, ardd, rapatriees = EXAMPLE_SUBMISSIONS
    corrected = [ame, ardd, rapatriees, DIASPORA]
    broken = [
        ame,
        # An empty name, a formula and a year that is not one: three rows in error, with
        # the contact persons of the repeat sheet of two of them.
        {**ardd, "identification/nom_osc": ""},
        {**rapatriees, "identification/sigle": '=HYPERLINK("http://evil")'},
        {**DIASPORA, "historique/annee_creation": "19 quatre-vingt-cinq"},
    ]
    names = [s["identification/nom_osc"] for s in corrected[1:]]
    # The clean import of the corrected original, to compare with; undone afterwards.
    _plan, clean = apply_import(reference_export(corrected), "clean.xlsx", strict, None)
    expected = _snapshot(names)
    undo_batch(clean, None)
    assert not Organisation.objects.exists()

    preview = importer.post(
        reverse("admin:surveys_import"),
        {
            "file": SimpleUploadedFile("kobo.xlsx", reference_export(broken)),
            "mapping": strict.pk,
            "on_existing": "fill",
        },
    )
    link = re.search(r'href="([^"]*import/errors/[^"]*)"', preview.content.decode()).group(1)
    download = importer.get(link.replace("&amp;", "&"))
    sheets = workbook_sheets(download.content)
    main, contacts = sheets["Questionnaire OSC"], sheets["contacts"]
    assert len(main) == 4  # the header and the three rows in error, every column kept
    assert all(len(row) == len(main[0]) for row in main)
    phones = main[0].index("identification/telephones")
    # No apostrophe: the phone is a text cell, as written.
    assert main[3][phones] == "+33 1 48 70 00 00"
    # The contact persons of the rows in error come along, with their own rows.
    assert [row[0] for row in contacts[1:]] == ["Fatoumata Sissoko", "Bakary Traoré", "Awa Keita"]
    assert contacts[3][2] == "+33 6 12 34 56 78"
    assert [row[2] for row in sheets["errors"][1:]] == ["3", "4", "5"]

    fixed = _correct(
        download.content,
        {
            ("3f6c7c3e-0b3a-4a55-9a1e-6f1c5e0a0002", "identification/nom_osc"): ardd[
                "identification/nom_osc"
            ],
            ("3f6c7c3e-0b3a-4a55-9a1e-6f1c5e0a0003", "identification/sigle"): None,
            ("uuid-amm", "historique/annee_creation"): "1985",
        },
    )
    plan, _batch = apply_import(fixed, "kobo-errors.xlsx", strict, None)

    assert plan.counts["new"] == 3
    assert _snapshot(names) == expected
    assert expected["Association des Maliens de Montreuil"]["persons"]


def test_a_mapped_column_missing_from_the_file_is_an_error_naming_the_closest(strict):
    definition = REFERENCE_MAPPING.replace(
        "acronym: [identification/sigle, Sigle]", "acronym: Sigel"
    )
    strict.definition = definition
    strict.save()
    content = csv_bytes([["Nom de l'organisation", "Sigle"], ["Association A", "AA"]])

    plan = preview_import(content, "a.csv", strict)

    assert plan.has_errors
    assert plan.missing_columns[0] == (
        "The column “Sigel” (fields: acronym) is not in the file; did you mean “Sigle”? "
        "If the file may lack it, mark it “optional: true” in the mapping."
    )
    with pytest.raises(PlanHasErrors):
        apply_import(content, "a.csv", strict, None)
    assert not Organisation.objects.exists()
    # The workbook to correct says it too.
    assert workbook_sheets(error_rows_file(plan))["errors"][1][3] == plan.missing_columns[0]


def test_a_column_marked_optional_may_be_missing(world):
    mapping = ImportMapping.objects.create(
        name="Court",
        slug="court",
        definition="fields:\n  name: Nom\n  acronym: {column: Sigel, optional: true}\n",
    )
    plan, _batch = apply_import(csv_bytes([["Nom"], ["Association A"]]), "a.csv", mapping, None)
    assert plan.missing_columns == []
    assert Organisation.objects.get().name == "Association A"


def test_an_invalid_phone_is_kept_as_written_and_flagged_for_staff(world, mapping):
    content = reference_export(
        [
            {
                "identification/nom_osc": "Association A",
                "identification/telephones": "+223 1234; 76 45 12 30",
                "contacts": [("Awa", "", "+223 1234", "")],
            }
        ]
    )
    plan = preview_import(content, "kobo.xlsx", mapping)
    assert plan.note_counts == [("Phones kept as written, to verify", 2)]

    apply_import(content, "kobo.xlsx", mapping, None)

    short, good = ContactChannel.objects.order_by("position")
    assert (short.value, short.to_verify) == ("+223 1234", True)
    assert short.verification_note == "Phone “+223 1234” kept as written, to verify."
    assert (good.value, good.to_verify) == ("+22376451230", False)
    person = ContactPerson.objects.get()
    assert (person.phone, person.notes) == ("", "Phone as written: +223 1234")
    # The staff's data quality page lists the organisation among values to verify.
    flagged = next(q for q in quality_lists() if q.slug == "to-verify")
    assert [org.name for org in flagged.organisations] == ["Association A"]


def test_a_phone_is_read_with_its_own_country_code(world, mapping):
    content = reference_export(
        [{"identification/nom_osc": "A", "identification/telephones": "+221 77 123 45 67"}]
    )
    apply_import(content, "kobo.xlsx", mapping, None)
    assert ContactChannel.objects.get().value == "+221771234567"


@pytest.mark.parametrize(
    ("answer", "zone"),
    [
        ("France", "France"),
        ("FR", "France"),
        ("fr", "France"),
        ("Montreuil", "Montreuil"),
        ("ile de france", "Île-de-France"),
    ],
)
def test_a_zone_outside_the_mapping_s_country_is_found_in_the_whole_catalogue(strict, answer, zone):
    content = reference_export([{**DIASPORA, "activites/zones": f"{answer}; Kayes"}])
    row = preview_import(content, "kobo.xlsx", strict).rows[0]

    assert row.errors == []
    names = Zone.objects.filter(pk__in=row.links["zones"]).values_list("name", flat=True)
    assert sorted(names) == sorted([zone, "Kayes"])
    # The preview names it as it names any zone.
    assert f"zone: {zone} (" in " ".join(row.added)


def test_a_country_name_in_english_is_found(strict):
    ZoneFactory(name="Allemagne", name_en="Germany", iso_code="DE")
    content = reference_export([{**DIASPORA, "activites/zones": "Germany"}])
    row = preview_import(content, "kobo.xlsx", strict).rows[0]
    assert row.links["zones"] == (Zone.objects.get(iso_code="DE").pk,)


def test_kobo_codes_resolve_against_the_catalogue_without_choices(world):
    ThemeFactory(slug="aide-juridique", name="Aide juridique", name_en="Legal aid")
    mapping = ImportMapping.objects.create(
        name="Sans choix",
        slug="sans-choix",
        definition=(
            "fields:\n  name: nom\n  themes: themes\n  partners: partenaires\n"
            "  zones:\n    column: zones\n    choices: {capitale: Bamako}\n"
        ),
    )
    content = csv_bytes(
        [
            ["nom", "themes", "partenaires", "zones"],
            # Codes (slugs with "_"), an English name, a catalogue's own name kept whole, a
            # mapping's choice winning over the catalogue.
            ["A", "aide_juridique migrants_de_retour", "union_europeenne", "capitale kayes"],
            ["B", "legal_aid", "Union européenne", "diema"],
        ]
    )
    first, second = preview_import(content, "a.csv", mapping).rows

    assert first.errors == [] and second.errors == []
    themes = {theme.slug: theme.pk for theme in Theme.objects.all()}
    assert sorted(first.links["themes"]) == sorted(
        [themes["aide-juridique"], themes["migrants-de-retour"]]
    )
    assert second.links["themes"] == (themes["aide-juridique"],)
    eu = Partner.objects.get(slug="union-europeenne").pk
    assert first.links["partners"] == second.links["partners"] == (eu,)
    bamako, kayes = Zone.objects.get(name="Bamako"), Zone.objects.get(name="Kayes", level="region")
    assert sorted(first.links["zones"]) == sorted([bamako.pk, kayes.pk])


def test_a_created_entry_takes_the_answer_s_label(world, mapping):
    content = reference_export(
        [
            {
                "identification/nom_osc": "A",
                "experience/partenaires": "fondation_de_france; Coopération suisse",
            }
        ]
    )
    apply_import(content, "kobo.xlsx", mapping, None, allow_create=("partners",))

    created = Partner.objects.exclude(slug="union-europeenne").order_by("name")
    assert [(p.name, p.slug) for p in created] == [
        ("Coopération suisse", "cooperation-suisse"),
        ("Fondation de france", "fondation-de-france"),
    ]


def test_undo_removes_what_the_import_created_and_its_source(strict):
    assert not Source.objects.exists()
    content = reference_export([*EXAMPLE_SUBMISSIONS, DIASPORA])
    _plan, batch = apply_import(content, "kobo.xlsx", strict, None, allow_create=("partners",))
    assert Source.objects.get().code == "enquete-osc-reference"

    undo_batch(batch, None)

    assert not Source.objects.exists()
    assert not Organisation.objects.exists()
    assert not ContactPerson.objects.exists()
    assert ImportBatch.objects.get().source is None


def test_undo_keeps_a_source_a_later_import_uses(strict):
    content = reference_export(EXAMPLE_SUBMISSIONS[:1])
    _plan, first = apply_import(content, "one.xlsx", strict, None)
    _plan, second = apply_import(reference_export([DIASPORA]), "two.xlsx", strict, None)

    undo_batch(first, None)

    assert Source.objects.get().code == "enquete-osc-reference"
    second.refresh_from_db()
    assert second.source.code == "enquete-osc-reference"


@pytest.mark.parametrize("rows", [5, 60])
def test_the_error_file_and_undo_take_a_fixed_number_of_queries(
    importer, strict, django_assert_max_num_queries, rows
):
    submissions = [
        {**DIASPORA, "identification/nom_osc": f"Association {n}", "_uuid": f"u{n}"}
        for n in range(rows)
    ]
    broken = [{**s, "historique/annee_creation": "vers 1985"} for s in submissions]
    preview = importer.post(
        reverse("admin:surveys_import"),
        {
            "file": SimpleUploadedFile("kobo.xlsx", reference_export(broken)),
            "mapping": strict.pk,
            "on_existing": "fill",
        },
    )
    link = re.search(r'href="([^"]*import/errors/[^"]*)"', preview.content.decode()).group(1)
    with django_assert_max_num_queries(25):
        download = importer.get(link.replace("&amp;", "&"))
    assert len(workbook_sheets(download.content)["contacts"]) == rows + 1

    _plan, batch = apply_import(reference_export(submissions), "k.xlsx", strict, None)
    # Per kind of record (conflict checks, history rows, deletes), never per row.
    with django_assert_max_num_queries(90):
        undo_batch(batch, None)
    assert not Source.objects.exists()
