"""What the worker runs: one task that runs a Job, whatever its kind.

The task records the job's state itself (running, done, failed with a message), so the
admin page never depends on the task library's own result table.
"""

import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from exports.layouts import LAYOUTS
from exports.records import ExportLookups, organisation_records
from exports.writers import csv_chunks, write_xlsx
from jobs import progress
from jobs.models import Job
from jobs.queries import load_queryset
from organisations.visibility import sees_private
from surveys.applying import PlanHasErrors
from surveys.mapping import MappingError
from surveys.models import ImportMapping
from surveys.reading import FileRejected
from surveys.service import PlanChanged, apply_import, error_rows_csv, preview_import

logger = logging.getLogger(__name__)

# An export reports its progress every this many rows.
EXPORT_STEP = 500
# Failures whose message is meant for the user; anything else is a bug, logged.
_EXPECTED = (FileRejected, MappingError, PlanChanged, PlanHasErrors)


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
    if isinstance(exc, _EXPECTED):
        message = str(exc)
    elif isinstance(exc, IntegrityError):
        message = _("The import could not be written (%(error)s); nothing was changed.") % {
            "error": exc
        }
    else:
        logger.exception("Job %s failed", job.pk)
        message = _("The job stopped on an unexpected error (%(error)s).") % {
            "error": exc.__class__.__name__
        }
    job.status = Job.Status.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save()


def _run_import(job: Job, report: Callable[..., None]) -> None:
    params = job.params
    mapping = ImportMapping.objects.get(pk=params["mapping"])
    with job.input_file.open("rb") as stored:
        content = stored.read()
    options = (params["on_existing"], tuple(params["allow_create"]))
    confirmed = {int(row): org for row, org in params["confirmed"].items()}
    # Checking the file is the first step, then each step of the writing.
    report(0, 1, _("Checking the file"))
    try:
        _plan, batch = apply_import(
            content,
            params["file_name"],
            mapping,
            job.owner,
            *options,
            confirmed,
            previewed=params["previewed"],
            progress=lambda done, total: report(1 + done, 1 + total, _("Writing")),
        )
    except PlanHasErrors:
        plan = preview_import(content, params["file_name"], mapping, *options)
        job.error_file.save(f"jobs/{job.pk}/errors.csv", ContentFile(error_rows_csv(plan)))
        raise
    job.import_batch = batch
    job.message = _("%(rows)s rows imported.") % {"rows": params["rows"]}
    # The survey file holds personal data: it goes once imported.
    job.input_file.delete(save=False)


def _run_export(job: Job, report: Callable[..., None]) -> None:
    params = job.params
    layout = LAYOUTS[params["layout"]]
    queryset = load_queryset(params["query"])
    total = queryset.count()
    report(0, total, _("Writing"))
    columns = layout.columns_for(private=sees_private(job.owner))
    catalogues = ExportLookups()
    records = _counted(
        organisation_records(queryset, job.owner, layout.parts, catalogues), total, report
    )
    if params["format"] == "xlsx":
        output = write_xlsx(layout, columns, records, catalogues, title=layout.filename_stem)
    else:
        output = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
        for chunk in csv_chunks(layout, columns, records, catalogues, params["separator"]):
            output.write(chunk)
        output.seek(0)
    with output:
        job.result_file.save(f"jobs/{job.pk}/{job.result_name}", File(output))
    report(total, total)
    job.message = _("%(rows)s organisations exported.") % {"rows": total}


def _counted(records: Iterable, total: int, report: Callable[..., None]) -> Iterator:
    for count, record in enumerate(records, start=1):
        yield record
        if count % EXPORT_STEP == 0:
            report(count, total, _("Writing"))


RUNNERS: dict[str, Callable[[Job, Callable[..., None]], None]] = {
    Job.Kind.IMPORT: _run_import,
    Job.Kind.EXPORT: _run_export,
}
