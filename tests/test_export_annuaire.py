"""The annuaire download (Tableau 13 layout) of the filtered public list."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from directory.facet_index import facet_index
from exports.filenames import today
from organisations.factories import OrganisationFactory
from tests.export_world import PRIVATE_EMAIL, PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db

# French, the site's default language, as the report's Tableau 13.
HEADER = [
    "N°",
    "Nom de l’organisation",
    "Adresse du siège",
    "Téléphones",
    "Adresses électroniques",
    "Site web",
]
HEADER_EN = [
    "No.",
    "Name of the organisation",
    "Head office address",
    "Phone numbers",
    "E-mail addresses",
    "Web site",
]


def download(client, fmt="csv", **params):
    return client.get(reverse("exports:annuaire", args=[fmt]), params)


def test_headings_follow_the_language_of_the_url(client):
    # The request activates English in this thread; the override restores it afterwards.
    with translation.override("fr"):
        response = client.get("/en/exports/annuaire.csv")
        assert csv_rows(response)[0] == HEADER_EN


def csv_rows(response, separator=","):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=separator))


def test_it_lists_published_organisations_in_tableau_13_layout(client):
    build_export_world()
    rows = csv_rows(download(client))
    assert rows[0] == HEADER
    assert rows[1] == [
        "1",
        "Association Malienne des Expulsés (AME)",
        "Djélibougou, route de Koulikoro, Bamako",
        "'+22320241122 ; +22366772111",
        "expulsesmaliensbasta@yahoo.fr",
        "www.expulsesmaliens.info ; -facebook.com/ame",
    ]
    assert [row[1] for row in rows[2:]] == [
        "Bloc d'Aide et d'Accompagnement des Migrants (BLAAM)",
        "Maison du Migrant de Gao",
    ]
    # No web site, as the source said: the annuaire says so rather than leaving it blank.
    assert rows[2][5] == "Pas de site web"


def test_it_honours_the_list_filters_and_names_the_file_after_them(client):
    world = build_export_world()
    response = download(client, zone=world.kayes.pk)
    rows = csv_rows(response)
    assert [row[1] for row in rows[1:]] == ["Association Malienne des Expulsés (AME)"]
    expected = f"annuaire-osc-kayes-{today().isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_search_and_sort_follow_the_list(client):
    world = build_export_world()
    # By relevance, as the list: "Gao" in the name comes first; by name on request.
    rows = csv_rows(download(client, q="gao"))
    assert [row[1] for row in rows[1:]] == [
        "Maison du Migrant de Gao",
        "Bloc d'Aide et d'Accompagnement des Migrants (BLAAM)",
    ]
    rows = csv_rows(download(client, q="gao", sort="name"))
    assert [row[1] for row in rows[1:]] == [
        "Bloc d'Aide et d'Accompagnement des Migrants (BLAAM)",
        "Maison du Migrant de Gao",
    ]
    world.gao_house.save()  # the latest update
    rows = csv_rows(download(client, q="gao", sort="-updated"))
    assert rows[1][1] == "Maison du Migrant de Gao"


def test_a_file_without_filters_is_named_after_the_day(client):
    response = download(client)
    expected = f"annuaire-osc-{today().isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_semicolon_separator_on_request(client):
    build_export_world()
    rows = csv_rows(download(client, sep="semicolon"), separator=";")
    assert rows[0] == HEADER
    assert rows[1][2] == "Djélibougou, route de Koulikoro, Bamako"


def test_an_unknown_separator_is_refused(client):
    response = download(client, sep="tab")
    assert response.status_code == 400
    assert "sep=semicolon" in response.content.decode()


def test_a_malformed_filter_is_refused_not_ignored(client):
    build_export_world()
    response = download(client, zone="999999")
    assert response.status_code == 400
    assert "zone" in response.content.decode()


def test_private_channels_and_drafts_stay_out_even_for_staff(staff_client):
    build_export_world()
    body = b"".join(download(staff_client).streaming_content).decode()
    assert PRIVATE_PHONE not in body
    assert PRIVATE_EMAIL not in body
    assert "PRIVATE" not in body


def test_xlsx_has_the_same_cells_and_keeps_phones_as_text(client):
    build_export_world()
    response = download(client, fmt="xlsx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f"annuaire-osc-{today().isoformat()}.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert rows[1] == [
        1,  # a number cell
        "Association Malienne des Expulsés (AME)",
        "Djélibougou, route de Koulikoro, Bamako",
        # A table people read: international format with spaces (the CSV keeps E.164).
        "+223 20 24 11 22 ; +223 66 77 21 11",
        "expulsesmaliensbasta@yahoo.fr",
        "www.expulsesmaliens.info ; -facebook.com/ame",
    ]
    phone_cell = sheet.cell(row=2, column=4)
    assert phone_cell.data_type == "s"
    assert phone_cell.quotePrefix is True
    # Not a phone: the e-mail starting with "+" is prefixed like any dangerous cell.
    assert sheet.cell(row=3, column=5).value == "'+maliblaam@gmail.com"


def test_the_query_count_does_not_grow_with_the_rows(client, django_assert_max_num_queries):
    build_export_world()
    OrganisationFactory.create_batch(40)
    facet_index()  # the first list after a write builds the index: a fixed number of queries
    with django_assert_max_num_queries(6):
        rows = csv_rows(download(client))
    assert len(rows) == 1 + 3 + 40
