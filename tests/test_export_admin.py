"""Staff export the selected organisations, or the whole filtered changelist, from the admin."""

import csv
import io

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from tests.export_world import PRIVATE_NOTES, PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:organisations_organisation_changelist"


def run_action(client, action, params="", **data):
    return client.post(reverse(CHANGELIST) + params, {"action": action, **data})


def rows_of(response):
    body = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


def test_selected_rows_are_exported_with_private_columns(staff_client):
    world = build_export_world()
    response = run_action(
        staff_client,
        "export_full_csv",
        **{helpers.ACTION_CHECKBOX_NAME: [world.ame.pk, world.draft.pk]},
    )
    assert response.status_code == 200
    assert "organisations-osc-selection-" in response["Content-Disposition"]
    rows = rows_of(response)
    assert [row["slug"] for row in rows] == ["ame", "brouillon"]
    assert rows[0]["staff_notes"] == PRIVATE_NOTES
    assert rows[0]["private_phones"] == f"'{PRIVATE_PHONE}"


def test_select_all_exports_the_filtered_changelist(staff_client):
    world = build_export_world()
    response = run_action(
        staff_client,
        "export_full_csv",
        params="?status__exact=published&q=gao",
        select_across=1,
        **{helpers.ACTION_CHECKBOX_NAME: [world.gao_house.pk]},
    )
    assert [row["slug"] for row in rows_of(response)] == ["blaam", "maison-migrant-gao"]


def test_xlsx_action(staff_client):
    world = build_export_world()
    response = run_action(
        staff_client, "export_full_xlsx", **{helpers.ACTION_CHECKBOX_NAME: [world.ame.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
