"""The full export: every public field, private columns for staff allowed to see them."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.http import StreamingHttpResponse
from django.urls import reverse

from directory.facet_index import facet_index
from organisations.factories import OrganisationFactory
from tests.export_world import (
    PRIVATE_EMAIL,
    PRIVATE_NEED,
    PRIVATE_NOTES,
    PRIVATE_PERSON,
    PRIVATE_PHONE,
    build_export_world,
)

pytestmark = pytest.mark.django_db

PUBLIC_COLUMNS = [
    "slug",
    "name",
    "acronym",
    "other_names",
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
    "website_status",
    "survey_status",
    "source",
    "identifiers",
    "zones",
    "themes",
    "theme_names",
    "networks",
    "partners",
    "partner_names",
    "seat_address",
    "office_addresses",
    "phones",
    "emails",
    "websites",
    "social_links",
    "contact_persons",
    "needs",
]
PRIVATE_COLUMNS = [
    "status",
    "staff_notes",
    "private_phones",
    "private_emails",
    "private_websites",
    "private_social_links",
    "contact_persons_consent",
    "private_contact_persons",
    "private_needs",
]
# Public columns added after the private ones (columns are only ever added at the end).
LAST_COLUMNS = ["offices", "partner_support", "network_roles"]
LAST_PRIVATE_COLUMNS = ["channel_details", "need_details"]


def export(client, fmt="csv", **params):
    return client.get(reverse("exports:full", args=[fmt]), params)


def rows_of(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


def test_public_columns_and_cells_of_a_known_organisation(client):
    build_export_world()
    response = export(client)
    assert isinstance(response, StreamingHttpResponse)
    rows = rows_of(response)
    assert list(rows[0]) == PUBLIC_COLUMNS + LAST_COLUMNS
    ame = rows[0]
    assert ame == {
        "slug": "ame",
        "name": "Association Malienne des Expulsés",
        "acronym": "AME",
        "other_names": "Association des Expulsés du Mali",
        "typology": "retour",
        "typology_name": "Associations de migrants de retour",
        "legal_form": "formal",
        "registration_kind": "declared",
        "registration_law": "",
        "registration_country": "ML",
        "registration_reference": "",
        "year_founded": "1996",
        "scope": "national",
        "scope_detail": "",
        "description": '\'=HYPERLINK("http://evil")',
        "budget_band": "unknown",
        "members_individuals": "",
        "members_organisations": "",
        "members_countries": "",
        "members_note": "",
        "website_status": "",
        "survey_status": "registered",
        "source": "",
        "identifiers": "kobo-uuid:abc-123",
        "zones": "Mali > Kayes ; Mali > Kayes > Bafoulabé",
        "themes": "protection ; reinsertion",
        "theme_names": "Protection ; Réinsertion",
        "networks": "reseau-migration",
        "partners": "ue",
        "partner_names": "Union européenne",
        "seat_address": "Djélibougou, route de Koulikoro, Bamako",
        "office_addresses": "",
        "phones": "'+22320241122 ; +22366772111",
        "emails": "expulsesmaliensbasta@yahoo.fr",
        "websites": "www.expulsesmaliens.info",
        "social_links": "'-facebook.com/ame",
        "contact_persons": "Ousmane Diarra | Président | +22376000000 |  | o.diarra@example.org",
        "needs": "formation/3 ; plaidoyer",
        "offices": "seat | Mali | Djélibougou, route de Koulikoro, Bamako",
        "partner_support": "",
        "network_roles": "reseau-migration | Membre fondateur | 2012",
    }


def test_anonymous_visitors_get_no_private_value(client):
    build_export_world()
    body = b"".join(export(client).streaming_content).decode()
    for planted in (PRIVATE_PHONE, PRIVATE_EMAIL, PRIVATE_PERSON, PRIVATE_NOTES, PRIVATE_NEED):
        assert planted not in body
    assert "brouillon" not in body  # the draft organisation


def test_staff_without_the_private_permission_get_the_public_export(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x" * 12, is_staff=True)
    client.force_login(user)
    build_export_world()
    rows = rows_of(export(client))
    assert list(rows[0]) == PUBLIC_COLUMNS + LAST_COLUMNS
    assert PRIVATE_PHONE not in str(rows)


def test_staff_allowed_to_see_private_data_get_private_columns(client, django_user_model):
    user = django_user_model.objects.create_user("officer", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_private"))
    client.force_login(user)
    build_export_world()
    response = export(client)
    assert response["Cache-Control"] == "private, no-store"
    rows = rows_of(response)
    assert list(rows[0]) == PUBLIC_COLUMNS + PRIVATE_COLUMNS + LAST_COLUMNS + LAST_PRIVATE_COLUMNS
    ame = rows[0]
    assert ame["private_phones"] == f"'{PRIVATE_PHONE}"
    assert ame["private_emails"] == PRIVATE_EMAIL
    assert ame["staff_notes"] == PRIVATE_NOTES
    assert ame["status"] == "published"
    assert ame["private_contact_persons"] == f"{PRIVATE_PERSON} | Trésorier |  |  |  | x"
    assert ame["contact_persons_consent"] == "Ousmane Diarra | 2026-03-01 | "
    assert ame["private_needs"] == PRIVATE_NEED
    assert [row["slug"] for row in rows] == ["ame", "blaam", "maison-migrant-gao", "brouillon"]


def test_the_list_filters_apply(client):
    world = build_export_world()
    rows = rows_of(export(client, zone=world.gao.pk, theme="protection"))
    assert [row["slug"] for row in rows] == ["blaam"]


def test_xlsx_holds_the_same_header_and_cells(client):
    build_export_world()
    response = export(client, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == PUBLIC_COLUMNS + LAST_COLUMNS
    ame = dict(zip(PUBLIC_COLUMNS + LAST_COLUMNS, rows[1], strict=True))
    assert ame["description"] == '\'=HYPERLINK("http://evil")'
    assert ame["phones"] == "+22320241122 ; +22366772111"
    assert ame["year_founded"] == 1996  # a number cell
    assert ame["zones"] == "Mali > Kayes ; Mali > Kayes > Bafoulabé"


def test_queries_do_not_grow_with_the_rows(staff_client, django_assert_max_num_queries):
    build_export_world()
    OrganisationFactory.create_batch(60)
    facet_index()  # the first list after a write builds the index: a fixed number of queries
    # Session and user, ids, organisations, ten parts, five catalogues.
    with django_assert_max_num_queries(22):
        rows = rows_of(export(staff_client))
    assert len(rows) == 64
