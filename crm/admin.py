from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import EmptyResultSet
from django.forms import ModelChoiceField
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common.numbers import parse_id
from crm.models import Assignment, DistinctPair, Interaction
from crm.reports import DUE_SOON_DAYS
from exports.admin_actions import EXPORT_ACTIONS
from needs.admin import OrganisationNeedInline
from networks.admin import MembershipInline
from organisations import admin as organisation_admin
from organisations.models import Organisation
from services.admin import ServiceInline


class FollowUpListFilter(admin.SimpleListFilter):
    title = _("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("soon", _("Due within 7 days")),
            ("open", _("To do")),
            ("done", _("Done")),
            ("none", _("None")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "soon":
            return queryset.due_within(today, DUE_SOON_DAYS)
        if value == "open":
            return queryset.open_follow_ups()
        if value == "done":
            return queryset.filter(follow_up_done=True)
        if value == "none":
            return queryset.filter(follow_up_date__isnull=True)
        return queryset


class InteractionFieldsMixin:
    fields = [
        ("kind", "date", "staff"),
        "participants",
        "summary",
        "attachment",
        ("follow_up_date", "follow_up_note", "follow_up_done"),
    ]

    def get_changeform_initial_data(self, request):
        return {"staff": request.user.pk, **super().get_changeform_initial_data(request)}


# The organisation's page shows its latest interactions (a button leads to all of them).
INTERACTIONS_SHOWN = 10


class InteractionInline(admin.StackedInline):
    model = Interaction
    fields = InteractionFieldsMixin.fields
    extra = 0
    classes = ["collapse"]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A new interaction is logged by whoever adds it, unless they say otherwise.
        formset.form.base_fields["staff"].initial = request.user.pk
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["user", "since"]
    extra = 0


@admin.register(Interaction)
class InteractionAdmin(InteractionFieldsMixin, SimpleHistoryAdmin):
    fields = [("organisation",), *InteractionFieldsMixin.fields]
    list_display = [
        "date",
        "organisation",
        "kind",
        "staff",
        "follow_up_date",
        "follow_up_done",
    ]
    list_filter = [FollowUpListFilter, "kind", "staff", "date"]
    list_select_related = ["organisation", "staff"]
    search_fields = ["organisation__name", "organisation__acronym", "summary", "participants"]
    autocomplete_fields = ["organisation"]
    date_hierarchy = "date"
    actions = ["mark_follow_up_done"]

    @admin.action(description=_("Mark the follow-up done"), permissions=["change"])
    def mark_follow_up_done(self, request, queryset):
        updated = 0
        for interaction in queryset.filter(follow_up_done=False, follow_up_date__isnull=False):
            interaction.follow_up_done = True
            interaction.save(update_fields=["follow_up_done"])
            updated += 1
        self.message_user(request, _("%(count)d follow-up(s) marked done.") % {"count": updated})


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "user", "since"]
    list_filter = ["user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["organisation__name", "organisation__acronym", "user__username"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(DistinctPair)
class DistinctPairAdmin(admin.ModelAdmin):
    list_display = ["first", "second", "checked_by", "checked_at"]
    list_select_related = ["first", "second", "checked_by"]
    autocomplete_fields = ["first", "second"]
    readonly_fields = ["checked_by", "checked_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.checked_by = request.user
        super().save_model(request, obj, form, change)


class OrganisationAdmin(organisation_admin.OrganisationAdmin):
    """The staff's organisation page: the organisation's own parts, with those of the apps
    built on it (networks, needs, services, follow-up) and the exports, assembled here,
    above them all."""

    list_filter = [
        *organisation_admin.OrganisationAdmin.list_filter,
        ("memberships__network", admin.RelatedFieldListFilter),
    ]
    inlines = [
        organisation_admin.AliasInline,
        organisation_admin.IdentifierInline,
        organisation_admin.ZoneLinkInline,
        organisation_admin.ThemeLinkInline,
        organisation_admin.OfficeInline,
        organisation_admin.ContactChannelInline,
        organisation_admin.ContactPersonInline,
        MembershipInline,
        organisation_admin.PartnershipInline,
        OrganisationNeedInline,
        ServiceInline,
        InteractionInline,
        AssignmentInline,
    ]
    actions = [*organisation_admin.OrganisationAdmin.actions, "merge_two", *EXPORT_ACTIONS]
    change_form_template = "admin/organisations/organisation/change_form.html"
    # What apps above crm add to this page, from their own admin module (outreach/admin.py):
    # URL patterns (functions of this model admin), and buttons at the top of the change page
    # (functions of the request and the organisation's id, giving (label, url) pairs).
    extra_urls: list = []
    extra_buttons: list = []

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, InteractionInline) and obj is not None and obj.pk is not None:
            latest = obj.interactions.order_by("-date", "-pk").values_list("pk", flat=True)
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=list(latest[:INTERACTIONS_SHOWN]))
        return kwargs

    def get_formsets_with_inlines(self, request, obj=None):
        shared: dict[tuple, list] = {}
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            for field in formset.form.base_fields.values():
                _share_choices(field, shared)
            yield formset, inline

    def get_urls(self):
        return [*(url for urls in self.extra_urls for url in urls(self)), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pk = parse_id(unquote(object_id))
        buttons = [
            button
            for buttons_of in self.extra_buttons
            for button in (buttons_of(request, pk) if pk is not None else [])
        ]
        extra_context = {**(extra_context or {}), "page_buttons": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Merge the two selected organisations…"), permissions=["change"])
    def merge_two(self, request, queryset):
        ids = sorted(queryset.values_list("pk", flat=True)[:3])
        if len(ids) != 2:
            self.message_user(
                request, _("Select exactly two organisations to merge."), messages.ERROR
            )
            return None
        query = urlencode({"first": ids[0], "second": ids[1]})
        return HttpResponseRedirect(f"{reverse('crm:merge')}?{query}")


def _interaction_buttons(request, pk: int) -> list[tuple[str, str]]:
    if not request.user.has_perm("crm.view_interaction"):
        return []
    url = reverse("admin:crm_interaction_changelist")
    return [(_("All its interactions"), f"{url}?organisation__id__exact={pk}")]


def _share_choices(field, shared: dict[tuple, list]) -> None:
    """Give a select of the page's inlines its choices read once for the whole page.

    Django lists a model's choices again for every row of an inline and for its empty
    row ("add another"): the sources, staff members and the rest were read 40 times
    on an organisation with a dozen zones. The list of choices is only shown; what is
    posted is still checked against the field's queryset.
    """
    if not isinstance(field, ModelChoiceField) or isinstance(
        getattr(field.widget, "widget", field.widget), AutocompleteMixin
    ):
        return  # an autocomplete shows only the selected choice
    try:
        key = (field.queryset.model, str(field.queryset.query), field.empty_label)
    except EmptyResultSet:
        return
    if key not in shared:
        shared[key] = [(getattr(value, "value", value), label) for value, label in field.choices]
    field.choices = shared[key]


OrganisationAdmin.extra_buttons.append(_interaction_buttons)

admin.site.unregister(Organisation)
admin.site.register(Organisation, OrganisationAdmin)
