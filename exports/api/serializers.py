"""Read-only representations of the directory, linked to each other by URL.

Organisations, themes, networks and partners are identified by their slug; zones by
their id (and reachable by ISO 3166 code). Which channels, persons and needs an
organisation shows is decided by ``organisations.visibility``: the views prefetch
only what the requesting user may see.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from needs.models import OrganisationNeed
from networks.models import Network
from organisations.fields import Description, Visibility, api_fields
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    Partner,
    Theme,
    Zone,
)
from organisations.visibility import sees_private
from services.models import Schedule, Service


def _list_url(request, **filters) -> str:
    """The organisations API list filtered by ``filters`` (absolute when possible)."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    url = f"{reverse('api:organisation-list')}?{query}"
    return request.build_absolute_uri(url) if request else url


class ZoneSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:zone-detail")
    parent = serializers.HyperlinkedRelatedField(
        view_name="api:zone-detail", read_only=True, allow_null=True
    )
    organisations = serializers.SerializerMethodField(
        help_text="Organisations working in this zone or anywhere below it."
    )

    class Meta:
        model = Zone
        fields = [
            "url",
            "id",
            "name",
            "name_en",
            "level",
            "iso_code",
            "official_code",
            "latitude",
            "longitude",
            "parent",
            "organisations",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_organisations(self, zone: Zone) -> str:
        return _list_url(self.context.get("request"), zone=zone.pk)


class ThemeSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:theme-detail", lookup_field="slug")
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    organisations = serializers.SerializerMethodField()

    class Meta:
        model = Theme
        fields = ["url", "slug", "name", "name_en", "group", "description", "organisations"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_organisations(self, theme: Theme) -> str:
        return _list_url(self.context.get("request"), theme=theme.slug)


class PartnerSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:partner-detail", lookup_field="slug")
    country = serializers.HyperlinkedRelatedField(
        view_name="api:zone-detail", read_only=True, allow_null=True
    )
    organisations = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "url",
            "slug",
            "name",
            "acronym",
            "kind",
            "country",
            "website",
            "description",
            "organisations",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_organisations(self, partner: Partner) -> str:
        return _list_url(self.context.get("request"), partner=partner.slug)


class NetworkSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:network-detail", lookup_field="slug")
    countries = serializers.HyperlinkedRelatedField(
        view_name="api:zone-detail", many=True, read_only=True
    )
    organisation = serializers.SerializerMethodField(
        help_text="The network's own record in the directory, when it has a visible one."
    )
    members = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = [
            "url",
            "slug",
            "name",
            "acronym",
            "level",
            "kind",
            "formality",
            "website",
            "description",
            "member_count",
            "member_count_is_approximate",
            "member_count_note",
            "countries",
            "organisation",
            "members",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_organisation(self, network: Network) -> str | None:
        request = self.context.get("request")
        visible_ids = self.context.get("visible_organisation_ids", set())
        if network.organisation_id is None or network.organisation_id not in visible_ids:
            return None
        url = reverse("api:organisation-detail", args=[network.organisation.slug])
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_members(self, network: Network) -> str:
        return _list_url(self.context.get("request"), network=network.slug)


class OfficeSerializer(serializers.ModelSerializer):
    zone = serializers.HyperlinkedRelatedField(
        view_name="api:zone-detail", read_only=True, allow_null=True
    )

    class Meta:
        model = Office
        fields = ["kind", "address", "zone"]


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactChannel
        fields = ["kind", "value", "label", "to_verify"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPerson
        fields = ["name", "role", "phone", "phone_other", "email"]


class NeedSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    activity = serializers.CharField(
        source="activity.name", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = OrganisationNeed
        fields = ["category", "activity", "priority", "status"]


def organisation_api_fields(fields: Description | None = None) -> list[str]:
    """The links, then the organisation's fields described in organisations.fields."""
    return ["url", "page", *(described.name for described in api_fields(fields))]


class OrganisationSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="slug"
    )
    page = serializers.SerializerMethodField(help_text="The organisation's public page.")
    other_names = serializers.SlugRelatedField(
        source="aliases", slug_field="name", many=True, read_only=True
    )
    typology = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    registration_country = serializers.HyperlinkedRelatedField(
        view_name="api:zone-detail", read_only=True, allow_null=True
    )
    zones = serializers.HyperlinkedRelatedField(
        view_name="api:zone-detail", many=True, read_only=True
    )
    themes = serializers.HyperlinkedRelatedField(
        view_name="api:theme-detail", lookup_field="slug", many=True, read_only=True
    )
    partners = serializers.HyperlinkedRelatedField(
        view_name="api:partner-detail", lookup_field="slug", many=True, read_only=True
    )
    networks = serializers.SerializerMethodField()
    offices = OfficeSerializer(many=True, read_only=True)
    channels = ChannelSerializer(many=True, read_only=True)
    contact_persons = PersonSerializer(many=True, read_only=True)
    needs = NeedSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = organisation_api_fields()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if not sees_private(getattr(request, "user", None)):
            for described in api_fields():
                if described.visibility is Visibility.PRIVATE:
                    del fields[described.name]
        return fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, organisation: Organisation) -> str:
        request = self.context.get("request")
        url = organisation.get_absolute_url()
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_networks(self, organisation: Organisation) -> list[str]:
        request = self.context.get("request")
        urls = [
            reverse("api:network-detail", args=[membership.network.slug])
            for membership in organisation.memberships.all()
        ]
        return [request.build_absolute_uri(url) if request else url for url in urls]


class ScheduleSerializer(serializers.ModelSerializer):
    office = serializers.CharField(source="office.address", default=None, allow_null=True)

    class Meta:
        model = Schedule
        fields = ["days", "opens_at", "closes_at", "note", "office"]


class ServiceSerializer(serializers.HyperlinkedModelSerializer):
    """A service; its channels are those the caller may see (the view prefetches them)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:service-detail")
    organisation = serializers.HyperlinkedRelatedField(
        view_name="api:organisation-detail", lookup_field="slug", read_only=True
    )
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    populations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    zones = serializers.HyperlinkedRelatedField(
        view_name="api:zone-detail", many=True, read_only=True
    )
    offices = OfficeSerializer(many=True, read_only=True)
    channels = ChannelSerializer(many=True, read_only=True)
    schedules = ScheduleSerializer(many=True, read_only=True)
    source = serializers.StringRelatedField()

    class Meta:
        model = Service
        fields = [
            "url",
            "id",
            "organisation",
            "name",
            "name_en",
            "description",
            "description_en",
            "themes",
            "populations",
            "eligibility",
            "languages",
            "cost",
            "cost_detail",
            "walk_in",
            "by_appointment",
            "by_referral",
            "by_phone",
            "zones",
            "offices",
            "channels",
            "schedules",
            "status",
            "source",
            "updated_at",
            "staff_notes",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not sees_private(request.user):
            del fields["staff_notes"]
        return fields
