from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from networks.models import Membership, Network
from networks.resources import NetworkResource
from organisations.catalogue_admin import CatalogueImportExportMixin


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["network", "role", "since_year", "source"]
    autocomplete_fields = ["network"]
    extra = 0


class NetworkMemberInline(admin.TabularInline):
    model = Membership
    fields = ["organisation", "role", "since_year", "source"]
    autocomplete_fields = ["organisation"]
    extra = 0


@admin.register(Network)
class NetworkAdmin(CatalogueImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [NetworkResource]
    list_display = ["name", "acronym", "level", "kind", "formality", "member_count"]
    list_filter = ["level", "kind", "formality"]
    search_fields = ["name", "acronym"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "countries"]
    inlines = [NetworkMemberInline]
