from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from organisations.display import visibility_badge
from organisations.visibility import sees_private
from services.forms import ServiceForm
from services.models import Language, PopulationGroup, Schedule, Service

SERVICE_FIELDS = [
    ("name", "name_en"),
    ("description", "description_en"),
    ("status", "visibility"),
    "themes",
    "populations",
    "eligibility",
    "languages",
    ("cost", "cost_detail"),
    ("walk_in", "by_appointment", "by_referral", "by_phone"),
    "offices",
    "channels",
    "zones",
    "source",
    "staff_notes",
]


def service_visibility(service: Service) -> str:
    if service.pk is None:
        return "—"
    shown = service.status == Service.Status.PUBLISHED
    return visibility_badge(
        shown, _("Shown when the service and its organisation are both published.")
    )


@admin.register(PopulationGroup)
class PopulationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "position"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "position"]
    search_fields = ["name", "name_en", "code"]


class OwnOfficesAndChannelsMixin:
    """Offer only the organisation's own offices and channels (ServiceForm checks too)."""

    def organisation_id(self, request) -> int | str | None:
        raise NotImplementedError

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        organisation_id = self.organisation_id(request)
        if db_field.name in {"offices", "channels"} and organisation_id is not None:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                organisation_id=organisation_id
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PrivateValuesMixin:
    """Staff notes and the contact channels (some may be non-public) only for staff who may
    see private values, as on the organisation's page."""

    private_fields = {"staff_notes", "channels"}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if sees_private(request.user):
            return fields
        return [field for field in fields if field not in self.private_fields]


class ServiceInline(PrivateValuesMixin, OwnOfficesAndChannelsMixin, admin.StackedInline):
    """The organisation's services on its admin page (assembled in crm/admin.py)."""

    model = Service
    form = ServiceForm
    fields = SERVICE_FIELDS
    readonly_fields = ["visibility"]
    autocomplete_fields = ["themes", "zones"]
    extra = 0
    classes = ["collapse"]
    show_change_link = True  # opening hours are set on the service's own page

    def organisation_id(self, request) -> int | str | None:
        # A new organisation has no offices yet: none to offer.
        return request.resolver_match.kwargs.get("object_id") or "0"

    @admin.display(description=_("shown to the public"))
    def visibility(self, service):
        return service_visibility(service)


class ScheduleInline(admin.TabularInline):
    model = Schedule
    fields = ["office", "days", "opens_at", "closes_at", "note"]
    extra = 0


@admin.register(Service)
class ServiceAdmin(PrivateValuesMixin, OwnOfficesAndChannelsMixin, SimpleHistoryAdmin):
    form = ServiceForm
    fields = ["organisation", *SERVICE_FIELDS]
    readonly_fields = ["visibility"]
    list_display = ["name", "organisation", "status", "cost", "source"]
    list_filter = ["status", "cost", "populations", "languages", "themes"]
    list_select_related = ["organisation", "source"]
    search_fields = ["name", "name_en", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation", "themes", "zones"]
    inlines = [ScheduleInline]

    def organisation_id(self, request) -> int | str | None:
        service_id = request.resolver_match.kwargs.get("object_id")
        if service_id is None:
            return None
        return (
            Service.objects.filter(pk=service_id).values_list("organisation_id", flat=True).first()
        )

    @admin.display(description=_("shown to the public"))
    def visibility(self, service):
        return service_visibility(service)
