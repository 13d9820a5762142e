"""Downloads of the public list, as filtered: annuaire (CSV, XLSX, PDF), full export, HXL,
3W, HSDS.

Every download takes the list's own query string (``OrganisationFilterSet``), so what
is downloaded is what the list shows. The annuaire, HXL, 3W and HSDS files are publication
formats and always hold public data only; the full export holds private columns for
users allowed to see them (``organisations.visibility``).
"""

import logging
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from exports.annuaire_pdf import write_annuaire_pdf
from exports.filenames import download_name
from exports.filtering import FilterError, filtered_organisations
from exports.hsds import hsds_zip
from exports.layouts import ANNUAIRE, FULL, HXL, Layout
from exports.records import ExportLookups, records_of_ids
from exports.tasks import (
    pdf_in_background,
    pdf_job_key,
    pdf_jobs_busy,
    public_pdf_job,
    start_pdf_job,
)
from exports.three_w import HEADINGS, HXL_TAGS, three_w_rows
from exports.writers import SEPARATORS, csv_chunks, csv_table_chunks, write_xlsx
from jobs import progress
from jobs.models import Job
from organisations.visibility import sees_private
from pagecache.cache import cache_public_download

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

logger = logging.getLogger(__name__)


def _bad_request(error: FilterError) -> HttpResponse:
    return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")


def table_response(
    request: HttpRequest, layout: Layout, fmt: str, public_only: bool
) -> HttpResponse:
    """``layout`` for the organisations the user may see, as filtered by the query string."""
    separator = SEPARATORS.get(request.GET.get("sep", "comma"))
    if separator is None:
        return HttpResponse(
            _("Unknown separator: use sep=comma or sep=semicolon."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        selection = filtered_organisations(request, public_only)
    except FilterError as error:
        return _bad_request(error)
    user = None if public_only else request.user
    filename = download_name(layout.filename_stem, selection.filterset, fmt)
    return table_file(layout, fmt, selection.ids, user, filename, separator)


def table_file(
    layout: Layout, fmt: str, ids: list[int], user, filename: str, separator: str = ","
) -> HttpResponse:
    """The download of ``layout`` for the organisations ``ids`` (in that order, all of
    them visible to ``user``), with what ``user`` may see."""
    columns = layout.columns_for(private=sees_private(user))
    catalogues = ExportLookups()
    records = records_of_ids(ids, user, layout.parts, catalogues)
    if fmt == "xlsx":
        workbook = write_xlsx(layout, columns, records, catalogues, title=layout.filename_stem)
        response = FileResponse(
            workbook, as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    else:
        chunks = csv_chunks(layout, columns, records, catalogues, separator)
        response = csv_response(chunks, filename)
    # Staff downloads may hold private data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store" if sees_private(user) else "private"
    return response


def csv_response(chunks: Iterator[bytes], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _in_language(_marked_when_cut(chunks), translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _marked_when_cut(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks; if writing them fails (the database went away), a last row that says the
    file is incomplete, then the error again, so the server aborts the chunked transfer
    without its final empty chunk and the browser reports a failed download (README, "Exports").
    """
    try:
        yield from chunks
    except Exception:
        logger.exception("CSV download cut by an error")
        marker = _("INCOMPLETE FILE: the download was cut by a server error. Download it again.")
        yield f'"{marker}"\r\n'.encode()
        raise


def _in_language(chunks: Iterator[bytes], language: str) -> Iterator[bytes]:
    """The chunks written in the request's language: a streamed body is produced after
    the view has returned, when the request's language is no longer active."""
    with translation.override(language):
        yield from chunks


@cache_public_download
@require_GET
def annuaire(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_response(request, ANNUAIRE, fmt, public_only=True)


@require_GET
def full(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_response(request, FULL, fmt, public_only=False)


@cache_public_download
@require_GET
def hxl(request: HttpRequest) -> HttpResponse:
    return table_response(request, HXL, "csv", public_only=True)


@cache_public_download
@require_GET
def three_w(request: HttpRequest) -> HttpResponse:
    """The 3W long form (exports/three_w.py): public data only, filtered like the list."""
    try:
        selection = filtered_organisations(request, public_only=True)
    except FilterError as error:
        return _bad_request(error)
    rows = three_w_rows(selection.ids, ExportLookups())
    chunks = csv_table_chunks([list(HEADINGS), list(HXL_TAGS)], rows)
    response = csv_response(chunks, download_name("3w-osc", selection.filterset, "csv"))
    response["Cache-Control"] = "private"
    return response


@cache_public_download
@require_GET
def hsds(request: HttpRequest) -> HttpResponse:
    try:
        selection = filtered_organisations(request, public_only=True)
    except FilterError as error:
        return _bad_request(error)
    package = hsds_zip(selection.ids)
    filename = download_name("hsds-osc", selection.filterset, "zip")
    return FileResponse(
        package, as_attachment=True, filename=filename, content_type="application/zip"
    )


@cache_public_download
@require_GET
def annuaire_pdf(request: HttpRequest) -> HttpResponse:
    """The annuaire of the public list as a PDF: made in the request for a short list, by
    the worker for a long one (the visitor waits on a page that follows its progress and
    then serves the file)."""
    try:
        selection = filtered_organisations(request, public_only=True)
    except FilterError as error:
        return _bad_request(error)
    filename = download_name(ANNUAIRE.filename_stem, selection.filterset, "pdf")
    query = request.GET.copy()
    query.pop("page", None)
    list_url = request.build_absolute_uri(reverse("directory:organisation_list"))
    if query:
        list_url += "?" + query.urlencode()
    total = len(selection.ids)
    if not pdf_in_background(total):
        output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_annuaire_pdf(output, selection, list_url)
        output.seek(0)
        return _pdf_file(output, filename)
    key = pdf_job_key(query, translation.get_language())
    job = public_pdf_job(key)
    if job is None:
        if pdf_jobs_busy():
            response = render(request, "exports/pdf_busy.html", status=503)
            response["Retry-After"] = "300"
            return response
        job = start_pdf_job(query, key, filename, list_url)
    if job.status == Job.Status.DONE and job.result_file:
        return _pdf_file(job.result_file.open("rb"), job.result_name)
    live = progress.read(job.pk) or {}
    context = {
        "job": job,
        "done": live.get("done", job.done),
        "total": live.get("total") or total,
        "list_url": list_url,
    }
    # 202: accepted, not ready; never kept by the download cache (it keeps 200s only).
    status = 500 if job.status == Job.Status.FAILED else 202
    return render(request, "exports/pdf_wait.html", context, status=status)


def _pdf_file(output, filename: str) -> FileResponse:
    return FileResponse(output, as_attachment=True, filename=filename, content_type=PDF_TYPE)
