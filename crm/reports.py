"""The staff's live tables: needs overview (report chapter 3.2), data quality, and the
dashboard's lists. Each is a few grouped queries, whatever the number of rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Assignment, Interaction
from needs.models import NeedCategory, OrganisationNeed
from organisations.models import (
    ContactChannel,
    Organisation,
    OrganisationZone,
    Typology,
    Zone,
)
from organisations.verification import verification_cutoff

STALE_AFTER = timedelta(days=365)
DUE_SOON_DAYS = 7


def active_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)


# Needs overview ----------------------------------------------------------------------


@dataclass
class NeedRow:
    category: NeedCategory
    organisations: int = 0
    identified: int = 0
    in_progress: int = 0
    met: int = 0
    by_region: list[int] = field(default_factory=list)
    by_family: list[int] = field(default_factory=list)


@dataclass
class NeedsOverview:
    regions: list[Zone]
    families: list[Typology]
    rows: list[NeedRow]

    @property
    def has_needs(self) -> bool:
        return any(row.organisations for row in self.rows)


def needs_overview(country: Zone | None = None) -> NeedsOverview:
    """Per need category: how many organisations need it, by status, region and family.

    Organisations count once per category (distinct); statuses count needs. Archived
    organisations are left out.
    """
    organisations = active_organisations()
    if country is not None:
        organisations = organisations.in_zone(country)
    needs = OrganisationNeed.objects.filter(organisation__in=organisations)
    status = OrganisationNeed.Status

    totals = {
        row["category"]: row
        for row in needs.values("category").annotate(
            organisations=Count("organisation", distinct=True),
            identified=Count("pk", filter=Q(status=status.IDENTIFIED)),
            in_progress=Count("pk", filter=Q(status=status.IN_PROGRESS)),
            met=Count("pk", filter=Q(status=status.MET)),
        )
    }
    by_family = {
        (row["category"], row["family"]): row["organisations"]
        for row in needs.values(
            "category",
            family=Coalesce("organisation__typology__parent_id", "organisation__typology_id"),
        ).annotate(organisations=Count("organisation", distinct=True))
    }
    regions = list(Zone.objects.filter(level=Zone.Level.REGION).select_related("parent"))
    if country is not None:
        regions = [region for region in regions if region.parent_id == country.pk]
    region_of_path = {region.path: region.pk for region in regions}
    region_members = defaultdict(set)
    linked = needs.filter(organisation__zone_links__isnull=False).values_list(
        "category", "organisation", "organisation__zone_links__zone__path"
    )
    for category_id, organisation_id, path in linked.distinct():
        region_path = "/".join(path.split("/")[:2]) + "/"
        if region_path in region_of_path:
            region_members[(category_id, region_of_path[region_path])].add(organisation_id)

    regions = [r for r in regions if any(k[1] == r.pk for k in region_members)]
    regions.sort(key=lambda region: (region.parent.name, region.name))
    families = list(Typology.objects.filter(parent__isnull=True))
    rows = []
    for category in NeedCategory.objects.all():
        total = totals.get(category.pk, {})
        rows.append(
            NeedRow(
                category=category,
                organisations=total.get("organisations", 0),
                identified=total.get("identified", 0),
                in_progress=total.get("in_progress", 0),
                met=total.get("met", 0),
                by_region=[len(region_members[(category.pk, r.pk)]) for r in regions],
                by_family=[by_family.get((category.pk, f.pk), 0) for f in families],
            )
        )
    return NeedsOverview(regions=regions, families=families, rows=rows)


# Data quality ------------------------------------------------------------------------


@dataclass
class QualityList:
    slug: str
    title: str
    organisations: QuerySet[Organisation]
    # The same organisations in the admin's list, where staff act on them.
    changelist_query: str = ""


def quality_lists(now=None) -> list[QualityList]:
    now = now or timezone.now()
    organisations = active_organisations().select_related("typology").order_by("name")
    reachable = ContactChannel.objects.filter(
        organisation=OuterRef("pk"),
        kind__in=[ContactChannel.Kind.PHONE, ContactChannel.Kind.EMAIL],
    )
    placed = OrganisationZone.objects.filter(organisation=OuterRef("pk"))
    flagged = ContactChannel.objects.filter(organisation=OuterRef("pk"), to_verify=True)
    return [
        QualityList(
            "no-contact", _("Without any phone or e-mail"), organisations.exclude(Exists(reachable))
        ),
        QualityList(
            "no-zone", _("Without intervention zones"), organisations.exclude(Exists(placed))
        ),
        QualityList(
            "to-verify", _("With values flagged “to verify”"), organisations.filter(Exists(flagged))
        ),
        QualityList(
            "not-verified",
            _("Not verified for 12 months"),
            organisations.not_verified_since(verification_cutoff(now)).order_by(
                F("verified_at").asc(nulls_first=True), "name"
            ),
            changelist_query="verification=due",
        ),
        QualityList(
            "stale",
            _("Not updated for 12 months"),
            organisations.filter(updated_at__lt=now - STALE_AFTER),
        ),
    ]


# Dashboard ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    overdue: QuerySet[Interaction]
    due_soon: QuerySet[Interaction]
    recent: QuerySet[Interaction]
    my_organisations: QuerySet[Organisation]


def dashboard(user, only_mine: bool = False, today: date | None = None) -> Dashboard:
    """Follow-ups and recent interactions (everyone's, or only ``user``'s), and the
    organisations ``user`` follows."""
    today = today or timezone.localdate()
    interactions = Interaction.objects.select_related("organisation", "staff")
    if only_mine:
        interactions = interactions.filter(staff=user)
    follow_ups = interactions.order_by("follow_up_date", "pk")
    mine = Q(Exists(Assignment.objects.filter(organisation=OuterRef("pk"), user=user))) | Q(
        Exists(Interaction.objects.filter(organisation=OuterRef("pk"), staff=user))
    )
    my_organisations = (
        Organisation.objects.filter(mine)
        .select_related("typology")
        .annotate(
            last_interaction=Max("interactions__date"),
            next_follow_up=Min(
                "interactions__follow_up_date", filter=Q(interactions__follow_up_done=False)
            ),
        )
        .order_by("name")
    )
    return Dashboard(
        overdue=follow_ups.overdue(today),
        due_soon=follow_ups.due_within(today, DUE_SOON_DAYS),
        recent=interactions.order_by("-date", "-pk")[:20],
        my_organisations=my_organisations,
    )
