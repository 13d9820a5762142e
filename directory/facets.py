"""The organisation list's facets: which options each filter offers, with how many
organisations each gives (counted by directory/facet_index.py on the list filtered by
every *other* active filter, so an option's number is what ticking it would give).
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.text import slugify

from common.text import fold
from directory.filters import OrganisationFilterSet
from directory.zone_order import in_tree_order
from needs.models import NeedCategory
from needs.visibility import needs_seen
from networks.models import Membership, Network
from organisations.models import (
    Organisation,
    OrganisationTheme,
    Partner,
    Partnership,
    Theme,
    Typology,
    Zone,
)
from organisations.verification import VERIFICATION_CHOICES
from services.models import PopulationGroup
from services.visibility import services_seen


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
# Facets whose values are primary keys (the others are choices).
KEYED_FACETS = {
    "typology", "country", "zone", "theme", "network", "partner", "need", "services_for",
}  # fmt: skip
BROAD_LEVELS = {Zone.Level.COUNTRY, Zone.Level.REGION}


def link_facets(private: bool) -> dict[str, tuple[QuerySet, str, bool]]:
    """Facets counted on a link table: (links, column of the linked entry, whether an
    organisation may have several links to one entry), as staff who see private data
    (``private``) or the public count them."""
    return {
        "theme": (OrganisationTheme.objects.all(), "theme_id", False),
        "network": (Membership.objects.all(), "network_id", False),
        "partner": (Partnership.objects.all(), "partner_id", False),
        "need": (needs_seen(private), "category_id", True),
        # An organisation whose services (those the audience sees) serve these people.
        "services_for": (services_seen(private), "populations", True),
    }


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
