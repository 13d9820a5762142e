"""What the worker runs: one task that runs a Job, whatever its kind.

Each feature app declares how its kind of job runs, in its own ``tasks`` module, with
``@runner(kind)``; jobs names none of them. The task records the job's state itself
(running, done, failed with a message), so the admin page never depends on the task
library's own result table.
"""

import logging
from collections.abc import Callable

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from jobs import progress
from jobs.models import Job

logger = logging.getLogger(__name__)

Runner = Callable[[Job, Callable[..., None]], None]
# Filled by the feature apps' tasks modules, imported when the apps are ready (jobs/apps.py).
RUNNERS: dict[str, Runner] = {}


class JobError(Exception):
    """A failure whose message is meant for the user (anything else is a bug, logged)."""


def runner(kind: str) -> Callable[[Runner], Runner]:
    """Declare ``run(job, report)`` as what runs the jobs of ``kind``."""

    def register(run: Runner) -> Runner:
        RUNNERS[kind] = run
        return run

    return register


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.select_related("owner").get(pk=job_id)
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.finished_at = None
    job.message = ""
    job.attempts += 1
    job.save(update_fields=["status", "started_at", "finished_at", "message", "attempts"])

    def report(done: int, total: int, message: str = "") -> None:
        job.done, job.total = done, total
        progress.report(job.pk, done, total, message)

    try:
        with translation.override(job.params.get("language")):
            RUNNERS[job.kind](job, report)
    except BaseException as exc:  # a worker stopped by a signal fails its job too
        _fail(job, exc)
        if not isinstance(exc, Exception):
            raise
    else:
        job.status = Job.Status.DONE
        job.finished_at = timezone.now()
        job.save()
    finally:
        progress.forget(job.pk)


def _fail(job: Job, exc: BaseException) -> None:
    if isinstance(exc, JobError):
        message = str(exc)
    else:
        logger.exception("Job %s failed", job.pk)
        message = _("The job stopped on an unexpected error (%(error)s).") % {
            "error": exc.__class__.__name__
        }
    job.status = Job.Status.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save()
