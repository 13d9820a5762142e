"""The background jobs page: who sees which job, live progress, downloads and retry."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from jobs import progress
from jobs.models import Job

pytestmark = pytest.mark.django_db
JOBS_URL = reverse("admin:jobs_job_changelist")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def staff_member(django_user_model, username, *permissions):
    user = django_user_model.objects.create_user(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    return user


@pytest.fixture
def finished_export(django_user_model):
    owner = staff_member(django_user_model, "awa")
    job = Job.objects.create(
        kind="export",
        owner=owner,
        label="Export of Awa",
        status="done",
        done=12,
        total=12,
        result_name="organisations.csv",
    )
    job.result_file.save(f"jobs/{job.pk}/organisations.csv", ContentFile(b"slug\r\nawa-only\r\n"))
    return job


def download_url(job, which="result"):
    return reverse("admin:jobs_download", args=[job.pk, which])


def test_the_owner_sees_and_downloads_the_job(client, finished_export):
    client.force_login(finished_export.owner)

    page = client.get(JOBS_URL)
    file = client.get(download_url(finished_export))

    assert page.status_code == 200
    assert "Export of Awa" in page.content.decode()
    assert b"".join(file.streaming_content) == b"slug\r\nawa-only\r\n"


def test_other_staff_neither_see_nor_download_it(client, django_user_model, finished_export):
    client.force_login(staff_member(django_user_model, "binta", "view_organisation"))

    page = client.get(JOBS_URL)

    assert "Export of Awa" not in page.content.decode()
    assert "No background jobs yet." in page.content.decode()
    assert client.get(download_url(finished_export)).status_code == 404
    assert client.post(reverse("admin:jobs_retry", args=[finished_export.pk])).status_code == 404


def test_staff_allowed_to_see_every_job_download_it(client, django_user_model, finished_export):
    client.force_login(staff_member(django_user_model, "chef", "view_all_jobs"))

    assert "Export of Awa" in client.get(JOBS_URL).content.decode()
    assert client.get(download_url(finished_export)).status_code == 200


@pytest.mark.parametrize("logged_in", [False, True])
def test_visitors_and_non_staff_are_sent_to_the_login(
    client, django_user_model, logged_in, finished_export
):
    if logged_in:
        client.force_login(django_user_model.objects.create_user(username="public"))

    response = client.get(download_url(finished_export))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_missing_error_file_is_not_found(client, finished_export):
    client.force_login(finished_export.owner)

    assert client.get(download_url(finished_export, "errors")).status_code == 404


def test_a_running_job_shows_its_live_progress_and_the_page_refreshes(
    client, django_user_model, django_assert_max_num_queries, settings
):
    owner = staff_member(django_user_model, "awa")
    jobs = [
        Job.objects.create(kind="import", owner=owner, label=f"Import {n}", status="running")
        for n in range(5)
    ]
    progress.report(jobs[0].pk, 2, 4, "Writing")
    client.force_login(owner)

    with django_assert_max_num_queries(6):
        page = client.get(JOBS_URL).content.decode()

    assert f'<meta http-equiv="refresh" content="{settings.JOBS_REFRESH_SECONDS}">' in page
    assert '<progress value="2" max="4">2 / 4</progress>' in page
    assert "Writing" in page
    assert 'value="Retry"' not in page


def test_only_a_failed_job_is_retried(client, finished_export):
    client.force_login(finished_export.owner)

    response = client.post(reverse("admin:jobs_retry", args=[finished_export.pk]), follow=True)

    assert "Only a failed job can be retried." in response.content.decode()
    finished_export.refresh_from_db()
    assert finished_export.status == "done"
    assert client.get(reverse("admin:jobs_retry", args=[finished_export.pk])).status_code == 405
