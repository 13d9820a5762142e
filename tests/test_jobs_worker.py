"""A worker stopped mid-import changes nothing and leaves its job failed, ready to retry;
the real worker command runs queued jobs from the database."""

import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from exports.tasks import start_export
from jobs import progress, services
from jobs.models import Job
from jobs.services import fail_stale_jobs, retry
from organisations.factories import OrganisationFactory
from organisations.models import Organisation, OrganisationAlias
from surveys import applying
from surveys.models import ImportBatch, ImportMapping
from surveys.service import preview_import
from surveys.tasks import start_import
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    english_messages,
    mapping_fixture,
    reference_export,
    workbook_sheets,
    world_fixture,
)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(username="staff", password="x" * 12)


def queue_import(staff, mapping, submissions=EXAMPLE_SUBMISSIONS) -> Job:
    """What confirming a previewed import of ``submissions`` starts."""
    content = reference_export(submissions)
    plan = preview_import(content, "kobo.xlsx", mapping)
    options = {
        "mapping": mapping.pk,
        "on_existing": "fill",
        "allow_create": [],
        "previewed": plan.fingerprint(),
        "confirmed": {},
    }
    return start_import(staff, content, "kobo.xlsx", len(plan.rows), options)


def test_a_worker_stopped_mid_import_changes_nothing_and_the_job_can_be_retried(
    staff, mapping, world, monkeypatch
):
    OrganisationFactory(name="Déjà là")
    written = {}

    def stopped_after_the_organisations(writer):
        # The organisations are written (inside the transaction) when the worker stops.
        written["organisations"] = Organisation.objects.count()
        raise SystemExit(1)  # what db_worker does on a second SIGTERM

    monkeypatch.setattr(applying._Writer, "write_links", stopped_after_the_organisations)

    job = queue_import(staff, mapping)

    assert written["organisations"] == 4
    assert Organisation.objects.count() == 1
    assert not OrganisationAlias.objects.exists()
    assert not ImportBatch.objects.exists()
    assert job.status == "failed"
    assert job.message == "The job stopped on an unexpected error (SystemExit)."
    assert (job.done, job.total) == (3, 4)  # checked, catalogue and organisations steps
    assert job.can_retry

    monkeypatch.undo()
    retry(job)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == ("done", 2, "3 rows imported.")
    assert Organisation.objects.count() == 4
    assert job.result_url == f"/admin/surveys/importbatch/{ImportBatch.objects.get().pk}/change/"


def test_a_killed_worker_s_job_is_marked_failed_and_retryable(staff, mapping, world, monkeypatch):
    """A killed worker (SIGKILL) runs no code: the database drops its open transaction and
    its job stays "running" until its silence is noticed, by the next worker at start-up
    or by ``manage.py fail_stale_jobs``."""
    with monkeypatch.context() as patched:
        patched.setattr(services, "_enqueue", lambda job: job)  # queued, not run
        killed = queue_import(staff, mapping)
    Job.objects.filter(pk=killed.pk).update(status="running", started_at=timezone.now())
    alive = Job.objects.create(
        kind="export", owner=staff, label="alive", status="running", started_at=timezone.now()
    )
    sixteen_minutes_ago = time.time() - 16 * 60
    with monkeypatch.context() as patched:
        patched.setattr(progress.time, "time", lambda: sixteen_minutes_ago)
        progress.report(killed.pk, 2, 4)  # its last heartbeat
    progress.report(alive.pk, 1, 10)

    assert fail_stale_jobs() == 1

    killed.refresh_from_db()
    alive.refresh_from_db()
    assert killed.status == "failed"
    assert killed.message == (
        "The worker stopped while running this job; nothing was changed. Retry it."
    )
    assert killed.can_retry
    assert alive.status == "running"
    assert progress.read(killed.pk) is None
    assert Organisation.objects.count() == 0

    retry(killed)

    killed.refresh_from_db()
    assert killed.status == "done"
    assert Organisation.objects.count() == 3


def test_a_running_job_never_heard_of_fails_after_the_delay(staff, settings):
    started = timezone.now() - timezone.timedelta(minutes=settings.JOBS_STALE_MINUTES + 1)
    silent = Job.objects.create(
        kind="export", owner=staff, label="silent", status="running", started_at=started
    )

    call_command("fail_stale_jobs", verbosity=0)

    silent.refresh_from_db()
    assert silent.status == "failed"


def test_the_worker_command_runs_queued_jobs_from_the_database(staff, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(Worker, "configure_signals", lambda worker: None)
    # The worker closes connections between tasks, which would end the test's transaction
    # (Django's test client keeps it for requests the same way).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    OrganisationFactory.create_batch(3, status="published")
    stale = Job.objects.create(
        kind="export",
        owner=staff,
        label="left running",
        status="running",
        started_at=timezone.now() - timezone.timedelta(days=1),
    )

    job = start_export(staff, {"changelist_query": ""}, "organisations", "csv", "all.csv")
    assert job.status == "queued"
    assert job.task_id

    call_command("jobs_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    stale.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert job.result_file.read().decode("utf-8-sig").count("\r\n") == 4
    assert stale.status == "failed"


def test_an_import_with_rows_in_error_fails_with_the_error_file(staff, client, mapping, world):
    submissions = [*EXAMPLE_SUBMISSIONS, {"identification/nom_osc": "=cmd|' /C calc'!A0"}]

    job = queue_import(staff, mapping, submissions)

    assert job.status == "failed"
    assert job.message == "The file has rows in error; nothing was imported."
    assert not Organisation.objects.exists()
    client.force_login(staff)
    errors = client.get(reverse("admin:jobs_download", args=[job.pk, "errors"]))
    rows = workbook_sheets(b"".join(errors.streaming_content))["Questionnaire OSC"]
    assert len(rows) == 2
    assert rows[1][:3] == ["", "", "=cmd|' /C calc'!A0"]


@pytest.mark.django_db(transaction=True)
def test_the_update_keeps_an_import_job_s_link_and_its_need_of_its_file(staff):
    """jobs 0003-0004: the import batch a job pointed at becomes its result page."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("jobs", "0002_export_selection_as_json")])
    old_apps = executor.loader.project_state([("jobs", "0002_export_selection_as_json")]).apps
    mapping = ImportMapping.objects.create(name="Kobo", slug="kobo", definition="{}")
    batch = ImportBatch.objects.create(
        mapping=mapping,
        mapping_definition="{}",
        file_name="kobo.xlsx",
        on_existing="skip",
        applied_at=timezone.now(),
    )
    old_apps.get_model("jobs", "Job").objects.create(
        kind="import", owner_id=staff.pk, label="old import", import_batch_id=batch.pk
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("jobs", "0004_job_kinds_declared_by_apps")])

    job = Job.objects.get(label="old import")
    assert job.needs_input
    assert job.result_url == f"/admin/surveys/importbatch/{batch.pk}/change/"
