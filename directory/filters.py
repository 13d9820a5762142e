"""The filters of the public organisation list, shared by the exports and the API.

Usage: ``OrganisationFilterSet(request.GET, queryset=visible_organisations(request.user),
request=request)``; check ``is_valid()`` (a malformed value is a 400, never ignored),
then read ``.qs`` (ordered: by ``sort``, else exact acronym first when searching, then
by name). Parameters may repeat (``?theme=a&theme=b``): values of one filter
are alternatives (OR), different filters all apply (AND).

Every relation is filtered through an ``EXISTS`` subquery, so ``.qs`` never holds
duplicates and needs no ``distinct()``.
"""

from functools import reduce
from operator import or_

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from common.numbers import parse_id
from common.text import fold
from needs.models import NeedCategory
from needs.visibility import visible_needs
from networks.models import Membership, Network
from organisations.models import (
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Theme,
    Typology,
    Zone,
)
from organisations.verification import VERIFICATION_CHOICES, in_verification_states
from services.models import PopulationGroup
from services.visibility import visible_services

# search_text starts with the folded name, so it sorts "Écoute" with the E's and
# "association des…" before "Association Tilé…" on SQLite and PostgreSQL alike. Its first
# 100 characters (names are shorter), as PostgreSQL's org_published_name_idx holds them
# (organisations migration 0003): the list's pages read that index in order.
BY_NAME = (Substr("search_text", 1, 100), "pk")

# Most recently verified first, never verified last.
BY_VERIFICATION = (F("verified_at").desc(nulls_last=True), *BY_NAME)


class _IdsField(django_filters.fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    """Filter by primary keys, refusing what is not one (a 400, never a server error)."""

    field_class = _IdsField


def _by_slug(label, queryset: QuerySet, method: str) -> django_filters.Filter:
    """Catalogue entries named by their slug (``?theme=protection``)."""
    return django_filters.ModelMultipleChoiceFilter(
        label=label, queryset=queryset, to_field_name="slug", method=method
    )


def _by_code(label, choices, field_name: str | None = None) -> django_filters.Filter:
    """Codes of one of the organisation's own columns.

    distinct=False: a filter on the organisation's own column cannot duplicate rows, and
    DISTINCT over every column would sort the whole filtered list.
    """
    return django_filters.MultipleChoiceFilter(
        label=label, field_name=field_name, choices=choices, distinct=False
    )


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Name, acronym, place or words of the description."),
    )
    typology = _by_slug(_("Typology"), Typology.objects.all(), "filter_typology")
    legal_form = _by_code(_("Legal form"), Organisation.LegalForm.choices)
    registration = _by_code(
        _("Registration"), Organisation.RegistrationKind.choices, "registration_kind"
    )
    scope = _by_code(_("Scope of intervention"), Organisation.Scope.choices)
    zone = IdsFilter(label=_("Zone"), queryset=Zone.objects.all(), method="filter_zone")
    theme = _by_slug(_("Theme"), Theme.objects.all(), "filter_theme")
    network = _by_slug(_("Network"), Network.objects.all(), "filter_network")
    partner = _by_slug(_("Partner"), Partner.objects.all(), "filter_partner")
    budget = _by_code(_("Annual budget"), Organisation.BudgetBand.choices, "budget_band")
    need = _by_slug(_("Capacity need"), NeedCategory.objects.all(), "filter_need")
    services_for = _by_slug(
        _("Services for…"), PopulationGroup.objects.all(), "filter_services_for"
    )
    country = django_filters.ModelMultipleChoiceFilter(
        label=_("Country of registration"),
        queryset=Zone.objects.countries().exclude(iso_code=""),
        to_field_name="iso_code",
        method="filter_country",
    )
    verified = django_filters.MultipleChoiceFilter(
        label=_("Verification"), choices=VERIFICATION_CHOICES, method="filter_verified"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("name", _("Name")),
            ("-updated", _("Last update")),
            ("-verified", _("Last verification")),
        ],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    # Parameters that narrow the list (everything but the sort order).
    FILTER_NAMES = (
        "q",
        "typology",
        "legal_form",
        "registration",
        "scope",
        "zone",
        "theme",
        "network",
        "partner",
        "budget",
        "need",
        "services_for",
        "country",
        "verified",
    )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # search_text is stored folded; folding the query makes "segou" match "Ségou".
        # Each word must start a word of the text ("migrant" finds "migrants", "ame"
        # does not find "reclamer").
        for word in fold(value).split():
            queryset = queryset.filter(
                Q(search_text__startswith=word) | Q(search_text__contains=" " + word)
            )
        return queryset

    # The ``value`` hints below also tell the API schema (drf-spectacular) what it gets.
    def filter_typology(self, queryset: QuerySet, name: str, value: QuerySet[Typology]) -> QuerySet:
        if not value:
            return queryset
        # Choosing a family includes its sub-groups.
        return queryset.filter(Q(typology__in=value) | Q(typology__parent__in=value))

    def filter_zone(self, queryset: QuerySet, name: str, value: QuerySet[Zone]) -> QuerySet:
        if not value:
            return queryset
        # A zone includes everything below it: a region its cercles, communes, localities.
        below_any = reduce(or_, (Q(zone__path__startswith=zone.path) for zone in value))
        links = OrganisationZone.objects.filter(below_any, organisation=OuterRef("pk"))
        return queryset.filter(Exists(links))

    def filter_theme(self, queryset: QuerySet, name: str, value: QuerySet[Theme]) -> QuerySet:
        return _having(queryset, OrganisationTheme.objects.filter(theme__in=value), value)

    def filter_network(self, queryset: QuerySet, name: str, value: QuerySet[Network]) -> QuerySet:
        return _having(queryset, Membership.objects.filter(network__in=value), value)

    def filter_partner(self, queryset: QuerySet, name: str, value: QuerySet[Partner]) -> QuerySet:
        return _having(queryset, Partnership.objects.filter(partner__in=value), value)

    def filter_need(self, queryset: QuerySet, name: str, value: QuerySet[NeedCategory]) -> QuerySet:
        needs = visible_needs(getattr(self.request, "user", None)).filter(category__in=value)
        return _having(queryset, needs, value)

    def filter_services_for(
        self, queryset: QuerySet, name: str, value: QuerySet[PopulationGroup]
    ) -> QuerySet:
        user = getattr(self.request, "user", None)
        return _having(queryset, visible_services(user).filter(populations__in=value), value)

    def filter_country(self, queryset: QuerySet, name: str, value: QuerySet[Zone]) -> QuerySet:
        return queryset.filter(registration_country__in=value) if value else queryset

    def filter_verified(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return in_verification_states(queryset, value)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "-updated":
            return queryset.order_by("-updated_at", *BY_NAME)
        if value == "-verified":
            return queryset.order_by(*BY_VERIFICATION)
        return queryset.order_by(*BY_NAME)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("sort"):
            return queryset
        search = (self.form.cleaned_data.get("q") or "").strip()
        if search:
            # An exact acronym ("AME") comes before names that merely contain the word.
            exact_acronym = Case(When(acronym__iexact=search, then=0), default=1)
            return queryset.order_by(exact_acronym, *BY_NAME)
        return queryset.order_by(*BY_NAME)

    def queryset_without(self, excluded: str) -> QuerySet:
        """The list as filtered by every valid parameter except ``excluded``.

        Facet counts for one filter are computed on this, so each option shows what
        choosing it would give.
        """
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != excluded and name != "sort":
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def active_filters(self) -> list[tuple[str, str, str]]:
        """(parameter, raw value, label) for each value narrowing the list."""
        active = []
        for name in self.FILTER_NAMES:
            for raw in self.data.getlist(name) if hasattr(self.data, "getlist") else []:
                if raw.strip():
                    active.append((name, raw, str(self.filters[name].label)))
        return active


def _having(queryset: QuerySet, links: QuerySet, value) -> QuerySet:
    """Organisations with at least one of ``links`` (an empty choice filters nothing)."""
    if not value:
        return queryset
    return queryset.filter(Exists(links.filter(organisation=OuterRef("pk"))))
