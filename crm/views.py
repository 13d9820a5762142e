"""Staff pages inside the admin: dashboard, needs overview, data quality, merge."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.numbers import parse_id
from crm import reports
from crm.duplicates import find_duplicates
from crm.merge import MergeError, merge_organisations
from crm.models import DistinctPair, Interaction
from organisations.models import Organisation, Zone

# Lists on the data quality page show this many rows each, with the total.
QUALITY_LIST_LIMIT = 200


def _render(request: HttpRequest, template: str, title: str, **context) -> HttpResponse:
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


@permission_required("crm.view_interaction", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    only_mine = request.GET.get("mine") == "1"
    return _render(
        request,
        "admin/crm/dashboard.html",
        _("Follow-up dashboard"),
        dashboard=reports.dashboard(
            request.user, only_mine=only_mine, page=request.GET.get("page", 1)
        ),
        only_mine=only_mine,
        # The interaction list's filter for the same follow-ups as "only mine".
        staff_filter=f"&staff__id__exact={request.user.pk}" if only_mine else "",
    )


@permission_required("needs.view_organisationneed", raise_exception=True)
def needs_overview(request: HttpRequest) -> HttpResponse:
    countries = Zone.objects.countries().order_by("name")
    chosen = request.GET.get("country", "")
    pk = parse_id(chosen)
    country = countries.filter(pk=pk).first() if pk is not None else None
    if chosen and country is None:
        messages.error(request, _("Unknown country: all countries are shown."))
    return _render(
        request,
        "admin/crm/needs_overview.html",
        _("Needs overview"),
        overview=reports.needs_overview(country),
        countries=countries,
        country=country,
    )


@permission_required("organisations.view_organisation", raise_exception=True)
def data_quality(request: HttpRequest) -> HttpResponse:
    lists = [
        (quality_list, *_shown_and_counted(quality_list.organisations))
        for quality_list in reports.quality_lists()
    ]
    duplicates = find_duplicates(limit=QUALITY_LIST_LIMIT)
    return _render(
        request,
        "admin/crm/data_quality.html",
        _("Data quality"),
        lists=lists,
        duplicates=duplicates.pairs,
        duplicate_count=duplicates.total,
        can_merge=request.user.has_perm("organisations.change_organisation"),
    )


def _pair(request: HttpRequest) -> tuple[Organisation, Organisation]:
    data = request.POST if request.method == "POST" else request.GET
    ids = [data.get("first", ""), data.get("second", "")]
    if any(parse_id(value) is None for value in ids) or ids[0] == ids[1]:
        raise Http404(_("Choose two different organisations."))
    first = get_object_or_404(Organisation, pk=ids[0])
    second = get_object_or_404(Organisation, pk=ids[1])
    return first, second


@permission_required("organisations.change_organisation", raise_exception=True)
def merge(request: HttpRequest) -> HttpResponse:
    first, second = _pair(request)
    if request.method == "POST":
        keep = request.POST.get("keep")
        if keep not in {str(first.pk), str(second.pk)}:
            messages.error(request, _("Choose the record to keep."))
        else:
            kept, duplicate = (first, second) if keep == str(first.pk) else (second, first)
            try:
                result = merge_organisations(kept, duplicate, user=request.user)
            except (MergeError, IntegrityError) as error:
                messages.error(request, _("Nothing was merged: %(error)s") % {"error": error})
            else:
                messages.success(request, _merge_summary(kept, duplicate, result))
                return redirect("admin:organisations_organisation_change", kept.pk)
    return _render(
        request,
        "admin/crm/merge.html",
        _("Merge two organisations"),
        records=[_merge_preview(first), _merge_preview(second)],
        first=first,
        second=second,
    )


def _merge_preview(organisation: Organisation) -> dict:
    """The record and how many parts of each kind it has, to choose which to keep."""
    counts = [
        (
            relation.related_model._meta.verbose_name_plural,
            getattr(organisation, relation.get_accessor_name()).count(),
        )
        for relation in Organisation._meta.related_objects
        if relation.one_to_many
    ]
    return {"organisation": organisation, "counts": counts}


def _merge_summary(kept, duplicate, result) -> str:
    def counts(by_label):
        return ", ".join(f"{label}: {count}" for label, count in sorted(by_label.items()))

    return _(
        "“%(duplicate)s” was merged into this record and archived. Moved: %(moved)s. "
        "Already here, kept once: %(combined)s. Other names added: %(aliases)s."
    ) % {
        "duplicate": duplicate.name,
        "moved": counts(result.moved) or _("nothing"),
        "combined": counts(result.combined) or _("nothing"),
        "aliases": ", ".join(result.aliases_added) or _("none"),
    }


def _shown_and_counted(organisations) -> tuple[int, list[Organisation]]:
    """How many, and the first ones; counted only when they do not all fit, since a
    count scans as many rows as the list (0.3 s each at 200,000 organisations)."""
    shown = list(organisations[:QUALITY_LIST_LIMIT])
    return (organisations.count() if len(shown) == QUALITY_LIST_LIMIT else len(shown)), shown


@require_POST
@permission_required("organisations.change_organisation", raise_exception=True)
def mark_distinct(request: HttpRequest) -> HttpResponse:
    first, second = sorted(_pair(request), key=lambda organisation: organisation.pk)
    DistinctPair.objects.get_or_create(
        first=first, second=second, defaults={"checked_by": request.user}
    )
    messages.success(
        request,
        _("“%(first)s” and “%(second)s” will no longer be listed as likely duplicates.")
        % {"first": first, "second": second},
    )
    return redirect(reverse("crm:data_quality") + "#duplicates")


@permission_required("crm.view_interaction", raise_exception=True)
def attachment(request: HttpRequest, name: str) -> FileResponse:
    interaction = get_object_or_404(Interaction, attachment=name)
    return FileResponse(
        interaction.attachment.open("rb"),
        as_attachment=True,
        filename=name.rsplit("/", 1)[-1],
    )
