"""The filters of the services API: the same questions as « Trouver de l'aide »."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from directory.filters import IdsFilter
from organisations.models import Organisation, Theme, Zone
from organisations.visibility import visible_organisations
from services.models import Language, PopulationGroup, Service


class ServiceFilterSet(django_filters.FilterSet):
    # Only organisations the caller sees: a draft's slug is as unknown as a wrong one.
    organisation = django_filters.ModelMultipleChoiceFilter(
        label=_("Organisation"),
        queryset=lambda request: visible_organisations(getattr(request, "user", None)),
        to_field_name="slug",
        method="filter_organisation",
    )
    zone = IdsFilter(
        label=_("Zone"),
        queryset=Zone.objects.all(),
        method="filter_zone",
        help_text=_("Services for this place, for a place above it, or inside it."),
    )
    population = django_filters.ModelMultipleChoiceFilter(
        label=_("People served"),
        queryset=PopulationGroup.objects.all(),
        to_field_name="slug",
        method="filter_population",
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.all(), to_field_name="slug", method="filter_theme"
    )
    language = django_filters.ModelMultipleChoiceFilter(
        label=_("Language"),
        queryset=Language.objects.all(),
        to_field_name="code",
        method="filter_language",
    )

    class Meta:
        model = Service
        fields: list[str] = []

    def filter_organisation(
        self, queryset: QuerySet, name: str, value: QuerySet[Organisation]
    ) -> QuerySet:
        return queryset.filter(organisation__in=value) if value else queryset

    def filter_zone(self, queryset: QuerySet, name: str, value: QuerySet[Zone]) -> QuerySet:
        return queryset.serving(*value) if value else queryset

    def filter_population(
        self, queryset: QuerySet, name: str, value: QuerySet[PopulationGroup]
    ) -> QuerySet:
        return queryset.for_people(*(p.slug for p in value)) if value else queryset

    def filter_theme(self, queryset: QuerySet, name: str, value: QuerySet[Theme]) -> QuerySet:
        return queryset.on_theme(*(t.slug for t in value)) if value else queryset

    def filter_language(self, queryset: QuerySet, name: str, value: QuerySet[Language]) -> QuerySet:
        return queryset.in_language(*(lang.code for lang in value)) if value else queryset
