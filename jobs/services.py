"""Start, retry and watch background jobs, whatever their kind."""

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
from jobs.tasks import run_job


def start_job(
    user,
    kind: str,
    label: str,
    params: dict,
    *,
    result_name: str = "",
    input_file: bytes | None = None,
) -> Job:
    """Queue a job of ``kind``; ``params`` (plain JSON) hold all its runner needs to run
    again, after a deploy too: ids or a query string, never a pickled object."""
    job = Job.objects.create(
        kind=kind,
        owner=user,
        label=label,
        result_name=result_name,
        params={**params, "language": translation.get_language()},
        needs_input=input_file is not None,
    )
    if input_file is not None:
        job.input_file.save(f"jobs/{job.pk}/input", ContentFile(input_file))
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
