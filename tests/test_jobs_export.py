"""Admin exports over EXPORT_BACKGROUND_ROWS run as a background job (immediate in tests)."""

import io

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job
from organisations.factories import OrganisationFactory
from tests.export_world import PRIVATE_NOTES, build_export_world

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:organisations_organisation_changelist")
JOBS_URL = reverse("admin:jobs_job_changelist")
# The admin action, queueing and running the job (the export's queries are per chunk).
QUERIES = 40


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
