from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from needs.models import NeedActivity, NeedCategory, OrganisationNeed
from needs.resources import NeedActivityResource, NeedCategoryResource
from organisations.catalogue_admin import CatalogueImportExportMixin
from organisations.display import visibility_badge


class NeedActivityInline(admin.StackedInline):
    model = NeedActivity
    fields = [("subgroup", "position"), "name", "name_en"]
    extra = 0


@admin.register(NeedCategory)
class NeedCategoryAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [NeedCategoryResource]
    list_display = ["name", "position"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NeedActivityInline]


@admin.register(NeedActivity)
class NeedActivityAdmin(CatalogueImportExportMixin, admin.ModelAdmin):
    resource_classes = [NeedActivityResource]
    list_display = ["__str__", "category", "subgroup", "position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "name_en"]


class OrganisationNeedInline(admin.StackedInline):
    model = OrganisationNeed
    fields = [
        ("category", "activity"),
        ("priority", "status", "is_public", "visibility"),
        ("support_given", "support_partner", "support_date"),
        "notes",
    ]
    autocomplete_fields = ["activity", "support_partner"]
    readonly_fields = ["visibility"]
    extra = 0

    @admin.display(description=_("shown to the public"))
    def visibility(self, need):
        if need.pk is None:
            return "—"
        return visibility_badge(need.is_public, _("Needs are private unless marked public."))


@admin.register(OrganisationNeed)
class OrganisationNeedAdmin(SimpleHistoryAdmin):
    list_display = [
        "organisation",
        "category",
        "priority",
        "status",
        "support_given",
        "support_partner",
        "support_date",
        "is_public",
    ]
    list_filter = [
        "category",
        "priority",
        "status",
        "is_public",
        ("support_partner", admin.RelatedOnlyFieldListFilter),
        ("organisation__typology", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organisation", "category", "support_partner"]
    search_fields = ["organisation__name", "organisation__acronym", "support_given", "notes"]
    autocomplete_fields = ["organisation", "activity", "support_partner"]
    date_hierarchy = "support_date"
