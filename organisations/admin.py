from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import bulk_update_with_history

from common.text import fold
from organisations import text_search
from organisations.catalogue_admin import CatalogueImportExportMixin
from organisations.display import visibility_badge
from organisations.forms import OrganisationAdminForm
from organisations.history import ReadableHistory, part_changes
from organisations.models import (
    Acronym,
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    SearchSynonym,
    Source,
    Theme,
    ThemeGroup,
    Typology,
    Zone,
    ZoneIndicator,
)
from organisations.resources import (
    PartnerResource,
    ThemeGroupResource,
    ThemeResource,
    TypologyResource,
    ZoneResource,
)
from organisations.verification import VERIFICATION_CHOICES, in_verification_states
from organisations.visibility import sees_private, visible_channels, visible_contact_persons
from pagecache.stamp import directory_changed


class PrivateRowsInlineMixin:
    """Rows the user may not see (organisations.view_private) are left out of the inline."""

    visible = None  # a function of the user returning the visible rows

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if sees_private(request.user):
            return rows
        return rows.filter(pk__in=type(self).visible(request.user).values("pk"))


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["document", "section", "kind", "year"]
    list_filter = ["kind"]
    search_fields = ["document", "section", "code"]


class ZoneChildInline(admin.TabularInline):
    model = Zone
    fk_name = "parent"
    fields = ["name", "level", "iso_code", "official_code"]
    extra = 0
    show_change_link = True


@admin.register(Zone)
class ZoneAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [ZoneResource]
    list_display = ["name", "level", "parent", "iso_code", "official_code"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_folded", "aliases", "iso_code", "official_code"]
    autocomplete_fields = ["parent"]
    inlines = [ZoneChildInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded:
            queryset |= self.model.objects.filter(name_folded__contains=folded)
        return queryset, may_have_duplicates


@admin.register(ZoneIndicator)
class ZoneIndicatorAdmin(admin.ModelAdmin):
    list_display = ["zone", "indicator", "value", "reference_year", "source"]
    list_filter = ["indicator", "source"]
    list_select_related = ["zone__parent", "source"]
    autocomplete_fields = ["zone"]


@admin.register(Typology)
class TypologyAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [TypologyResource]
    list_display = ["name", "parent", "position"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}


class ThemeInline(admin.TabularInline):
    model = Theme
    fields = ["name", "name_en", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


@admin.register(ThemeGroup)
class ThemeGroupAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [ThemeGroupResource]
    list_display = ["name", "position"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ThemeInline]


@admin.register(Theme)
class ThemeAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [ThemeResource]
    list_display = ["name", "group", "position"]
    list_filter = ["group"]
    list_select_related = ["group"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Partner)
class PartnerAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [PartnerResource]
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["name", "acronym"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]


@admin.register(Acronym)
class AcronymAdmin(admin.ModelAdmin):
    list_display = ["acronym", "expansion"]
    search_fields = ["acronym", "expansion"]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ["words"]
    search_fields = ["words"]


class AliasInline(admin.TabularInline):
    model = OrganisationAlias
    fields = ["name", "source"]
    extra = 0


class IdentifierInline(admin.TabularInline):
    model = OrganisationIdentifier
    fields = ["scheme", "value"]
    extra = 0


class ZoneLabelsMixin:
    """A zone's name includes its parent's ("Yélimané (cercle, Kayes)"): each row's label
    and its zone's autocomplete read the parent with the zone, not in a query per row."""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("zone__parent")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "zone":
            kwargs["queryset"] = Zone.objects.select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ZoneLinkInline(ZoneLabelsMixin, admin.TabularInline):
    model = OrganisationZone
    fields = ["zone", "source"]
    autocomplete_fields = ["zone"]
    extra = 0


class ThemeLinkInline(admin.TabularInline):
    model = OrganisationTheme
    fields = ["theme", "source"]
    autocomplete_fields = ["theme"]
    extra = 0


class PartnershipInline(admin.TabularInline):
    model = Partnership
    fields = ["partner", "description", "source"]
    autocomplete_fields = ["partner"]
    extra = 0


class OfficeInline(ZoneLabelsMixin, admin.StackedInline):
    model = Office
    fields = [("kind", "zone"), "address", "source"]
    autocomplete_fields = ["zone"]
    extra = 0


class ContactChannelInline(PrivateRowsInlineMixin, admin.TabularInline):
    model = ContactChannel
    visible = visible_channels
    fields = [
        "kind",
        "value",
        "label",
        "visibility",
        "is_public",
        "to_verify",
        "verification_note",
        "source",
    ]
    readonly_fields = ["visibility"]
    extra = 0

    @admin.display(description=_("shown to the public"))
    def visibility(self, channel):
        if channel.pk is None:
            return "—"
        return visibility_badge(channel.is_public, _("Marked private by staff."))


class ContactPersonInline(PrivateRowsInlineMixin, admin.StackedInline):
    model = ContactPerson
    visible = visible_contact_persons
    fields = [
        ("name", "role", "visibility"),
        ("phone", "phone_other", "email"),
        ("is_publishable", "consent_given_by", "consent_date"),
        "notes",
    ]
    readonly_fields = ["visibility"]
    extra = 0

    @admin.display(description=_("shown to the public"))
    def visibility(self, person):
        if person.pk is None:
            return "—"
        return visibility_badge(
            person.is_publishable, _("No consent to publish is recorded for this person.")
        )


class ZoneListFilter(admin.SimpleListFilter):
    """Countries and regions; choosing one includes everything below it."""

    title = _("intervention zone")
    parameter_name = "zone"

    def lookups(self, request, model_admin):
        # One probe of the links' zone index per country and region, not a scan of the links.
        linked = OrganisationZone.objects.filter(zone=OuterRef("pk"))
        zones = Zone.objects.filter(level__in=[Zone.Level.COUNTRY, Zone.Level.REGION])
        zones = zones.filter(Exists(linked)).order_by("level", "name")
        return list(zones.values_list("pk", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        zone = Zone.objects.filter(pk=self.value()).first()
        return queryset.in_zone(zone) if zone else queryset.none()


class VerificationListFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return VERIFICATION_CHOICES

    def queryset(self, request, queryset):
        return in_verification_states(queryset, [self.value()] if self.value() else [])


def _edits_stored_values(form) -> bool:
    """The organisation form changes a stored value. Every field is compared with the stored
    row, not with the form's initial values (a revert's form starts from an old version). A
    text area sent back with CRLF line ends, as browsers send them, changes nothing: the model
    stores LF."""
    organisation = form.instance
    stored = type(organisation).objects.get(pk=organisation.pk)
    for name in form.fields:
        try:
            field = organisation._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a form-only field (the version the form was opened on)
        if field.many_to_many:
            chosen = {item.pk for item in form.cleaned_data[name]}
            if chosen != set(getattr(stored, name).values_list("pk", flat=True)):
                return True
            continue
        value = getattr(organisation, field.attname)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n")
        if value != getattr(stored, field.attname):
            return True
    return False


def _bulk_set(request, queryset, values: dict, reason: str) -> list[Organisation]:
    """Set ``values`` on the organisations of ``queryset``, each a new version with its
    history row, in a few queries whatever their number; the organisations changed."""
    now = timezone.now()
    with transaction.atomic():
        # By primary key: the changelist's queryset may be DISTINCT (a search on
        # other names) or joined, which row locks do not allow.
        rows = Organisation.objects.filter(pk__in=queryset.values("pk"))
        changed = list(rows.select_for_update())
        for organisation in changed:
            for name, value in values.items():
                setattr(organisation, name, value)
            organisation.version += 1
            organisation.updated_at = now
        bulk_update_with_history(
            changed,
            Organisation,
            [*values, "version", "updated_at"],
            default_user=request.user,
            default_change_reason=reason,
        )
        # bulk_update sends no post_save: say which organisations changed.
        directory_changed(organisation.pk for organisation in changed)
    return changed


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "acronym", "typology", "legal_form", "status", "updated_at"]
    list_filter = [
        "status",
        "typology",
        "legal_form",
        "registration_kind",
        "survey_status",
        ZoneListFilter,
        # Every theme of the catalogue: "related only" would scan every organisation's links.
        ("themes", admin.RelatedFieldListFilter),
        VerificationListFilter,
    ]
    list_select_related = ["typology"]
    # "12 results (Show all)" rather than "12 of 200,000": no count of the whole table.
    show_full_result_count = False
    # The directory's engine answers the search box (organisations/text_search.py); these
    # fields only when it is not loaded, and for Django's checks of autocomplete fields.
    search_fields = ["name", "acronym", "aliases__name", "search_text"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["registration_country"]
    # Verification is recorded by the "Confirm information verified" action, an update
    # link or an import (organisations/verification.py), never typed in.
    readonly_fields = ["verified_at", "verified_by", "created_at", "updated_at", "version"]

    def get_search_results(self, request, queryset, search_term):
        ids = text_search.found_ids(search_term) if search_term.strip() else None
        if ids is None:
            return super().get_search_results(request, queryset, search_term)
        request.found_organisations = ids  # in the engine's order, for get_paginator
        return queryset.filter(text_search.id_among(queryset.model, ids)), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A search alone (no filter, no column sort): its results best first, as the
        # engine orders them, each page read by id (no sort nor count of them all in SQL).
        ids = getattr(request, "found_organisations", None)
        if ids is not None and set(request.GET) <= {SEARCH_VAR, PAGE_VAR}:
            # Rows read by id alone: the list of every found id would only slow the query.
            rows = self.get_queryset(request).select_related(*self.list_select_related)
            queryset = text_search.FoundOrganisations(ids, rows)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "acronym",
                    "slug",
                    "typology",
                    "status",
                    "survey_status",
                    # Hidden: the version the form was opened on (optimistic locking).
                    "seen_version",
                ]
            },
        ),
        (
            _("Legal status"),
            {
                "fields": [
                    "legal_form",
                    "registration_kind",
                    "registration_law",
                    "registration_country",
                    "registration_reference",
                    "year_founded",
                ]
            },
        ),
        (
            _("Activity"),
            {"fields": ["scope", "scope_detail", "description", "budget_band", "website_status"]},
        ),
        (
            _("Members"),
            {
                "fields": [
                    "members_individuals",
                    "members_organisations",
                    "members_countries",
                    "members_note",
                ]
            },
        ),
        (
            _("Record"),
            {
                "fields": [
                    "source",
                    "staff_notes",
                    ("verified_at", "verified_by"),
                    "created_at",
                    "updated_at",
                    "version",
                ]
            },
        ),
    ]
    # The organisation's own parts; crm/admin.py adds those of the apps above this one.
    inlines = [
        AliasInline,
        IdentifierInline,
        ZoneLinkInline,
        ThemeLinkInline,
        OfficeInline,
        ContactChannelInline,
        ContactPersonInline,
        PartnershipInline,
    ]
    actions = ["publish", "archive", "confirm_verified"]
    object_history_template = "admin/organisations/organisation/object_history.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if sees_private(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "staff_notes"]})
            for name, options in fieldsets
        ]

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "part_changes": part_changes(object_id)}
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert checks and saves the version like the change form does: in one
        # transaction, holding the row (simple-history's view has none of its own).
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            # Continue from the stored version (a revert starts from an old one).
            obj.version = form.cleaned_data["seen_version"]
            if not _edits_stored_values(form):
                # Saved as opened: no new version, no history row, unless an inline
                # changed (save_related saves it then).
                obj.saved_as_opened = True
                return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if getattr(form.instance, "saved_as_opened", False) and any(
            formset.has_changed() for formset in formsets
        ):
            super().save_model(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)

    def _set_status(self, request, queryset, status, message):
        changed = _bulk_set(
            request, queryset.exclude(status=status), {"status": status}, str(message)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation: %(status)s.",
                "%(count)d organisations: %(status)s.",
                len(changed),
            )
            % {"count": len(changed), "status": Organisation.Status(status).label},
            messages.SUCCESS,
        )

    @admin.action(description=_("Confirm information verified"), permissions=["change"])
    def confirm_verified(self, request, queryset):
        confirmed = _bulk_set(
            request,
            queryset,
            {"verified_at": timezone.now(), "verified_by": Organisation.VerifiedBy.STAFF},
            str(_("Information verified by staff")),
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation marked verified today.",
                "%(count)d organisations marked verified today.",
                len(confirmed),
            )
            % {"count": len(confirmed)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish the selected organisations"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Organisation.Status.PUBLISHED, _("Published"))

    @admin.action(description=_("Archive the selected organisations"), permissions=["change"])
    def archive(self, request, queryset):
        self._set_status(request, queryset, Organisation.Status.ARCHIVED, _("Archived"))
