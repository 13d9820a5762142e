"""Which organisations a campaign writes to, and at which address.

A campaign's organisations and each one's address come from one query whatever their
number: the address is a subquery (the organisation's first e-mail channel, public or
not, those not flagged "to verify" first), never a query per organisation.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from common.text import collation_key
from organisations.models import ContactChannel, Organisation, OrganisationZone, Typology, Zone
from organisations.verification import verification_cutoff

# How many organisations without an address the preview names (the count is always whole).
PREVIEW_LIMIT = 200


@dataclass(frozen=True)
class CampaignFilters:
    """What selects a campaign's organisations (never archived ones)."""

    regions: tuple[int, ...] = ()
    typologies: tuple[int, ...] = ()
    not_verified: bool = False
    status: str = Organisation.Status.PUBLISHED  # "" for published and draft alike

    def as_json(self) -> dict:
        return {
            "regions": list(self.regions),
            "typologies": list(self.typologies),
            "not_verified": self.not_verified,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict) -> "CampaignFilters":
        return cls(
            regions=tuple(data.get("regions", ())),
            typologies=tuple(data.get("typologies", ())),
            not_verified=bool(data.get("not_verified")),
            status=data.get("status", ""),
        )

    def organisations(self) -> QuerySet[Organisation]:
        rows = Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)
        if self.status:
            rows = rows.filter(status=self.status)
        if self.regions:
            paths = Zone.objects.filter(pk__in=self.regions).values_list("path", flat=True)
            below_any = reduce(or_, (Q(zone__path__startswith=path) for path in paths), Q(pk=None))
            rows = rows.filter(
                Exists(OrganisationZone.objects.filter(below_any, organisation=OuterRef("pk")))
            )
        if self.typologies:
            # Choosing a family includes its sub-groups, as on the public list.
            rows = rows.filter(
                Q(typology__in=self.typologies) | Q(typology__parent__in=self.typologies)
            )
        if self.not_verified:
            rows = rows.not_verified_since(verification_cutoff())
        return rows


def with_address(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """``organisations`` annotated with ``address``: the e-mail a campaign writes to (None
    when the organisation has none)."""
    first_email = ContactChannel.objects.filter(
        organisation=OuterRef("pk"), kind=ContactChannel.Kind.EMAIL
    ).order_by("to_verify", "-is_public", "position", "pk")
    return organisations.annotate(address=Subquery(first_email.values("value")[:1]))


@dataclass
class Preview:
    selected: int
    without_address: int
    unreachable: list[Organisation] = field(default_factory=list)

    @property
    def reachable(self) -> int:
        return self.selected - self.without_address


def preview(filters: CampaignFilters) -> Preview:
    """How many organisations the filters select, how many have no address, and the first
    of those (two queries)."""
    rows = with_address(filters.organisations())
    counts = rows.aggregate(
        selected=Count("pk"), without_address=Count("pk", filter=Q(address__isnull=True))
    )
    unreachable = list(rows.filter(address__isnull=True).order_by("name", "pk")[:PREVIEW_LIMIT])
    return Preview(counts["selected"], counts["without_address"], unreachable)


def region_choices() -> list[tuple[int, str]]:
    regions = Zone.objects.filter(level=Zone.Level.REGION).select_related("parent")
    return sorted(
        ((z.pk, f"{z.name} ({z.parent.name})" if z.parent else z.name) for z in regions),
        key=lambda choice: collation_key(choice[1]),
    )


def typology_choices() -> list[tuple[int, str]]:
    return [(t.pk, t.display_name) for t in Typology.objects.select_related("parent")]
