"""Admin actions: the full export of the selected organisations.

With "select all" the admin hands the whole filtered changelist to the action, so the
same actions export either the ticked rows or everything the filters and search kept.
Private columns follow ``organisations.visibility``, as everywhere else.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from directory.filters import BY_NAME
from exports.filenames import today
from exports.layouts import FULL
from exports.tasks import admin_selection, export_in_background, start_export
from exports.views import table_file


def _export(request, queryset, fmt: str):
    filename = f"{FULL.filename_stem}-selection-{today().isoformat()}.{fmt}"
    ids = list(queryset.order_by(*BY_NAME).values_list("pk", flat=True))
    if export_in_background(len(ids)):
        start_export(request.user, admin_selection(request, queryset), FULL.slug, fmt, filename)
        messages.info(request, _("The export runs in the background; download it from this page."))
        return HttpResponseRedirect(reverse("admin:jobs_job_changelist"))
    return table_file(FULL, fmt, ids, request.user, filename)


@admin.action(description=_("Export the selected organisations (CSV, every field)"))
def export_full_csv(modeladmin, request, queryset):
    return _export(request, queryset, "csv")


@admin.action(description=_("Export the selected organisations (Excel, every field)"))
def export_full_xlsx(modeladmin, request, queryset):
    return _export(request, queryset, "xlsx")


EXPORT_ACTIONS = [export_full_csv, export_full_xlsx]
