"""What marks demo data (its source, its zones) and the catalogues organisations are drawn
from, read in a fixed order or created minimal on an empty database."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.text import slugify

from demo import vocabulary as words
from needs.models import NeedActivity, NeedCategory
from networks.models import Network
from organisations.models import (
    Partner,
    Source,
    Theme,
    Typology,
    Zone,
)
from services.models import Language, PopulationGroup

DEMO_SOURCE_CODE = "demo"
# Zones have no source: the few the generator creates on an empty database carry this
# official code, so that --delete can find them again.
DEMO_ZONE_CODE = "demo"


def demo_source() -> Source:
    source, _ = Source.objects.get_or_create(
        code=DEMO_SOURCE_CODE,
        defaults={"kind": Source.Kind.STAFF, "document": "Données de démonstration"},
    )
    return source


@dataclass(frozen=True)
class Place:
    zone_id: int
    name: str
    path: str
    level: str


@dataclass
class Country:
    place: Place
    iso_code: str
    regions: list[Place] = field(default_factory=list)
    cercles: list[Place] = field(default_factory=list)


@dataclass
class Catalogue:
    countries: list[Country]
    foreign_countries: list[Place]
    theme_ids: list[int]
    typology_ids: list[int]
    network_ids: list[int]
    partner_ids: list[int]
    # (category id, ids of its activities)
    needs: list[tuple[int, list[int]]]
    population_ids: list[int] = field(default_factory=list)
    language_ids: list[int] = field(default_factory=list)


def load_catalogue(source: Source) -> Catalogue:
    """Read zones and catalogues in a fixed order, creating a minimal set of any that is empty."""
    countries, foreign = _load_geography()
    if not countries:
        _create_minimal_geography()
        countries, foreign = _load_geography()
    return Catalogue(
        countries=countries,
        foreign_countries=foreign,
        theme_ids=_ids_or_create(Theme, source, _minimal_themes),
        typology_ids=_ids_or_create(Typology, source, _minimal_typologies),
        network_ids=_ids_or_create(Network, source, _minimal_networks),
        partner_ids=_ids_or_create(Partner, source, _minimal_partners),
        needs=_load_needs(source),
        # Shipped by services' data migration: read, never created here.
        population_ids=list(PopulationGroup.objects.order_by("pk").values_list("pk", flat=True)),
        language_ids=list(Language.objects.order_by("pk").values_list("pk", flat=True)),
    )


def _load_geography() -> tuple[list[Country], list[Place]]:
    """Countries divided down to cercles are homes; the others, and their regions, are abroad.

    Abroad is where the diaspora works (France, Île-de-France…). Without any cercle, every
    country with regions is a home.
    """
    zones = list(
        Zone.objects.filter(
            level__in=[Zone.Level.COUNTRY, Zone.Level.REGION, Zone.Level.CERCLE]
        ).values_list("pk", "name", "path", "level", "iso_code")
    )
    countries = {}
    for pk, name, path, level, iso_code in sorted(zones, key=lambda z: (z[2].count("/"), z[1])):
        place = Place(pk, name, path, level)
        if level == Zone.Level.COUNTRY:
            countries[pk] = Country(place, iso_code)
            continue
        country = countries.get(int(path.split("/")[0]))
        if country is not None:
            (country.regions if level == Zone.Level.REGION else country.cercles).append(place)
    homes = [c for c in countries.values() if c.cercles] or [
        c for c in countries.values() if c.regions
    ]
    abroad = [
        place for c in countries.values() if c not in homes for place in [c.place, *c.regions]
    ]
    return homes, abroad


def _create_minimal_geography() -> None:
    for (country_name, iso_code), regions in words.MINIMAL_GEOGRAPHY.items():
        country = Zone.objects.create(
            name=country_name,
            level=Zone.Level.COUNTRY,
            iso_code=iso_code,
            official_code=DEMO_ZONE_CODE,
        )
        for region_name, cercles in regions.items():
            region = Zone.objects.create(
                name=region_name,
                level=Zone.Level.REGION,
                parent=country,
                official_code=DEMO_ZONE_CODE,
            )
            for cercle_name in cercles:
                Zone.objects.create(
                    name=cercle_name,
                    level=Zone.Level.CERCLE,
                    parent=region,
                    official_code=DEMO_ZONE_CODE,
                )
    existing = set(Zone.objects.countries().values_list("iso_code", flat=True))
    for name, iso_code in words.MINIMAL_FOREIGN_COUNTRIES:
        if iso_code not in existing:
            Zone.objects.create(
                name=name, level=Zone.Level.COUNTRY, iso_code=iso_code, official_code=DEMO_ZONE_CODE
            )


def _ids_or_create(model: type[models.Model], source: Source, minimal) -> list[int]:
    ids = list(model.objects.order_by("slug").values_list("pk", flat=True))
    if not ids:
        model.objects.bulk_create(minimal(source))
        ids = list(model.objects.order_by("slug").values_list("pk", flat=True))
    return ids


def _minimal_themes(source: Source) -> list[Theme]:
    return [
        Theme(name=name, name_en=name_en, slug=slugify(name)[:120], position=i, source=source)
        for i, (name, name_en) in enumerate(words.MINIMAL_THEMES)
    ]


def _minimal_typologies(source: Source) -> list[Typology]:
    return [
        Typology(name=name, name_en=name_en, slug=slugify(name)[:80], position=i, source=source)
        for i, (name, name_en) in enumerate(words.MINIMAL_TYPOLOGIES)
    ]


def _minimal_networks(source: Source) -> list[Network]:
    return [
        Network(name=name, acronym=acronym, slug=slugify(name)[:120], level=level, source=source)
        for name, acronym, level in words.MINIMAL_NETWORKS
    ]


def _minimal_partners(source: Source) -> list[Partner]:
    return [
        Partner(name=name, acronym=acronym, slug=slugify(name)[:120], kind=kind, source=source)
        for name, acronym, kind in words.MINIMAL_PARTNERS
    ]


def _load_needs(source: Source) -> list[tuple[int, list[int]]]:
    categories = list(NeedCategory.objects.order_by("slug").values_list("pk", flat=True))
    if not categories:
        NeedCategory.objects.bulk_create(
            NeedCategory(name=name, name_en=name_en, slug=slugify(name), position=i, source=source)
            for i, (name, name_en) in enumerate(words.MINIMAL_NEED_CATEGORIES)
        )
        categories = list(NeedCategory.objects.order_by("slug").values_list("pk", flat=True))
    activities: dict[int, list[int]] = {pk: [] for pk in categories}
    for category_id, pk in NeedActivity.objects.order_by(
        "category_id", "position", "pk"
    ).values_list("category_id", "pk"):
        activities[category_id].append(pk)
    return [(pk, activities[pk]) for pk in categories]
