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


def _selected(filterset: OrganisationFilterSet, name: str) -> set[str]:
    return set(filterset.data.getlist(name)) if filterset.is_bound else set()


def _catalogue_options(catalogue, counts: dict, chosen: set[str], value, label) -> list[Option]:
    """Options for catalogue entries some organisation has, or the visitor chose."""
    options = []
    for item in catalogue:
        count, key = counts.get(item.pk, 0), value(item)
        if count or key in chosen:
            options.append(Option(key, label(item), count, key in chosen))
    return options


def _typology_options(organisations: QuerySet, chosen: set[str]) -> list[Option]:
    """Families, each followed by its sub-groups; a family counts its sub-groups too."""
    counts = _by_field(organisations, "typology")
    typologies = list(Typology.objects.all())
    options = []
    for family in (t for t in typologies if t.parent_id is None):
        subgroups = [t for t in typologies if t.parent_id == family.pk]
        total = counts.get(family.pk, 0) + sum(counts.get(t.pk, 0) for t in subgroups)
        if total or family.slug in chosen:
            options.append(Option(family.slug, family.display_name, total, family.slug in chosen))
        options += [
            Option(sub.slug, sub.display_name, counts.get(sub.pk, 0), sub.slug in chosen, True)
            for sub in subgroups
            if counts.get(sub.pk) or sub.slug in chosen
        ]
    return options


def _zone_options(organisations: QuerySet, chosen: set[str]) -> list[Option]:
    """Countries and regions where organisations work, plus any zone chosen elsewhere
    (a cercle from its zone page)."""
    counts = zone_counts(organisations)
    broad = Zone.objects.filter(
        pk__in=list(counts), level__in=[Zone.Level.COUNTRY, Zone.Level.REGION, Zone.Level.TERRITORY]
    )
    zones = broad | Zone.objects.filter(pk__in=[v for v in chosen if v.isdigit()])
    return [
        Option(
            str(z.pk),
            z.display_name,
            counts.get(z.pk, 0),
            str(z.pk) in chosen,
            indent=z.level != Zone.Level.COUNTRY,
        )
        for z in zones.order_by("path")
    ]


def _choice_options(organisations: QuerySet, field: str, choices, chosen: set[str]) -> list[Option]:
    counts = _by_field(organisations, field)
    return [
        Option(value, str(label), counts.get(value, 0), value in chosen)
        for value, label in choices
        if counts.get(value) or value in chosen
    ]


def _country_options(organisations: QuerySet, chosen: set[str]) -> list[Option]:
    counts = _by_field(organisations, "registration_country")
    countries = Zone.objects.countries().filter(pk__in=[pk for pk in counts if pk])
    return [
        Option(c.iso_code, c.display_name, counts[c.pk], c.iso_code in chosen)
        for c in countries.exclude(iso_code="").order_by("name")
    ]


def build_facets(filterset: OrganisationFilterSet, user) -> list[Facet]:
    """Every filter's options with their counts, in the order the list shows them."""

    def base(name: str) -> QuerySet:
        return filterset.queryset_without(name)

    def linked(name: str, links: QuerySet, key: str, catalogue, label=str) -> list[Option]:
        counts = _grouped(links.filter(organisation__in=base(name)), key)
        chosen = _selected(filterset, name)
        return _catalogue_options(catalogue, counts, chosen, lambda item: item.slug, label)

    def display_name(item) -> str:
        return item.display_name

    options = {
        "typology": _typology_options(base("typology"), _selected(filterset, "typology")),
        "zone": _zone_options(base("zone"), _selected(filterset, "zone")),
        "theme": linked(
            "theme", OrganisationTheme.objects.all(), "theme", Theme.objects.all(), display_name
        ),
        "network": linked("network", Membership.objects.all(), "network", Network.objects.all()),
        "partner": linked("partner", Partnership.objects.all(), "partner", Partner.objects.all()),
        "need": linked(
            "need", visible_needs(user), "category", NeedCategory.objects.all(), display_name
        ),
    }
    for name, model_field, choices in (
        ("legal_form", "legal_form", Organisation.LegalForm.choices),
        ("registration", "registration_kind", Organisation.RegistrationKind.choices),
        ("scope", "scope", Organisation.Scope.choices),
        ("budget", "budget_band", Organisation.BudgetBand.choices),
    ):
        options[name] = _choice_options(
            base(name), model_field, choices, _selected(filterset, name)
        )
    options["country"] = _country_options(base("country"), _selected(filterset, "country"))
    return [Facet(name, str(filterset.filters[name].label), opts) for name, opts in options.items()]
