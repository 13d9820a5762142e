"""The staff's background jobs: a list with progress bars, downloads and retry.

Result and error files may hold private data: they are served only through
``download_view``, which checks that the job is the user's (or that the user may see
everyone's); ``MEDIA_ROOT`` is never served publicly.
"""

from pathlib import PurePath

from django.conf import settings
from django.contrib import admin, messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import progress
from jobs.models import Job
from jobs.services import retry

# Jobs listed on the page, newest first.
LISTED = 50


def _job_for(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user).select_related("owner"), pk=pk)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    readonly_fields = ["label", "owner", "status", "done", "total", "message", "result_url"]
    readonly_fields += ["result_name", "attempts", "created_at", "started_at", "finished_at"]
    fields = readonly_fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.list_view), name="jobs_job_changelist"),
            path("<int:pk>/download/<str:which>/", view(self.download_view), name="jobs_download"),
            path("<int:pk>/retry/", view(require_POST(self.retry_view)), name="jobs_retry"),
            # The read-only page of one job (its add page answers 403).
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def list_view(self, request: HttpRequest) -> HttpResponse:
        jobs = list(Job.objects.visible_to(request.user).select_related("owner")[:LISTED])
        live = progress.read_many([job.pk for job in jobs if job.is_active])
        for job in jobs:
            if job.pk in live:
                job.done, job.total = live[job.pk]["done"], live[job.pk]["total"]
                job.message = live[job.pk]["message"]
        return TemplateResponse(
            request,
            "admin/jobs/job_list.html",
            {
                **self.admin_site.each_context(request),
                "opts": Job._meta,
                "title": _("Background jobs"),
                "jobs": jobs,
                "refresh": settings.JOBS_REFRESH_SECONDS if any(j.is_active for j in jobs) else 0,
            },
        )

    def download_view(self, request: HttpRequest, pk: int, which: str) -> FileResponse:
        job = _job_for(request, pk)
        if which == "result" and job.result_file:
            stored, name = job.result_file, job.result_name
        elif which == "errors" and job.error_file:
            stored, name = job.error_file, f"{job.pk}-errors{PurePath(job.error_file.name).suffix}"
        else:
            raise Http404
        # admin_view adds "Cache-Control: no-store, private": never kept by a shared cache.
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name)

    def retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _job_for(request, pk)
        if not job.can_retry:
            messages.error(request, _("Only a failed job can be retried."))
        else:
            retry(job)
            messages.success(request, _("The job is queued again."))
        return HttpResponseRedirect(reverse("admin:jobs_job_changelist"))
