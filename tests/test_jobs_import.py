"""Survey imports over IMPORT_BACKGROUND_ROWS run as a background job (immediate in tests)."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs import progress
from jobs.models import Job
from organisations.models import Organisation
from surveys.models import ImportBatch
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)

UPLOAD_URL = reverse("admin:surveys_import")
JOBS_URL = reverse("admin:jobs_job_changelist")


@pytest.fixture
def importer(client, django_user_model):
    user = django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_survey"))
    client.force_login(user)
    client.cookies["django_language"] = "en"
    client.user = user
    return client


def preview(client, mapping, submissions=EXAMPLE_SUBMISSIONS):
    return client.post(
        UPLOAD_URL,
        {
            "file": SimpleUploadedFile("kobo.xlsx", reference_export(submissions)),
            "mapping": mapping.pk,
            "on_existing": "fill",
        },
    )


def confirm(client, preview_page):
    token = re.search(r'name="token" value="([^"]+)"', preview_page.content.decode()).group(1)
    return client.post(reverse("admin:surveys_import_confirm"), {"token": token})


def preview_and_confirm(client, mapping):
    return confirm(client, preview(client, mapping))


def test_a_large_import_runs_as_a_job_to_the_end(importer, mapping, world, settings, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = len(EXAMPLE_SUBMISSIONS) - 1
    reports = []
    monkeypatch.setattr(
        progress, "report", lambda pk, done, total, message="": reports.append((done, total))
    )

    page = preview(importer, mapping)
    response = confirm(importer, page)

    assert response.status_code == 302
    assert response["Location"] == JOBS_URL
    job = Job.objects.get()
    batch = ImportBatch.objects.get()
    assert (job.kind, job.status, job.owner) == ("import", "done", importer.user)
    assert (job.result_url, job.result_label) == (
        f"/admin/surveys/importbatch/{batch.pk}/change/",
        "See the import",
    )
    assert "it will be imported in the background" in page.content.decode()
    # Checking the file, then the three writing steps: all done.
    assert reports == [(0, 1), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert (job.done, job.total) == (4, 4)
    assert job.attempts == 1
    assert Organisation.objects.count() == 3
    assert not job.input_file  # the survey file (personal data) is gone once imported
    page = importer.get(JOBS_URL).content.decode()
    assert '<progress value="4" max="4">' in page
    assert f"{len(EXAMPLE_SUBMISSIONS)} rows imported." in page
    assert reverse("admin:surveys_importbatch_change", args=[batch.pk]) in page
    assert 'http-equiv="refresh"' not in page  # nothing left running


def test_a_small_import_stays_synchronous(importer, mapping, world, settings):
    settings.IMPORT_BACKGROUND_ROWS = len(EXAMPLE_SUBMISSIONS)

    page = preview(importer, mapping)
    response = confirm(importer, page)

    assert "in the background" not in page.content.decode()
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("admin:surveys_importbatch_change", args=[batch.pk])
    assert not Job.objects.exists()


def test_a_job_whose_plan_changed_fails_and_changes_nothing(importer, mapping, world, settings):
    """Someone imported the same organisations between preview and the worker's turn."""
    settings.IMPORT_BACKGROUND_ROWS = 0
    page = preview(importer, mapping)
    Organisation.objects.create(name="Association Malienne des Expulsés", slug="ame")

    confirm(importer, page)

    job = Job.objects.get()
    assert job.status == "failed"
    assert job.message == (
        "The directory changed since the preview; check the new preview and confirm again."
    )
    assert job.can_retry
    assert Organisation.objects.count() == 1
    assert not ImportBatch.objects.exists()
    page = importer.get(JOBS_URL).content.decode()
    assert reverse("admin:jobs_retry", args=[job.pk]) in page
