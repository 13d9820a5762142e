"""The staff's live tables: needs overview (report chapter 3.2), data quality, and the
dashboard's lists. Each is a few grouped queries, whatever the number of rows."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Func, Max, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
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
from pagecache.stamp import current_version, local_writes

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


# This process's overviews of the current data, by country (None: all countries).
_kept: dict[tuple[tuple[int, int], int | None], NeedsOverview] = {}


def current_needs_overview(country: Zone | None = None) -> NeedsOverview:
    """The needs overview, computed once per data version and country in this process,
    then read from memory until the next write: its counts go through every need and
    zone of the organisations (over a second at 200,000 organisations)."""
    version = (local_writes(), current_version())
    key = (version, country.pk if country is not None else None)
    overview = _kept.get(key)
    if overview is None:
        overview = needs_overview(country)
        # An overview of an older version is never read again.
        for older in [kept for kept in list(_kept) if kept[0] != version]:
            _kept.pop(older, None)
        _kept[key] = overview
    return overview


def forget() -> None:
    """Drop this process's overviews (tests: each starts from its own database)."""
    _kept.clear()


def needs_overview(country: Zone | None = None) -> NeedsOverview:
    """Per need category: how many organisations need it, by status, region and family.

    Organisations count once per category (distinct); statuses count needs. Archived
    organisations are left out. Two grouped queries whatever the number of needs: one
    by category and typology (an organisation has one typology, so its distinct counts
    add up to the totals and to the families), one by category and region.
    """
    archived = Organisation.objects.filter(status=Organisation.Status.ARCHIVED)
    # Left out as a short list of archived ids rather than joined to every organisation.
    needs = OrganisationNeed.objects.exclude(organisation__in=archived).order_by()
    if country is not None:
        needs = needs.filter(organisation__in=Organisation.objects.in_zone(country))
    status = OrganisationNeed.Status
    by_typology = needs.values("category", "organisation__typology").annotate(
        organisations=Count("organisation", distinct=True),
        identified=Count("pk", filter=Q(status=status.IDENTIFIED)),
        in_progress=Count("pk", filter=Q(status=status.IN_PROGRESS)),
        met=Count("pk", filter=Q(status=status.MET)),
    )
    family_of = {
        typology.pk: typology.parent_id or typology.pk
        for typology in Typology.objects.only("pk", "parent_id")
    }
    totals: dict[int, Counter] = defaultdict(Counter)
    by_family: Counter = Counter()
    for row in by_typology:
        category = row["category"]
        totals[category].update(
            {name: row[name] for name in ["organisations", "identified", "in_progress", "met"]}
        )
        family = family_of.get(row["organisation__typology"])
        if family is not None:
            by_family[(category, family)] += row["organisations"]

    regions = list(Zone.objects.filter(level=Zone.Level.REGION).select_related("parent"))
    if country is not None:
        regions = [region for region in regions if region.parent_id == country.pk]
    region_of_path = {region.path: region.pk for region in regions}
    by_region: Counter = Counter()
    for row in needs.values(
        "category", path=_region_path("organisation__zone_links__zone__path")
    ).annotate(organisations=Count("organisation", distinct=True)):
        if row["path"] in region_of_path:
            by_region[(row["category"], region_of_path[row["path"]])] += row["organisations"]

    regions = [r for r in regions if any(k[1] == r.pk for k in by_region)]
    regions.sort(key=lambda region: (region.parent.name, region.name))
    families = list(Typology.objects.filter(parent__isnull=True))
    rows = []
    for category in NeedCategory.objects.all():
        total = totals[category.pk]
        rows.append(
            NeedRow(
                category=category,
                organisations=total["organisations"],
                identified=total["identified"],
                in_progress=total["in_progress"],
                met=total["met"],
                by_region=[by_region[(category.pk, r.pk)] for r in regions],
                by_family=[by_family[(category.pk, f.pk)] for f in families],
            )
        )
    return NeedsOverview(regions=regions, families=families, rows=rows)


def _region_path(path: str) -> Func:
    """The path of the region a zone's ``path`` lies in: its first two steps ("1/38/"),
    computed by the database so that organisations are counted once per region there."""
    first_slash = StrIndex(path, Value("/"))
    second_slash = first_slash + StrIndex(Substr(path, first_slash + 1), Value("/"))
    return Substr(path, 1, second_slash)


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
