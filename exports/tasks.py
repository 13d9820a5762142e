"""Large admin exports and public PDF annuaires, run by the worker (see jobs/tasks.py).

A job keeps what selects its organisations again as plain JSON, readable after any deploy:
the changelist's query string when "select all" was used (no list of ids could carry a
whole filtered list: SQLite takes at most 32,766 parameters), otherwise the ticked ids; a
PDF annuaire keeps the public list's query string.
"""

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.contrib import admin
from django.core.files import File
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from directory.filters import BY_NAME
from exports.annuaire_pdf import write_annuaire_pdf
from exports.filtering import FilterError, public_selection
from exports.layouts import LAYOUTS
from exports.records import ExportLookups, records_of_ids
from exports.writers import csv_chunks, write_xlsx
from jobs.models import Job
from jobs.services import start_job
from jobs.tasks import JobError, runner
from organisations.models import Organisation
from organisations.visibility import sees_private
from pagecache.stamp import current_version

# An export reports its progress every this many rows.
EXPORT_STEP = 500


def export_in_background(rows: int) -> bool:
    return rows > settings.EXPORT_BACKGROUND_ROWS


def admin_selection(request: HttpRequest, queryset: QuerySet[Organisation]) -> dict:
    """What selects an admin action's organisations again (see the module's docstring)."""
    if request.POST.get("select_across") == "1":
        return {"changelist_query": request.GET.urlencode()}
    return {"ids": sorted(queryset.values_list("pk", flat=True))}


def selected_organisations(selection: dict, user) -> QuerySet[Organisation]:
    """The organisations ``selection`` names, as the user's changelist filters them now."""
    if "ids" in selection:
        rows = Organisation.objects.filter(pk__in=selection["ids"])
    else:
        request = HttpRequest()
        request.method = "GET"
        request.GET = QueryDict(selection["changelist_query"])
        request.user = user
        changelist = admin.site.get_model_admin(Organisation).get_changelist_instance(request)
        rows = changelist.queryset
    return rows.order_by(*BY_NAME)


EXPORT_JOB = "export"


def start_export(user, selection: dict, layout_slug: str, fmt: str, filename: str) -> Job:
    return start_job(
        user,
        EXPORT_JOB,
        _("Export %(file)s") % {"file": filename},
        {"layout": layout_slug, "format": fmt, "separator": ",", "selection": selection},
        result_name=filename,
    )


@runner(EXPORT_JOB)
def run_export(job: Job, report: Callable[..., None]) -> None:
    params = job.params
    if "selection" not in params:
        # A job queued before selections were stored as JSON, whose pickle could not be read.
        raise JobError(_("This export's selection was lost in an update; start it again."))
    layout = LAYOUTS[params["layout"]]
    ids = list(selected_organisations(params["selection"], job.owner).values_list("pk", flat=True))
    total = len(ids)
    report(0, total, _("Writing"))
    columns = layout.columns_for(private=sees_private(job.owner))
    catalogues = ExportLookups()
    records = _counted(records_of_ids(ids, job.owner, layout.parts, catalogues), total, report)
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


PDF_JOB = "annuaire-pdf"


def pdf_in_background(rows: int) -> bool:
    return rows > settings.PDF_BACKGROUND_ROWS


def pdf_job_key(query: QueryDict, language: str) -> str:
    """The same public list, in the same language, of the same data: one PDF for everyone
    who asks for it until the directory changes (the page cache's stamp)."""
    wanted = sorted(
        (name, value)
        for name, values in query.lists()
        if name not in ("page", "sep")
        for value in values
    )
    text = f"{wanted!r}|{language}|{current_version()}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def public_pdf_job(key: str) -> Job | None:
    """The PDF job of ``key`` that is waiting, running or done (a failed one is not reused)."""
    return (
        Job.objects.filter(kind=PDF_JOB, params__key=key)
        .exclude(status=Job.Status.FAILED)
        .order_by("-created_at", "-pk")
        .first()
    )


def pdf_jobs_busy() -> bool:
    """As many public PDF jobs as allowed are waiting or running: a new one would wait
    behind them (each takes minutes), so none is queued."""
    active = Job.objects.filter(kind=PDF_JOB, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    return active.count() >= settings.PDF_JOBS_AT_ONCE


def start_pdf_job(query: QueryDict, key: str, filename: str, list_url: str) -> Job:
    """Queue the PDF of the public list ``query`` selects, for anyone (no owner)."""
    return start_job(
        None,
        PDF_JOB,
        _("Annuaire %(file)s") % {"file": filename},
        {"query": query.urlencode(), "key": key, "list_url": list_url},
        result_name=filename,
    )


@runner(PDF_JOB)
def run_annuaire_pdf(job: Job, report: Callable[..., None]) -> None:
    try:
        selection = public_selection(QueryDict(job.params["query"]))
    except FilterError as error:  # a zone or theme deleted since
        raise JobError(str(error)) from error
    with tempfile.TemporaryFile() as output:
        total = write_annuaire_pdf(output, selection, job.params["list_url"], report)
        output.seek(0)
        job.result_file.save(f"jobs/{job.pk}/{job.result_name}", File(output))
    report(total, total)
    job.message = _("%(rows)s organisations.") % {"rows": total}
