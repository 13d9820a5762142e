"""Facet counts for the organisation list: how many organisations each option gives.

Each facet is counted on the list filtered by every *other* active filter, so an
option's number is what ticking it would give. One grouped query per facet, whatever
the number of options or organisations.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from directory.filters import OrganisationFilterSet
from needs.models import NeedCategory
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
from organisations.visibility import visible_needs


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False
    indent: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def has_selection(self) -> bool:
        return any(option.selected for option in self.options)


def zone_counts(organisations: QuerySet) -> dict[int, int]:
    """Organisations working in each zone or anywhere below it, by zone id.

    One query over the zone links; each link counts for its zone and all its ancestors
    (read from the materialised path), an organisation once per zone.
    """
    members: dict[int, set[int]] = defaultdict(set)
    links = OrganisationZone.objects.filter(organisation__in=organisations.values("pk"))
    for organisation_id, path in links.values_list("organisation_id", "zone__path"):
        for part in path.strip("/").split("/"):
            members[int(part)].add(organisation_id)
    return {zone_id: len(ids) for zone_id, ids in members.items()}


def _grouped(queryset: QuerySet, key: str) -> dict:
    rows = queryset.order_by().values(key).annotate(n=Count("organisation", distinct=True))
    return {row[key]: row["n"] for row in rows}


def _by_field(organisations: QuerySet, key: str) -> dict:
    rows = organisations.order_by().values(key).annotate(n=Count("pk"))
    return {row[key]: row["n"] for row in rows}


def _options(catalogue, counts: dict, selected: set[str], value, label) -> list[Option]:
    options = []
    for item in catalogue:
        count = counts.get(item.pk, 0)
        chosen = value(item) in selected
        if count or chosen:
            options.append(Option(value(item), label(item), count, chosen))
    return options


def _selected(filterset: OrganisationFilterSet, name: str) -> set[str]:
    return {raw for raw in filterset.data.getlist(name)} if filterset.is_bound else set()


def build_facets(filterset: OrganisationFilterSet, user) -> list[Facet]:
    facets = []

    def add(name: str, options: list[Option]) -> None:
        facets.append(Facet(name, str(filterset.filters[name].label), options))

    # Typology: families with their sub-groups; a family counts its sub-groups too.
    counts = _by_field(filterset.queryset_without("typology"), "typology")
    typologies = list(Typology.objects.all())
    chosen = _selected(filterset, "typology")
    options = []
    for family in (t for t in typologies if t.parent_id is None):
        subgroups = [t for t in typologies if t.parent_id == family.pk]
        total = counts.get(family.pk, 0) + sum(counts.get(t.pk, 0) for t in subgroups)
        if total or family.slug in chosen:
            options.append(Option(family.slug, family.display_name, total, family.slug in chosen))
        for sub in subgroups:
            n = counts.get(sub.pk, 0)
            if n or sub.slug in chosen:
                options.append(Option(sub.slug, sub.display_name, n, sub.slug in chosen, True))
    add("typology", options)

    # Zones: countries and regions (plus any zone chosen from a zone page).
    chosen = _selected(filterset, "zone")
    counts = zone_counts(filterset.queryset_without("zone"))
    zones = Zone.objects.filter(pk__in=[pk for pk, n in counts.items() if n]).filter(
        level__in=[Zone.Level.COUNTRY, Zone.Level.REGION, Zone.Level.TERRITORY]
    ) | Zone.objects.filter(pk__in=[v for v in chosen if v.isdigit()])
    add(
        "zone",
        [
            Option(
                str(z.pk),
                z.display_name,
                counts.get(z.pk, 0),
                str(z.pk) in chosen,
                z.level != Zone.Level.COUNTRY,
            )
            for z in zones.order_by("path")
        ],
    )

    def catalogue_facet(name, catalogue, links, key, value=lambda i: i.slug, label=str):
        counts = _grouped(links.filter(organisation__in=filterset.queryset_without(name)), key)
        add(name, _options(catalogue, counts, _selected(filterset, name), value, label))

    catalogue_facet(
        "theme",
        Theme.objects.all(),
        OrganisationTheme.objects.all(),
        "theme",
        label=lambda t: t.display_name,
    )
    catalogue_facet("network", Network.objects.all(), Membership.objects.all(), "network")
    catalogue_facet("partner", Partner.objects.all(), Partnership.objects.all(), "partner")
    catalogue_facet(
        "need",
        NeedCategory.objects.all(),
        visible_needs(user),
        "category",
        label=lambda c: c.display_name,
    )

    for name, model_field, choices in (
        ("legal_form", "legal_form", Organisation.LegalForm.choices),
        ("registration", "registration_kind", Organisation.RegistrationKind.choices),
        ("scope", "scope", Organisation.Scope.choices),
        ("budget", "budget_band", Organisation.BudgetBand.choices),
    ):
        counts = _by_field(filterset.queryset_without(name), model_field)
        chosen = _selected(filterset, name)
        add(
            name,
            [
                Option(value, str(label), counts.get(value, 0), value in chosen)
                for value, label in choices
                if counts.get(value) or value in chosen
            ],
        )

    counts = _by_field(filterset.queryset_without("country"), "registration_country")
    chosen = _selected(filterset, "country")
    countries = Zone.objects.countries().filter(pk__in=[pk for pk in counts if pk])
    add(
        "country",
        [
            Option(c.iso_code, c.display_name, counts[c.pk], c.iso_code in chosen)
            for c in countries.exclude(iso_code="").order_by("name")
        ],
    )
    return facets
