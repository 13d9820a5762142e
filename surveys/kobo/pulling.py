"""A pull, run as a background job: read the new submissions, shape them as the form's
XLSX export, then preview them (admin: staff confirm on the usual preview page, where they
choose "all or nothing" or "apply the valid rows and set the others aside") or preview and
apply them at once (``manage.py import_kobo``: all or nothing, or with ``--set-aside`` the
valid rows).

The source's markers (last pull, newest submission time) move only when a pull's import is
applied, and move back when that import is undone: a pull that fails, or that nobody
confirms, leaves them as they were, so the next pull asks for the same submissions again.
"""

import os
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import start_job
from jobs.tasks import run_job, runner
from surveys.applying import PlanHasErrors
from surveys.kobo.client import KoboError, fetch_submissions
from surveys.kobo.submissions import attachments_of, newest_submission_time, to_workbook
from surveys.mapping import MappingError
from surveys.models import ImportBatch, KoboPull, KoboSource
from surveys.planning.plan import Action, ImportPlan
from surveys.reading import FileRejected
from surveys.service import (
    apply_import,
    describe,
    error_rows_file,
    file_checksum,
    preview_import,
    refusal,
    set_aside_hint,
)
from surveys.tasks import run_as_job, set_aside_text

PULL_JOB = "kobo-pull"
PULL_FOLDER = "kobo-pulls"
# Pulled rows nobody imported go after this long (they hold personal data).
UNCONFIRMED_PULL_AGE = timedelta(days=1)
# A failed command-line pull lists this many rows in error in its message.
LISTED_ERRORS = 10
_EXPECTED = (KoboError, FileRejected, MappingError, PlanHasErrors)


def pull_params(source: KoboSource, *, full: bool, apply: bool, options: dict) -> dict:
    """What a pull job needs: the source, whether to re-read everything, whether to apply
    at once, and the import's options (existing organisations, creations, and for an
    import applied at once its ``mode``)."""
    return {"source": source.pk, "full": full, "apply": apply, "options": options}


def start_pull(user, source: KoboSource, params: dict) -> Job:
    """Queue a pull for the worker (the admin's button)."""
    return start_job(user, PULL_JOB, _pull_label(source), params)


def run_pull_now(user, source: KoboSource, params: dict) -> Job:
    """Run a pull in this process, recorded as a job like any other (the command line)."""
    job = Job.objects.create(
        kind=PULL_JOB,
        owner=user,
        label=_pull_label(source),
        params={**params, "language": translation.get_language()},
    )
    run_job.call(job.pk)
    job.refresh_from_db()
    return job


def _pull_label(source: KoboSource) -> str:
    return _("KoboToolbox pull of %(source)s") % {"source": source.name}


@runner(PULL_JOB)
def run_pull(job: Job, report) -> None:
    run_as_job(_pull, job, report, _EXPECTED)


def _pull(job: Job, report) -> None:
    params = job.params
    source = KoboSource.objects.select_related("mapping").get(pk=params["source"])
    token = os.environ.get(source.token_variable, "").strip()
    if not token:
        raise KoboError(
            _(
                "The environment variable %(variable)s, which should hold the KoboToolbox API "
                "token, is not set for this server; nothing was imported."
            )
            % {"variable": source.token_variable}
        )
    since = "" if params["full"] else source.last_submission_time
    reading = _("Reading the submissions")
    report(0, 1, reading)
    submissions = fetch_submissions(
        source.server_url,
        source.asset_uid,
        token,
        since,
        page_size=settings.KOBO_PAGE_SIZE,
        timeout=settings.KOBO_TIMEOUT_SECONDS,
        progress=lambda done, total: report(done, total, reading),
    )
    if not submissions:
        KoboSource.objects.filter(pk=source.pk).update(last_pulled_at=timezone.now())
        job.message = (
            _("No new submissions since %(time)s.") % {"time": since}
            if since
            else _("The form has no submissions yet.")
        )
        return
    pull, content = _keep_pull(job, source, since, submissions)
    options = params["options"]
    arguments = (options["on_existing"], tuple(options["allow_create"]))
    plan = preview_import(content, pull.file_name, source.mapping, *arguments)
    if not params["apply"]:
        job.result_url = reverse("admin:surveys_kobosource_preview", args=[pull.pk])
        job.result_label = _("See the preview")
        job.message = _("%(count)s submissions pulled: %(counts)s.") % {
            "count": len(submissions),
            "counts": counts_text(plan),
        }
        return
    # Pulls queued before the choice existed were all or nothing.
    mode = options.get("mode", ImportBatch.Mode.ALL_OR_NOTHING)
    if refused := refusal(plan, mode):
        job.error_file.save(f"jobs/{job.pk}/errors.xlsx", ContentFile(error_rows_file(plan)))
        raise PlanHasErrors(_failure_text(plan, mode, refused))
    _plan, batch = apply_import(
        content,
        pull.file_name,
        source.mapping,
        job.owner,
        *arguments,
        progress=lambda done, total: report(done, total, _("Writing")),
        mode=mode,
    )
    job.result_url = reverse("admin:surveys_importbatch_change", args=[batch.pk])
    job.result_label = _("See the import")
    job.message = _("%(count)s submissions pulled and imported: %(counts)s.") % {
        "count": len(submissions),
        "counts": counts_text(plan),
    }
    if batch.rows_set_aside:
        job.message += " " + set_aside_text(batch)


def _keep_pull(
    job: Job, source: KoboSource, since: str, submissions: list[dict]
) -> tuple[KoboPull, bytes]:
    _forget_unconfirmed_pulls()
    content = to_workbook(submissions, source.name)
    now = timezone.now()
    pull = KoboPull.objects.create(
        source=source,
        user=job.owner,
        job=job,
        pulled_at=now,
        since=since,
        submissions=len(submissions),
        newest_submission_time=newest_submission_time(submissions),
        file_name=f"kobo-{source.slug}-{now:%Y%m%d-%H%M%S}-{job.pk}.xlsx",
        checksum=file_checksum(content),
        options=job.params["options"],
        attachments=attachments_of(submissions),
    )
    pull.file.save(f"{PULL_FOLDER}/{pull.pk}.xlsx", ContentFile(content))
    return pull, content


def _forget_unconfirmed_pulls() -> None:
    stale = KoboPull.objects.filter(
        batch=None, pulled_at__lt=timezone.now() - UNCONFIRMED_PULL_AGE
    ).exclude(file="")
    for pull in stale:
        pull.file.delete()


def counts_text(plan: ImportPlan) -> str:
    return ", ".join(f"{Action(action).label}: {count}" for action, count in plan.counts.items())


def _failure_text(plan: ImportPlan, mode: str, refused: str) -> str:
    lines = [counts_text(plan)]
    lines += [describe(problem) for problem in plan.errors[:LISTED_ERRORS]]
    if len(plan.errors) > LISTED_ERRORS:
        lines.append(_("… and %(count)s more.") % {"count": len(plan.errors) - LISTED_ERRORS})
    lines += [text for text in (set_aside_hint(plan, mode), refused) if text]
    return "\n".join(lines)


@receiver(post_save, sender=ImportBatch, dispatch_uid="kobo-pull-follows-its-import")
def follow_import(sender, instance: ImportBatch, created: bool, update_fields=None, **kwargs):
    """A pull's import applied moves its source's markers; undone, it moves them back."""
    if created:
        pull = (
            KoboPull.objects.filter(
                batch=None, file_name=instance.file_name, checksum=instance.checksum
            )
            .select_related("source")
            .first()
        )
        if pull is not None:
            _applied(pull, instance)
    elif instance.status == ImportBatch.Status.UNDONE and "status" in (update_fields or ()):
        pull = KoboPull.objects.filter(batch=instance).select_related("source").first()
        if pull is not None:
            _undone(pull)


def _applied(pull: KoboPull, batch: ImportBatch) -> None:
    source = KoboSource.objects.select_for_update().get(pk=pull.source_id)
    pull.batch = batch
    pull.previous_pulled_at = source.last_pulled_at
    pull.previous_submission_time = source.last_submission_time
    stored = pull.file.name
    pull.file = ""
    pull.save(update_fields=["batch", "previous_pulled_at", "previous_submission_time", "file"])
    source.last_pulled_at = pull.pulled_at
    source.last_submission_time = max(source.last_submission_time, pull.newest_submission_time)
    source.save(update_fields=["last_pulled_at", "last_submission_time", "updated_at"])
    # The rows are in the directory now; the copy goes once that is committed.
    transaction.on_commit(lambda: pull.file.storage.delete(stored))


def _undone(pull: KoboPull) -> None:
    source = KoboSource.objects.select_for_update().get(pk=pull.source_id)
    if (source.last_pulled_at, source.last_submission_time) != (
        pull.pulled_at,
        max(pull.previous_submission_time, pull.newest_submission_time),
    ):
        return  # a later pull was applied since: its markers stand
    source.last_pulled_at = pull.previous_pulled_at
    source.last_submission_time = pull.previous_submission_time
    source.save(update_fields=["last_pulled_at", "last_submission_time", "updated_at"])
