"""The staff's live tables: needs overview (report chapter 3.2), data quality, and the
dashboard's lists. Each is a few grouped queries (and, for the needs overview, counts on
the directory's index), whatever the number of rows."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyroaring import BitMap

from crm.models import Assignment, Interaction
from directory.facet_index import EMPTY, Audience, facet_index
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
# The dashboard shows this many follow-ups of each list, and its organisations by pages.
FOLLOW_UP_ROWS = 50
MY_ORGANISATIONS_PER_PAGE = 50


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
    organisations are left out. The organisations are counted on the directory's index
    (every need, as staff see them; a zone holds the organisations of the zones below
    it), the needs by status in one grouped query: nothing grows with the data but the
    size of the bitmaps.
    """
    index = facet_index()
    facets = index.facet_values(Audience.STAFF)
    archived = Organisation.objects.filter(status=Organisation.Status.ARCHIVED)
    counted = index.everything - BitMap(
        position
        for pk in archived.order_by().values_list("pk", flat=True)
        if (position := index.position(pk)) is not None
    )
    needs = OrganisationNeed.objects.exclude(organisation__in=archived).order_by()
    if country is not None:
        counted &= facets["zone"].get(country.pk, EMPTY)
        needs = needs.filter(organisation__in=Organisation.objects.in_zone(country))
    statuses = Counter(
        {
            (row["category"], row["status"]): row["needs"]
            for row in needs.values("category", "status").annotate(needs=Count("pk"))
        }
    )

    regions = list(Zone.objects.filter(level=Zone.Level.REGION).select_related("parent"))
    if country is not None:
        regions = [region for region in regions if region.parent_id == country.pk]
    families = list(Typology.objects.filter(parent__isnull=True))
    in_family = defaultdict(BitMap)
    for typology, parent in index.typology_parents.items():
        in_family[parent or typology] |= facets["typology"].get(typology, EMPTY)
    needing = {
        category: facets["need"].get(category.pk, EMPTY) & counted
        for category in NeedCategory.objects.all()
    }

    def placed(region: Zone, organisations) -> int:
        return organisations.intersection_cardinality(facets["zone"].get(region.pk, EMPTY))

    regions = [r for r in regions if any(placed(r, found) for found in needing.values())]
    regions.sort(key=lambda region: (region.parent.name, region.name))
    status = OrganisationNeed.Status
    rows = [
        NeedRow(
            category=category,
            organisations=len(found),
            identified=statuses[(category.pk, status.IDENTIFIED)],
            in_progress=statuses[(category.pk, status.IN_PROGRESS)],
            met=statuses[(category.pk, status.MET)],
            by_region=[placed(region, found) for region in regions],
            by_family=[found.intersection_cardinality(in_family[f.pk]) for f in families],
        )
        for category, found in needing.items()
    ]
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
    overdue_count: int
    due_soon: QuerySet[Interaction]
    due_soon_count: int
    recent: QuerySet[Interaction]
    my_organisations: Page


def dashboard(
    user, only_mine: bool = False, today: date | None = None, page: str | int = 1
) -> Dashboard:
    """Follow-ups and recent interactions (everyone's, or only ``user``'s), and a page of
    the organisations ``user`` follows. The follow-up lists show their first rows and
    their totals (the interaction list has them all)."""
    today = today or timezone.localdate()
    interactions = Interaction.objects.select_related("organisation", "staff")
    if only_mine:
        interactions = interactions.filter(staff=user)
    follow_ups = interactions.order_by("follow_up_date", "pk")
    overdue, due_soon = follow_ups.overdue(today), follow_ups.due_within(today, DUE_SOON_DAYS)
    return Dashboard(
        overdue=overdue[:FOLLOW_UP_ROWS],
        overdue_count=overdue.count(),
        due_soon=due_soon[:FOLLOW_UP_ROWS],
        due_soon_count=due_soon.count(),
        recent=interactions.order_by("-date", "-pk")[:20],
        my_organisations=Paginator(
            followed_organisations(user), MY_ORGANISATIONS_PER_PAGE
        ).get_page(page),
    )


def followed_organisations(user) -> QuerySet[Organisation]:
    """The organisations ``user`` is assigned to or whose interactions they logged, by
    name, with their last interaction and next open follow-up."""
    assigned = Assignment.objects.filter(user=user).order_by().values("organisation")
    logged = Interaction.objects.filter(staff=user).order_by().values("organisation")
    # Looked up by id from the user's own rows, never by testing every organisation.
    return (
        Organisation.objects.filter(pk__in=assigned.union(logged))
        .select_related("typology")
        .annotate(
            last_interaction=Max("interactions__date"),
            next_follow_up=Min(
                "interactions__follow_up_date", filter=Q(interactions__follow_up_done=False)
            ),
        )
        .order_by("name", "pk")
    )
