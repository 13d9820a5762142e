"""Admin exports over EXPORT_BACKGROUND_ROWS run as a background job (immediate in tests)."""

import base64
import csv
import importlib
import io
import json
import pickle

import pytest
from django.apps import apps
from django.contrib.admin import helpers
from django.urls import reverse
from openpyxl import load_workbook

from exports.tasks import EXPORT_JOB
from jobs.models import Job
from jobs.services import retry
from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from tests.export_world import PRIVATE_NOTES, build_export_world

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:organisations_organisation_changelist")
JOBS_URL = reverse("admin:jobs_job_changelist")
# The admin action, queueing and running the job (the export's queries are per chunk; the
# worker rebuilds the admin's filtered list from its query string: filter choices, counts).
QUERIES = 46


def export_all(client, action="export_full_csv"):
    world = build_export_world()
    return client.post(
        CHANGELIST,
        {"action": action, "select_across": 1, helpers.ACTION_CHECKBOX_NAME: [world.ame.pk]},
    )


def download(client, job: Job, which="result"):
    return client.get(reverse("admin:jobs_download", args=[job.pk, which]))


def test_a_large_export_runs_as_a_job_with_the_same_bytes(staff_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 100
    synchronous = export_all(staff_client)
    expected = b"".join(synchronous.streaming_content)
    assert not Job.objects.exists()
    settings.EXPORT_BACKGROUND_ROWS = 1

    response = staff_client.post(
        CHANGELIST,
        {"action": "export_full_csv", "select_across": 1, helpers.ACTION_CHECKBOX_NAME: ["1"]},
    )

    assert response.status_code == 302
    assert response["Location"] == JOBS_URL
    job = Job.objects.get()
    assert (job.kind, job.status, job.owner) == ("export", "done", staff_client.user)
    assert job.total == 4  # every organisation, drafts included for this staff member
    assert job.done == job.total
    file = download(staff_client, job)
    assert file.status_code == 200
    assert {"private", "no-store"} <= set(file["Cache-Control"].split(", "))
    assert job.result_name in file["Content-Disposition"]
    assert b"".join(file.streaming_content) == expected
    assert PRIVATE_NOTES.encode() in expected
    page = staff_client.get(JOBS_URL).content.decode()
    assert '<progress value="4" max="4">' in page
    assert reverse("admin:jobs_download", args=[job.pk, "result"]) in page


def test_a_large_xlsx_export_is_a_workbook_of_every_row(staff_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1

    export_all(staff_client, "export_full_xlsx")

    job = Job.objects.get()
    assert job.result_name.endswith(".xlsx")
    body = b"".join(download(staff_client, job).streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    slugs = [row[header.index("slug")] for row in rows]
    assert slugs == ["ame", "blaam", "maison-migrant-gao", "brouillon"]


def test_a_small_export_stays_synchronous(staff_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 4

    response = export_all(staff_client)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not Job.objects.exists()


@pytest.mark.parametrize("extra", [0, 30])
def test_an_export_job_takes_the_same_queries_whatever_the_rows(
    staff_client, settings, django_assert_max_num_queries, extra
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    world = build_export_world()
    OrganisationFactory.create_batch(extra, status="published")

    with django_assert_max_num_queries(QUERIES):
        staff_client.post(
            CHANGELIST,
            {"action": "export_full_csv", "select_across": 1, "_selected_action": [world.ame.pk]},
        )

    assert Job.objects.get().total == 4 + extra


def _slugs(job: Job) -> list[str]:
    with job.result_file.open("rb") as stored:
        rows = list(csv.DictReader(io.StringIO(stored.read().decode("utf-8-sig"))))
    return [row["slug"] for row in rows]


def test_it_stores_the_filtered_list_as_plain_json_and_runs_it_again(staff_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    world = build_export_world()

    staff_client.post(
        f"{CHANGELIST}?status=published",
        {"action": "export_full_csv", "select_across": 1, "_selected_action": [world.ame.pk]},
    )

    job = Job.objects.get()
    # What a deploy cannot make unreadable: text, no pickled object.
    assert job.params["selection"] == {"changelist_query": "status=published"}
    assert json.loads(json.dumps(job.params)) == job.params
    assert _slugs(job) == ["ame", "blaam", "maison-migrant-gao"]
    # Published since: the same job run again exports it too.
    Organisation.objects.filter(slug="brouillon").update(status=Organisation.Status.PUBLISHED)
    job.status = Job.Status.FAILED
    job.save()
    retry(job)
    job.refresh_from_db()
    assert (job.status, job.total) == ("done", 4)
    assert _slugs(job) == ["ame", "blaam", "maison-migrant-gao", "brouillon"]


def test_it_stores_the_ticked_organisations_as_their_ids(staff_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    world = build_export_world()
    ticked = sorted([world.ame.pk, world.draft.pk])

    staff_client.post(
        CHANGELIST, {"action": "export_full_csv", "select_across": 0, "_selected_action": ticked}
    )

    job = Job.objects.get()
    assert job.params["selection"] == {"ids": ticked}
    assert _slugs(job) == ["ame", "brouillon"]


def test_a_job_queued_with_a_pickle_before_the_update_says_to_start_again(staff_client):
    job = Job.objects.create(
        kind=EXPORT_JOB,
        owner=staff_client.user,
        label="old",
        params={"layout": "organisations", "format": "csv", "separator": ","},
    )

    retry(job)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == "This export's selection was lost in an update; start it again."


def test_the_update_turns_a_stored_pickle_into_the_ids_it_selected(staff_client, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    world = build_export_world()
    published = Organisation.objects.filter(status=Organisation.Status.PUBLISHED)
    job = Job.objects.create(
        kind=EXPORT_JOB,
        owner=staff_client.user,
        label="queued before the update",
        result_name="selection.csv",
        params={
            "layout": "organisations",
            "format": "csv",
            "separator": ",",
            "query": base64.b64encode(pickle.dumps(published.query)).decode("ascii"),
        },
    )
    migration = importlib.import_module("jobs.migrations.0002_export_selection_as_json")

    migration.selection_from_pickle(apps, None)

    job.refresh_from_db()
    expected = sorted([world.ame.pk, world.blaam.pk, world.gao_house.pk])
    assert job.params["selection"] == {"ids": expected}
    assert "query" not in job.params
    retry(job)
    job.refresh_from_db()
    assert (job.status, job.message) == ("done", "3 organisations exported.")
    assert _slugs(job) == ["ame", "blaam", "maison-migrant-gao"]
