"""Large survey imports, run by the worker (see jobs/tasks.py)."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import start_job
from jobs.tasks import JobError, runner
from surveys.applying import PlanHasErrors
from surveys.mapping import MappingError
from surveys.models import ImportBatch, ImportMapping
from surveys.reading import FileRejected
from surveys.service import PlanChanged, apply_import, error_rows_file, preview_import

# Failures whose message is meant for the user.
_EXPECTED = (FileRejected, MappingError, PlanChanged, PlanHasErrors)


IMPORT_JOB = "import"


def import_in_background(rows: int) -> bool:
    return rows > settings.IMPORT_BACKGROUND_ROWS


def start_import(user, content: bytes, file_name: str, rows: int, options: dict) -> Job:
    """Queue the confirmed import of ``content`` (options as the preview took them)."""
    return start_job(
        user,
        IMPORT_JOB,
        _("Import of %(file)s") % {"file": file_name},
        {**options, "file_name": file_name, "rows": rows},
        input_file=content,
    )


def run_as_job(work, job: Job, report, expected: tuple[type[Exception], ...]) -> None:
    """Run a survey job's ``work``: a refusal it expects, or a write the database refused,
    becomes the job's message (nothing was written: the work runs in a transaction)."""
    try:
        work(job, report)
    except expected as exc:
        raise JobError(str(exc)) from exc
    except IntegrityError as exc:
        raise JobError(
            _("The import could not be written (%(error)s); nothing was changed.") % {"error": exc}
        ) from exc


@runner(IMPORT_JOB)
def run_import(job: Job, report) -> None:
    run_as_job(_import, job, report, _EXPECTED)


def _import(job: Job, report) -> None:
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
            # Jobs queued before the choice existed were all or nothing.
            mode=params.get("mode", ImportBatch.Mode.ALL_OR_NOTHING),
        )
    except PlanHasErrors:
        plan = preview_import(content, params["file_name"], mapping, *options)
        job.error_file.save(f"jobs/{job.pk}/errors.xlsx", ContentFile(error_rows_file(plan)))
        raise
    job.result_url = reverse("admin:surveys_importbatch_change", args=[batch.pk])
    job.result_label = _("See the import")
    if batch.rows_set_aside:
        job.message = set_aside_text(batch)
    else:
        job.message = _("%(rows)s rows imported.") % {"rows": params["rows"]}
    # The survey file holds personal data: it goes once imported.
    job.input_file.delete(save=False)


def set_aside_text(batch: ImportBatch) -> str:
    """What a job that set rows aside says of them."""
    return _(
        "%(applied)s rows imported, %(aside)s set aside (to download from the import's page)."
    ) % {"applied": batch.rows_applied, "aside": batch.rows_set_aside}
