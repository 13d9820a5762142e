"""The read-only JSON API: organisations, services, zones, themes, networks, partners.

Organisations are filtered with the public list's own ``OrganisationFilterSet`` (same
parameters, same results) and restricted by ``organisations.visibility``: anonymous
callers see public data only. Every list is paginated and reads a fixed number of
queries per page.
"""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.filters import ChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from common.numbers import parse_id
from directory.facet_index import Audience
from directory.filters import OrganisationFilterSet
from directory.listing import Listing
from exports.api import serializers
from exports.api.service_filters import ServiceFilterSet
from needs.visibility import visible_needs
from networks.models import Membership, Network
from organisations.models import Office, Organisation, Partner, Theme, Zone
from organisations.visibility import (
    visible_channels,
    visible_contact_persons,
    visible_organisations,
)
from services.models import Schedule
from services.visibility import visible_services

NOT_FOUND = OpenApiResponse(
    OpenApiTypes.OBJECT, description="No such record, or a page past the last one."
)
BAD_FILTER = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A malformed filter value, under the filter's name."
)
UNAVAILABLE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The database cannot be reached: try again after Retry-After seconds.",
)


def documented_errors(serializer):
    """The error answers in the OpenAPI document next to the serializer's 200."""
    return extend_schema_view(
        list=extend_schema(
            responses={200: serializer, 400: BAD_FILTER, 404: NOT_FOUND, 503: UNAVAILABLE}
        ),
        retrieve=extend_schema(responses={200: serializer, 404: NOT_FOUND, 503: UNAVAILABLE}),
    )


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter reads "?kind=" as no filter; the OpenAPI document's enum does not list
    an empty value, so the API refuses it (400) like any other value outside the list."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        empty = [
            name
            for name, field_filter in filterset.filters.items()
            if isinstance(field_filter, ChoiceFilter) and "" in request.query_params.getlist(name)
        ]
        if empty:
            message = _("Choose one of the documented values.")
            raise ValidationError({name: [message] for name in empty})
        return filterset


class IndexedFilterBackend(StrictFilterBackend):
    """The list's filters, answered like the list page by the one list query
    (directory/listing.py) for what the caller may see: no COUNT, and a page however deep
    reads its own rows only."""

    def filter_queryset(self, request, queryset, view):
        if view.action != "list":
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        return Listing(filterset, Audience.of(request.user)).results(queryset)


@documented_errors(serializers.OrganisationSerializer)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations, filtered and searched exactly as the public list is."""

    serializer_class = serializers.OrganisationSerializer
    lookup_field = "slug"
    filter_backends = [IndexedFilterBackend]
    filterset_class = OrganisationFilterSet

    def get_queryset(self) -> QuerySet[Organisation]:
        user = self.request.user
        return (
            visible_organisations(user)
            .select_related("typology", "registration_country")
            .prefetch_related(
                "aliases",
                "zones",
                "themes",
                "partners",
                Prefetch("memberships", Membership.objects.select_related("network")),
                Prefetch("offices", Office.objects.order_by("kind", "pk")),
                Prefetch("channels", visible_channels(user)),
                Prefetch("contact_persons", visible_contact_persons(user)),
                Prefetch("needs", visible_needs(user).select_related("category", "activity")),
            )
        )


@documented_errors(serializers.ZoneSerializer)
class ZoneViewSet(viewsets.ReadOnlyModelViewSet):
    """Places, by id; ``/api/zones/ML-1/`` finds a zone by its ISO 3166 code too."""

    serializer_class = serializers.ZoneSerializer
    lookup_value_regex = "[^/]+"
    filterset_fields = ["level", "iso_code", "parent"]
    filter_backends = [StrictFilterBackend]

    def get_queryset(self) -> QuerySet[Zone]:
        return Zone.objects.order_by("path")

    def get_object(self) -> Zone:
        key = self.kwargs["pk"]
        pk = parse_id(key)
        lookup = {"pk": pk} if pk is not None else {"iso_code__iexact": key}
        zone = get_object_or_404(self.get_queryset(), **lookup)
        self.check_object_permissions(self.request, zone)
        return zone


@documented_errors(serializers.ThemeSerializer)
class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ThemeSerializer
    lookup_field = "slug"
    queryset = Theme.objects.select_related("group").order_by("position", "name")


@documented_errors(serializers.PartnerSerializer)
class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PartnerSerializer
    lookup_field = "slug"
    filterset_fields = ["kind"]
    filter_backends = [StrictFilterBackend]
    queryset = Partner.objects.order_by("name", "pk")


@documented_errors(serializers.NetworkSerializer)
class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.NetworkSerializer
    lookup_field = "slug"
    filterset_fields = ["level", "kind"]
    filter_backends = [StrictFilterBackend]
    queryset = (
        Network.objects.select_related("organisation")
        .prefetch_related("countries")
        .order_by("name", "pk")
    )

    def get_serializer_context(self) -> dict:
        # Links to a network's own organisation record only when the caller may see it.
        context = super().get_serializer_context()
        context["visible_organisation_ids"] = set(
            visible_organisations(self.request.user)
            .filter(network_record__isnull=False)
            .values_list("pk", flat=True)
        )
        return context


@documented_errors(serializers.ServiceSerializer)
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Services: published services of published organisations for anonymous callers;
    filtered by place (a region's service serves its cercles), people served, theme,
    language and organisation, as « Trouver de l'aide » is."""

    serializer_class = serializers.ServiceSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ServiceFilterSet

    def get_queryset(self):
        user = self.request.user
        return (
            visible_services(user)
            .select_related("organisation", "source")
            .prefetch_related(
                "themes",
                "populations",
                "languages",
                "zones",
                Prefetch("offices", Office.objects.order_by("kind", "pk")),
                Prefetch("channels", visible_channels(user)),
                Prefetch("schedules", Schedule.objects.select_related("office")),
            )
            .order_by("name", "pk")
        )
