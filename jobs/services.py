"""Start, retry and watch background jobs; the thresholds that decide what runs there."""

import os
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from jobs import progress
from jobs.models import Job
from jobs.queries import dump_queryset
from jobs.tasks import run_job


def import_in_background(rows: int) -> bool:
    return rows > settings.IMPORT_BACKGROUND_ROWS


def export_in_background(rows: int) -> bool:
    return rows > settings.EXPORT_BACKGROUND_ROWS


def start_import(user, content: bytes, file_name: str, rows: int, options: dict) -> Job:
    """Queue the confirmed import of ``content`` (options as the preview took them)."""
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        owner=user,
        label=_("Import of %(file)s") % {"file": file_name},
        params={
            **options,
            "file_name": file_name,
            "rows": rows,
            "language": translation.get_language(),
        },
    )
    job.input_file.save(f"jobs/{job.pk}/input", ContentFile(content))
    return _enqueue(job)


def start_export(user, queryset, layout_slug: str, fmt: str, filename: str) -> Job:
    job = Job.objects.create(
        kind=Job.Kind.EXPORT,
        owner=user,
        label=_("Export %(file)s") % {"file": filename},
        result_name=filename,
        params={
            "layout": layout_slug,
            "format": fmt,
            "separator": ",",
            "query": dump_queryset(queryset),
            "language": translation.get_language(),
        },
    )
    return _enqueue(job)


def retry(job: Job) -> Job:
    job.status = Job.Status.QUEUED
    job.done = 0
    job.message = ""
    if job.error_file:
        job.error_file.delete(save=False)
    job.save()
    return _enqueue(job)


def _enqueue(job: Job) -> Job:
    result = run_job.enqueue(job.pk)
    # The immediate backend (tests) has run the job already: read what it wrote.
    job.refresh_from_db()
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])
    return job


def fail_stale_jobs() -> int:
    """Running jobs whose worker has not been heard of for JOBS_STALE_MINUTES: failed.

    A worker killed mid-import leaves the database as it was (the import is one
    transaction) but cannot say so; this marks its job failed, ready to retry.
    """
    limit = timezone.now() - timedelta(minutes=settings.JOBS_STALE_MINUTES)
    running = list(Job.objects.filter(status=Job.Status.RUNNING))
    beats = progress.read_many([job.pk for job in running])
    stale = []
    for job in running:
        beat = beats.get(job.pk, {}).get("beat")
        last_heard = datetime.fromtimestamp(beat, tz=UTC) if beat else job.started_at
        if last_heard is None or last_heard < limit:
            stale.append(job.pk)
    Job.objects.filter(pk__in=stale, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED,
        finished_at=timezone.now(),
        message=_("The worker stopped while running this job; nothing was changed. Retry it."),
    )
    for pk in stale:
        progress.forget(pk)
    return len(stale)


def purge_old_jobs(days: int) -> int:
    """Delete the jobs that stopped more than ``days`` ago, with their files (import file,
    result, rows in error) and the task queue's record of them. What an import changed
    stays, with its ImportBatch: it can still be undone from the import's page."""
    cutoff = timezone.now() - timedelta(days=days)
    old = list(
        Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=cutoff)
    )
    for job in old:
        for file in (job.input_file, job.result_file, job.error_file):
            if file:
                file.delete(save=False)
        # The job's folder, now empty. Storages without folders have no path()
        # (NotImplementedError); a folder someone put another file in stays (OSError).
        with suppress(NotImplementedError, OSError):
            os.rmdir(default_storage.path(f"jobs/{job.pk}"))
        progress.forget(job.pk)
    task_ids = [job.task_id for job in old if job.task_id]
    DBTaskResult.objects.filter(id__in=task_ids).delete()
    Job.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
