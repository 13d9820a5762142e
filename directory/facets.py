"""Facet counts for the organisation list: how many organisations each option gives.

Each facet is counted on the list filtered by every *other* active filter, so an
option's number is what ticking it would give. All the counts, and the number of
organisations in the list, come from one query whatever the options, organisations or
active filters: each distinct filtered list is a common table expression evaluated once
(the search and the filters run once per list, not once per facet), and each facet a
grouped SELECT over it, joined by UNION ALL.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, QuerySet
from django.utils.text import slugify

from common.text import fold
from directory.filters import OrganisationFilterSet
from directory.zone_order import in_tree_order
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
from organisations.verification import VERIFICATION_CHOICES, verification_state
from services.models import PopulationGroup
from services.visibility import visible_services


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False
    indent: bool = False
    dom_id: str = ""  # the checkbox's HTML id, set with its facet


@dataclass(frozen=True)
class FacetEntries:
    """The entries the facets offer, in their display order."""

    zones: list[Zone]
    typologies: list[Typology]
    themes: list[Theme]
    networks: list[Network]
    partners: list[Partner]
    needs: list[NeedCategory]
    populations: list[PopulationGroup]

    @classmethod
    def load(cls) -> "FacetEntries":
        """Seven queries; the public list reads the copy its in-memory index holds."""
        return cls(
            zones=list(Zone.objects.all()),
            typologies=list(Typology.objects.all()),
            themes=list(Theme.objects.all()),
            networks=list(Network.objects.all()),
            partners=list(Partner.objects.all()),
            needs=list(NeedCategory.objects.all()),
            populations=list(PopulationGroup.objects.all()),
        )


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def has_selection(self) -> bool:
        return any(option.selected for option in self.options)


# Facets counted on a column of the organisation itself, by filter name.
FIELD_FACETS = {
    "typology": "typology_id",
    "legal_form": "legal_form",
    "registration": "registration_kind",
    "scope": "scope",
    "budget": "budget_band",
    "country": "registration_country_id",
}
# Facets counted on a value computed from the organisation's columns, by filter name.
COMPUTED_FACETS = {"verified": verification_state}
# Facets whose values are primary keys (the others are choices).
KEYED_FACETS = {
    "typology", "country", "zone", "theme", "network", "partner", "need", "services_for",
}  # fmt: skip
BROAD_LEVELS = {Zone.Level.COUNTRY, Zone.Level.REGION}


def link_facets(user) -> dict[str, tuple[QuerySet, str, bool]]:
    """Facets counted on a link table: (links, column of the linked entry, whether an
    organisation may have several links to one entry)."""
    return {
        "theme": (OrganisationTheme.objects.all(), "theme_id", False),
        "network": (Membership.objects.all(), "network_id", False),
        "partner": (Partnership.objects.all(), "partner_id", False),
        "need": (visible_needs(user), "category_id", True),
        # An organisation whose services (those the user sees) serve these people.
        "services_for": (visible_services(user), "populations", True),
    }


def _ancestor_rows(zones: list[Zone]) -> str:
    """SQL VALUES rows (zone, the zone itself or one of its ancestors), from the paths.

    Integers from the database only, so they are written into the SQL as they are.
    """
    pairs = ((zone.pk, part) for zone in zones for part in zone.path.strip("/").split("/"))
    return ", ".join(f"({int(zone_id)}, {int(ancestor)})" for zone_id, ancestor in pairs)


def _zone_select(base: str, zones: list[Zone]) -> str:
    """An organisation counts once for each zone it works in or anywhere below."""
    table = connection.ops.quote_name(OrganisationZone._meta.db_table)
    # CROSS JOIN: SQLite then joins in this order (each zone's links through the zone_id
    # index, then the list by primary key); PostgreSQL still plans the order itself.
    pairs = (
        f"SELECT DISTINCT a.column2 AS k, l.organisation_id AS o "
        f"FROM (VALUES {_ancestor_rows(zones)}) a CROSS JOIN {table} l CROSS JOIN {base} f "
        f"WHERE a.column1 = l.zone_id AND f.id = l.organisation_id"
    )
    return f"SELECT 'zone', CAST(d.k AS TEXT), COUNT(*) FROM ({pairs}) d GROUP BY d.k"


def _run(ctes: list[tuple[str, str, list]], selects: list[tuple[str, list]]) -> dict:
    """Run the WITH … SELECT … UNION ALL … query; counts by facet, then by value."""
    with_sql = ", ".join(f"{name} AS ({sql})" for name, sql, _params in ctes)
    sql = f"WITH {with_sql} " + " UNION ALL ".join(select for select, _params in selects)
    params = [p for *_sql, cte_params in ctes for p in cte_params]
    params += [p for _sql, select_params in selects for p in select_params]
    counts: dict[str, dict] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, n in cursor.fetchall():
            if facet in KEYED_FACETS:
                value = int(value) if value is not None else None
            counts[facet][value] = n
    return counts


def _list_cte(name: str, organisations: QuerySet) -> tuple[str, str, list]:
    columns = {f"c_{facet}": F(column) for facet, column in FIELD_FACETS.items()}
    columns |= {f"c_{facet}": expression() for facet, expression in COMPUTED_FACETS.items()}
    sql, params = organisations.order_by().values("id", **columns).query.sql_with_params()
    return name, sql, list(params)


def count_facets(filterset: OrganisationFilterSet, user, zones: list[Zone]) -> dict:
    """Counts of every facet, and the list's length under the key "total", in SQL.

    For staff who see private data; the public's come from directory/facet_index.py.
    """
    active = {name for name, _raw, _label in filterset.active_filters()}
    facets = [*FIELD_FACETS, *COMPUTED_FACETS, "zone", *link_facets(user)]
    # The full list, then the list without each active facet's own filter.
    ctes = [_list_cte("f_all", filterset.qs)]
    base = {}
    for facet in facets:
        if facet in active:
            ctes.append(_list_cte(f"f_{facet}", filterset.queryset_without(facet)))
        base[facet] = f"f_{facet}" if facet in active else "f_all"
    selects = [("SELECT 'total', NULL, COUNT(*) FROM f_all", [])]
    for facet in [*FIELD_FACETS, *COMPUTED_FACETS]:
        column = f"c_{facet}"
        selects.append(
            (
                f"SELECT '{facet}', CAST({column} AS TEXT), COUNT(*) "
                f"FROM {base[facet]} GROUP BY {column}",
                [],
            )
        )
    if zones:
        selects.append((_zone_select(base["zone"], zones), []))
    for facet, (links, column, repeats) in link_facets(user).items():
        pairs = links.order_by().values(k=F(column), o=F("organisation_id"))
        sql, params = pairs.query.sql_with_params()
        # A join, not IN: the planner may then hash a long list instead of probing an index
        # once per organisation. COUNT(*) where the link is unique per organisation and entry.
        pairs = f"SELECT {'DISTINCT ' if repeats else ''}l.k, l.o FROM ({sql}) l "
        pairs += f"JOIN {base[facet]} f ON f.id = l.o"
        selects.append(
            (
                f"SELECT '{facet}', CAST(d.k AS TEXT), COUNT(*) FROM ({pairs}) d GROUP BY d.k",
                list(params),
            )
        )
    return _run(ctes, selects)


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


def _typology_options(typologies: list[Typology], counts: dict, chosen: set[str]) -> list[Option]:
    """Families, each followed by its sub-groups; a family counts its sub-groups too."""
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


def _zone_options(zones: list[Zone], counts: dict, chosen: set[str]) -> list[Option]:
    """Countries and regions where organisations work, plus any zone chosen elsewhere
    (a cercle from its zone page)."""
    shown = [
        z for z in zones if (z.pk in counts and z.level in BROAD_LEVELS) or str(z.pk) in chosen
    ]
    return [
        Option(
            str(z.pk),
            z.display_name,
            counts.get(z.pk, 0),
            str(z.pk) in chosen,
            indent=z.level != Zone.Level.COUNTRY,
        )
        for z in in_tree_order(shown, zones)
    ]


UNKNOWN = "unknown"


def _choice_options(counts: dict, choices, chosen: set[str]) -> list[Option]:
    options = [
        Option(value, str(label), counts.get(value, 0), value in chosen)
        for value, label in choices
        if counts.get(value) or value in chosen
    ]
    # Where every organisation's value is unknown the facet tells and filters nothing: hidden.
    if [option.value for option in options] == [UNKNOWN] and not chosen:
        return []
    return options


def _country_options(zones: list[Zone], counts: dict, chosen: set[str]) -> list[Option]:
    countries = [
        z for z in zones if z.level == Zone.Level.COUNTRY and z.iso_code and counts.get(z.pk)
    ]
    return [
        Option(c.iso_code, c.display_name, counts[c.pk], c.iso_code in chosen)
        for c in sorted(countries, key=lambda c: (fold(c.name), c.name))
    ]


def build_facets(
    filterset: OrganisationFilterSet, counts: dict, catalogues: FacetEntries
) -> tuple[list[Facet], int]:
    """Every filter's options with their ``counts``, in the order the list shows them,
    and the number of organisations in the list."""
    zones = catalogues.zones

    def chosen(name: str) -> set[str]:
        return _selected(filterset, name)

    def linked(name: str, catalogue, label=str) -> list[Option]:
        return _catalogue_options(
            catalogue, counts.get(name, {}), chosen(name), lambda item: item.slug, label
        )

    def display_name(item) -> str:
        return item.display_name

    options = {
        "typology": _typology_options(
            catalogues.typologies, counts.get("typology", {}), chosen("typology")
        ),
        "zone": _zone_options(zones, counts.get("zone", {}), chosen("zone")),
        "theme": linked("theme", catalogues.themes, display_name),
        "network": linked("network", catalogues.networks),
        "partner": linked("partner", catalogues.partners),
        "need": linked("need", catalogues.needs, display_name),
        "services_for": linked("services_for", catalogues.populations, display_name),
    }
    for name, choices in (
        ("legal_form", Organisation.LegalForm.choices),
        ("registration", Organisation.RegistrationKind.choices),
        ("scope", Organisation.Scope.choices),
        ("budget", Organisation.BudgetBand.choices),
    ):
        options[name] = _choice_options(counts.get(name, {}), choices, chosen(name))
    options["country"] = _country_options(zones, counts.get("country", {}), chosen("country"))
    options["verified"] = _choice_options(
        counts.get("verified", {}), VERIFICATION_CHOICES, chosen("verified")
    )
    for name, opts in options.items():
        for option in opts:
            option.dom_id = f"f-{name}-{slugify(option.value)}"
    facets = [
        Facet(name, str(filterset.filters[name].label), opts) for name, opts in options.items()
    ]
    return facets, counts["total"][None]
