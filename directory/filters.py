"""The parameters of the organisation list, shared by the exports and the API.

Usage: ``OrganisationFilterSet(request.GET)``; check ``is_valid()`` (a malformed value is
a 400, never ignored), then answer it with ``directory.listing.Listing(filterset,
audience)``: the in-memory index gives each filter its meaning, once for every list.
Parameters may repeat (``?theme=a&theme=b``): values of one filter are alternatives (OR),
different filters all apply (AND).
"""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from common.numbers import parse_id
from needs.models import NeedCategory
from networks.models import Network
from organisations.models import (
    Organisation,
    Partner,
    Theme,
    Typology,
    Zone,
)
from organisations.verification import VERIFICATION_CHOICES
from services.models import PopulationGroup

# search_text starts with the folded name, so it sorts "Écoute" with the E's and
# "association des…" before "Association Tilé…" on SQLite and PostgreSQL alike. Its first
# 100 characters (names are shorter), as the index org_name_order_idx holds them
# (organisations migration 0006): the in-memory index reads it in order.
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


# The filters filter nothing themselves (the index gives them their meaning): their types
# are declared for the API's OpenAPI document, which cannot guess them from a method.
@extend_schema_field(OpenApiTypes.INT)
class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    """Filter by primary keys, refusing what is not one (a 400, never a server error)."""

    field_class = _IdsField


@extend_schema_field(OpenApiTypes.STR)
class KeysFilter(django_filters.ModelMultipleChoiceFilter):
    """Catalogue entries named by a key of theirs (a slug, an ISO code)."""


def _by_slug(label, queryset: QuerySet) -> django_filters.Filter:
    """Catalogue entries named by their slug (``?theme=protection``)."""
    return KeysFilter(label=label, queryset=queryset, to_field_name="slug")


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
        help_text=_(
            "Name, acronym, other name, theme, place, partner, network or words of the description."
        ),
    )
    typology = _by_slug(_("Typology"), Typology.objects.all())
    legal_form = _by_code(_("Legal form"), Organisation.LegalForm.choices)
    registration = _by_code(
        _("Registration"), Organisation.RegistrationKind.choices, "registration_kind"
    )
    scope = _by_code(_("Scope of intervention"), Organisation.Scope.choices)
    zone = IdsFilter(label=_("Zone"), queryset=Zone.objects.all())
    theme = _by_slug(_("Theme"), Theme.objects.all())
    network = _by_slug(_("Network"), Network.objects.all())
    partner = _by_slug(_("Partner"), Partner.objects.all())
    budget = _by_code(_("Annual budget"), Organisation.BudgetBand.choices, "budget_band")
    need = _by_slug(_("Capacity need"), NeedCategory.objects.all())
    services_for = _by_slug(_("Services for…"), PopulationGroup.objects.all())
    country = KeysFilter(
        label=_("Country of registration"),
        queryset=Zone.objects.countries().exclude(iso_code=""),
        to_field_name="iso_code",
    )
    verified = django_filters.MultipleChoiceFilter(
        label=_("Verification"), choices=VERIFICATION_CHOICES
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("relevance", _("Relevance")),
            ("name", _("Name")),
            ("-updated", _("Last update")),
            ("-verified", _("Last verification")),
        ],
        empty_label=None,
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

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError("A list is answered by directory.listing.Listing.")

    def active_filters(self) -> list[tuple[str, str, str]]:
        """(parameter, raw value, label) for each value narrowing the list."""
        active = []
        for name in self.FILTER_NAMES:
            for raw in self.data.getlist(name) if hasattr(self.data, "getlist") else []:
                if raw.strip():
                    active.append((name, raw, str(self.filters[name].label)))
        return active
