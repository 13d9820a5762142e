"""Staff pages: saved mappings, the import flow (upload, preview, confirm) and undo."""

import os
from datetime import timedelta
from pathlib import PurePath

from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from common.numbers import is_plain_integer
from surveys.applying import PlanHasErrors
from surveys.forms import ImportMappingForm, KoboPullForm, UploadForm
from surveys.kobo.pulling import pull_params, start_pull
from surveys.mapping import MappingError
from surveys.models import ImportBatch, ImportMapping, KoboPull, KoboSource
from surveys.planning.plan import Action
from surveys.reading import FileRejected
from surveys.service import (
    PlanChanged,
    apply_import,
    error_rows_file,
    file_checksum,
    preview_import,
)
from surveys.tasks import import_in_background, start_import
from surveys.undoing import UndoRefused, undo_batch, undo_conflicts

PERMISSION = "surveys.import_survey"
TOKEN_SALT = "surveys.import"
TOKEN_MAX_AGE = 24 * 3600
UPLOAD_FOLDER = "survey-imports"
# The preview lists at most this many rows (errors first); the counts cover every row.
PREVIEW_ROWS = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    form = ImportMappingForm
    list_display = ["name", "slug", "updated_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["applied_at", "file_name", "mapping", "user", "counts_summary", "status"]
    list_filter = ["status", "mapping"]
    list_select_related = ["mapping", "user"]
    search_fields = ["file_name", "checksum"]
    readonly_fields = [
        "file_name",
        "checksum",
        "mapping",
        "on_existing",
        "allow_create",
        "source",
        "user",
        "applied_at",
        "counts_summary",
        "mode",
        "rows_applied",
        "rows_set_aside",
        "status",
        "undone_at",
        "undone_by",
        "mapping_definition",
    ]
    exclude = ["counts", "set_aside_file"]
    change_list_template = "admin/surveys/importbatch/change_list.html"
    change_form_template = "admin/surveys/importbatch/change_form.html"

    @admin.display(description=gettext_lazy("counts"))
    def counts_summary(self, batch: ImportBatch) -> str:
        return ", ".join(
            f"{Action(action).label}: {count}" for action, count in batch.counts.items() if count
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(PERMISSION)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or request.user.has_perm(PERMISSION)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.upload_view), name="surveys_import"),
            path("import/confirm/", view(self.confirm_view), name="surveys_import_confirm"),
            path("import/errors/", view(self.errors_view), name="surveys_import_errors"),
            path("<int:pk>/undo/", view(self.undo_view), name="surveys_import_undo"),
            path("<int:pk>/set-aside/", view(self.set_aside_view), name="surveys_import_set_aside"),
            *super().get_urls(),
        ]

    def _check(self, request: HttpRequest) -> None:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied

    def _context(self, request, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            options = {
                "mapping": form.cleaned_data["mapping"].pk,
                "on_existing": form.cleaned_data["on_existing"],
                "allow_create": form.cleaned_data["allow_create"],
            }
            try:
                plan = preview_import(
                    content,
                    upload.name,
                    form.cleaned_data["mapping"],
                    options["on_existing"],
                    tuple(options["allow_create"]),
                )
            except (FileRejected, MappingError) as exc:
                form.add_error("file", str(exc))
            else:
                options["previewed"] = plan.fingerprint()
                options["rows"] = len(plan.rows)
                token = self._keep_upload(request, content, upload.name, options)
                return self._preview(request, plan, token, upload.name)
        return TemplateResponse(
            request,
            "admin/surveys/importbatch/upload.html",
            self._context(request, title=_("Import a survey"), form=form),
        )

    def _keep_upload(self, request, content: bytes, file_name: str, options: dict) -> str:
        """Store the file until confirmation; the signed token names it and the choices."""
        _purge_stale_uploads()
        checksum = file_checksum(content)
        suffix = PurePath(file_name).suffix.lower()[:8]
        stored = default_storage.save(f"{UPLOAD_FOLDER}/{checksum}{suffix}", ContentFile(content))
        return signing.dumps(
            {
                "stored": stored,
                "checksum": checksum,
                "file_name": file_name,
                "user": request.user.pk,
                **options,
            },
            salt=TOKEN_SALT,
        )

    def _preview(self, request, plan, token: str, file_name: str) -> HttpResponse:
        ordered = sorted(plan.rows, key=lambda row: row.action != Action.ERROR)
        return TemplateResponse(
            request,
            "admin/surveys/importbatch/preview.html",
            self._context(
                request,
                title=_("Preview of %(file)s") % {"file": file_name},
                plan=plan,
                rows=ordered[:PREVIEW_ROWS],
                hidden_rows=max(0, len(ordered) - PREVIEW_ROWS),
                counts=[(Action(a).label, a, n) for a, n in plan.counts.items()],
                valid_rows=len(plan.rows) - plan.counts[Action.ERROR],
                token=token,
                in_background=import_in_background(len(plan.rows)),
                creations={kind: list(names.values()) for kind, names in plan.creations.items()},
            ),
        )

    def _load_token(self, request) -> tuple[dict, bytes]:
        try:
            data = signing.loads(
                request.POST.get("token") or request.GET.get("token", ""),
                salt=TOKEN_SALT,
                max_age=TOKEN_MAX_AGE,
            )
        except signing.BadSignature:
            raise PermissionDenied from None
        if data["user"] != request.user.pk:
            raise PermissionDenied
        with default_storage.open(data["stored"], "rb") as stored:
            content = stored.read()
        if file_checksum(content) != data["checksum"]:
            raise PermissionDenied
        return data, content

    def _expired(self, request) -> HttpResponse:
        messages.error(request, _("This preview has expired; upload the file again."))
        return HttpResponseRedirect(reverse("admin:surveys_import"))

    def errors_view(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        try:
            data, content = self._load_token(request)
        except FileNotFoundError:
            return self._expired(request)
        mapping = get_object_or_404(ImportMapping, pk=data["mapping"])
        plan = preview_import(
            content, data["file_name"], mapping, data["on_existing"], tuple(data["allow_create"])
        )
        response = HttpResponse(error_rows_file(plan), content_type=XLSX_TYPE)
        stem = PurePath(data["file_name"]).stem[:60] or "import"
        response["Content-Disposition"] = f'attachment; filename="{stem}-errors.xlsx"'
        return response

    def confirm_view(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:surveys_import"))
        try:
            data, content = self._load_token(request)
        except FileNotFoundError:
            return self._expired(request)
        mapping = get_object_or_404(ImportMapping, pk=data["mapping"])
        confirmed = {}
        for value in request.POST.getlist("merge"):
            row, _sep, org = value.partition(":")
            if is_plain_integer(row) and is_plain_integer(org):
                confirmed[int(row)] = int(org)
        mode = request.POST.get("mode")
        if mode not in ImportBatch.Mode.values:
            mode = ImportBatch.Mode.ALL_OR_NOTHING
        if import_in_background(data.get("rows", 0)):
            return self._start_job(request, data, content, confirmed, mode)
        try:
            plan, batch = apply_import(
                content,
                data["file_name"],
                mapping,
                request.user,
                data["on_existing"],
                tuple(data["allow_create"]),
                confirmed,
                previewed=data["previewed"],
                mode=mode,
            )
        except PlanChanged as exc:
            messages.warning(request, str(exc))
            plan = preview_import(
                content, data["file_name"], mapping, data["on_existing"], data["allow_create"]
            )
            options = {key: data[key] for key in ("mapping", "on_existing", "allow_create")}
            options["previewed"] = plan.fingerprint()
            default_storage.delete(data["stored"])
            token = self._keep_upload(request, content, data["file_name"], options)
            return self._preview(request, plan, token, data["file_name"])
        except (FileRejected, MappingError, PlanHasErrors) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:surveys_import"))
        except IntegrityError as exc:
            # A record written meanwhile by someone else collides with the import.
            messages.error(
                request,
                _("The import could not be written (%(error)s); nothing was changed.")
                % {"error": exc},
            )
            return HttpResponseRedirect(reverse("admin:surveys_import"))
        default_storage.delete(data["stored"])
        messages.success(
            request,
            _("Import applied: %(counts)s.") % {"counts": self.counts_summary(batch)},
        )
        if batch.rows_set_aside:
            messages.warning(
                request,
                ngettext(
                    "%(count)s row in error was set aside: download it from this page, "
                    "correct it and import it again.",
                    "%(count)s rows in error were set aside: download them from this page, "
                    "correct them and import them again.",
                    batch.rows_set_aside,
                )
                % {"count": batch.rows_set_aside},
            )
        return HttpResponseRedirect(reverse("admin:surveys_importbatch_change", args=[batch.pk]))

    def _start_job(
        self, request, data: dict, content: bytes, confirmed: dict, mode: str
    ) -> HttpResponse:
        """A large file is imported by the worker; its page shows the progress."""
        options = {k: data[k] for k in ("mapping", "on_existing", "allow_create", "previewed")}
        options["confirmed"] = confirmed
        options["mode"] = mode
        start_import(request.user, content, data["file_name"], data["rows"], options)
        default_storage.delete(data["stored"])
        messages.info(request, _("The import runs in the background; its progress is below."))
        return HttpResponseRedirect(reverse("admin:jobs_job_changelist"))

    def undo_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._check(request)
        batch = get_object_or_404(ImportBatch.objects.select_related("mapping", "user"), pk=pk)
        change_url = reverse("admin:surveys_importbatch_change", args=[batch.pk])
        if request.method == "POST":
            try:
                undo_batch(batch, request.user)
            except UndoRefused as exc:
                for reason in exc.reasons:
                    messages.error(request, reason)
            else:
                messages.success(request, _("The import was undone."))
            return HttpResponseRedirect(change_url)
        conflicts = undo_conflicts(batch) if batch.status == ImportBatch.Status.APPLIED else []
        return TemplateResponse(
            request,
            "admin/surveys/importbatch/undo.html",
            self._context(
                request,
                title=_("Undo import %(batch)s") % {"batch": batch},
                batch=batch,
                conflicts=conflicts,
                created=batch.created_counts(),
                updated={label: len(ids) for label, ids in batch.updated.items()},
                change_url=change_url,
            ),
        )

    def set_aside_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The rows an import set aside, to correct and import again (personal data)."""
        self._check(request)
        batch = get_object_or_404(ImportBatch, pk=pk)
        if not batch.set_aside_file:
            raise Http404
        suffix = PurePath(batch.set_aside_file.name).suffix
        stem = PurePath(batch.file_name).stem[:60] or "import"
        return FileResponse(
            batch.set_aside_file.open("rb"),
            as_attachment=True,
            filename=f"{stem}-set-aside{suffix}",
        )

    def render_change_form(self, request, context, *args, **kwargs):
        obj = context.get("original")
        if obj is not None and request.user.has_perm(PERMISSION):
            context["undo_url"] = reverse("admin:surveys_import_undo", args=[obj.pk])
            if obj.set_aside_file:
                context["set_aside_url"] = reverse("admin:surveys_import_set_aside", args=[obj.pk])
        return super().render_change_form(request, context, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if request.user.has_perm(PERMISSION):
            extra_context["import_url"] = reverse("admin:surveys_import")
        return super().changelist_view(request, extra_context)


def _purge_stale_uploads() -> None:
    """Survey files hold personal data: those never confirmed go once their token expires."""
    try:
        _folders, names = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return
    expired = timezone.now() - timedelta(seconds=TOKEN_MAX_AGE)
    for name in names:
        path = f"{UPLOAD_FOLDER}/{name}"
        if default_storage.get_modified_time(path) < expired:
            default_storage.delete(path)


class KoboPullInline(admin.TabularInline):
    model = KoboPull
    fields = ["pulled_at", "user", "since", "submissions", "newest_submission_time", "outcome"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = gettext_lazy("Pulls")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "batch")

    @admin.display(description=gettext_lazy("import"))
    def outcome(self, pull: KoboPull) -> str:
        if pull.batch is not None:
            url = reverse("admin:surveys_importbatch_change", args=[pull.batch.pk])
            return format_html('<a href="{}">{}</a>', url, pull.batch.get_status_display())
        if pull.file:
            url = reverse("admin:surveys_kobosource_preview", args=[pull.pk])
            return format_html('<a href="{}">{}</a>', url, _("See the preview"))
        return _("Not imported")


@admin.register(KoboSource)
class KoboSourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "server_url", "asset_uid", "mapping", "last_pulled_at"]
    list_select_related = ["mapping"]
    search_fields = ["name", "slug", "asset_uid"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "server_url",
        "asset_uid",
        "mapping",
        "token_variable",
        "token_status",
        "last_pulled_at",
        "last_submission_time",
    ]
    readonly_fields = ["token_status", "last_pulled_at", "last_submission_time"]
    inlines = [KoboPullInline]
    change_form_template = "admin/surveys/kobosource/change_form.html"

    @admin.display(description=gettext_lazy("API token"))
    def token_status(self, source: KoboSource) -> str:
        # Whether the variable is set, never its value.
        if source.pk and os.environ.get(source.token_variable, "").strip():
            return _("set on this server")
        return _("not set on this server: pulls will fail")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pull/", view(self.pull_view), name="surveys_kobosource_pull"),
            path(
                "pulls/<int:pk>/preview/",
                view(self.preview_view),
                name="surveys_kobosource_preview",
            ),
            *super().get_urls(),
        ]

    def pull_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        source = get_object_or_404(KoboSource.objects.select_related("mapping"), pk=pk)
        form = KoboPullForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            options = {k: v for k, v in form.cleaned_data.items() if k != "full"}
            params = pull_params(
                source, full=form.cleaned_data["full"], apply=False, options=options
            )
            start_pull(request.user, source, params)
            messages.info(
                request,
                _(
                    "The pull runs in the background; its progress is below. When it is "
                    "done, open its preview to check and confirm the import."
                ),
            )
            return HttpResponseRedirect(reverse("admin:jobs_job_changelist"))
        return TemplateResponse(
            request,
            "admin/surveys/kobosource/pull.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": source,
                "title": _("Pull %(source)s") % {"source": source},
                "form": form,
            },
        )

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The pulled rows on the usual preview page; confirming it imports them."""
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        pull = get_object_or_404(KoboPull.objects.select_related("source__mapping", "batch"), pk=pk)
        source_url = reverse("admin:surveys_kobosource_change", args=[pull.source_id])
        if pull.batch is not None:
            messages.error(request, _("This pull was imported already."))
            return HttpResponseRedirect(source_url)
        if not pull.file:
            messages.error(
                request, _("This pull's rows were deleted a day after the pull; pull again.")
            )
            return HttpResponseRedirect(source_url)
        with pull.file.open("rb") as stored:
            content = stored.read()
        mapping = pull.source.mapping
        options = pull.options
        try:
            plan = preview_import(
                content,
                pull.file_name,
                mapping,
                options["on_existing"],
                tuple(options["allow_create"]),
            )
        except (FileRejected, MappingError) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(source_url)
        imports = self.admin_site.get_model_admin(ImportBatch)
        token = imports._keep_upload(
            request,
            content,
            pull.file_name,
            {
                **options,
                "mapping": mapping.pk,
                "previewed": plan.fingerprint(),
                "rows": len(plan.rows),
            },
        )
        return imports._preview(request, plan, token, pull.file_name)


@admin.register(KoboPull)
class KoboPullAdmin(admin.ModelAdmin):
    """What a pull read, and where its attachments can be downloaded (with the API token)."""

    list_display = ["pulled_at", "source", "user", "submissions", "batch"]
    list_select_related = ["source", "user", "batch"]
    list_filter = ["source"]
    fields = [
        "source",
        "user",
        "pulled_at",
        "since",
        "submissions",
        "newest_submission_time",
        "file_name",
        "batch",
        "attachment_list",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("attachments"))
    def attachment_list(self, pull: KoboPull) -> str:
        if not pull.attachments:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} · {} · <a href="{}">{}</a> ({})</li>',
                (
                    (
                        item["uuid"],
                        item["question"],
                        item["download_url"],
                        item["filename"],
                        item["mimetype"],
                    )
                    for item in pull.attachments
                ),
            ),
        )
