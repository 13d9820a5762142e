"""Deterministic demo data: many organisations with their links, inserted in bulk.

Everything generated points at the Source with code ``demo``, so it can be told apart
from real records and removed (``delete_demo_data``) without touching anything else.
Random choices come from one ``random.Random(seed)`` walked in a fixed order over
catalogues read in a fixed order: the same seed on the same catalogues gives the same data.
"""

import functools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import phonenumbers
from django.db import models, transaction
from django.utils.text import slugify
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from common.bulk import TableWriter, reserve_ids
from common.phones import is_region
from common.text import fold
from demo import vocabulary as words
from needs.models import NeedActivity, NeedCategory, OrganisationNeed
from networks.models import Membership, Network
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Source,
    Theme,
    Typology,
    Zone,
)
from pagecache.stamp import directory_changed

DEMO_SOURCE_CODE = "demo"
# Zones have no source: the few the generator creates on an empty database carry this
# official code, so that --delete can find them again.
DEMO_ZONE_CODE = "demo"
# Organisations are generated and inserted this many at a time, with their links.
CHUNK_SIZE = 5000


class DemoDataError(Exception):
    pass


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


# --- Catalogues -------------------------------------------------------------------------------


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


# --- Organisations ----------------------------------------------------------------------------


@dataclass
class Plan:
    """One organisation and the rows that hang off it, before anything has a primary key."""

    organisation: dict
    zone_ids: list[int]
    theme_ids: list[int]
    network_ids: list[int]
    partner_ids: list[int]
    # (category id, activity id or None, public)
    needs: list[tuple[int, int | None, bool]]
    channels: list[tuple[str, str, bool]]
    person: dict


BUDGET_BANDS = Organisation.BudgetBand.values
STATUSES = ["draft", "published", "archived"]
STATUS_CUM_WEIGHTS = [8, 98, 100]
LEGAL_FORMS = ["formal", "informal", "unknown"]
LEGAL_FORM_CUM_WEIGHTS = [75, 90, 100]
ZONE_COUNTS = [1, 2, 3, 4, 5]
ZONE_COUNT_CUM_WEIGHTS = [35, 65, 85, 95, 100]
# Names and descriptions are made of few distinct pieces: fold and slugify each once.
_fold = functools.cache(fold)
_slugify = functools.cache(slugify)


class OrganisationPlanner:
    """Draws organisations one after another from a seeded random generator."""

    def __init__(self, catalogue: Catalogue, source: Source, seed: int | str):
        self.catalogue = catalogue
        self.source = source
        self.random = random.Random(seed)

    def plan(self, number: int) -> Plan:
        rng = self.random
        country = rng.choice(self.catalogue.countries)
        places = self._places(country)
        home = next((p for p in places if p.path.startswith(country.place.path)), places[0])
        name_parts = self._name(home)
        name = " ".join(name_parts)
        acronym = _acronym(name) if rng.random() < 0.7 else ""
        themes = rng.sample(
            self.catalogue.theme_ids, min(rng.randint(1, 3), len(self.catalogue.theme_ids))
        )
        activities = rng.sample(words.ACTIVITIES, 2)
        description = f"Basée à {home.name}, l'organisation {activities[0]} et {activities[1]}."
        # The description's words, in order, in pieces that fold alike every time.
        description_parts = [
            "Basée à",
            home.name,
            "l'organisation",
            activities[0],
            "et",
            activities[1],
        ]
        legal_form, registration = _legal_status(rng)
        zone_names = [p.name for p in sorted(places, key=lambda p: p.path)]
        slug = f"{_slugify(name)[:100]}-demo-{number}"
        organisation = {
            "name": name,
            "acronym": acronym,
            "slug": slug,
            "typology_id": rng.choice(self.catalogue.typology_ids),
            "legal_form": legal_form,
            "registration_kind": registration,
            "registration_country_id": country.place.zone_id if legal_form == "formal" else None,
            "year_founded": rng.randint(1975, 2023),
            "scope": _scope(places, country),
            "description": description,
            "budget_band": rng.choice(BUDGET_BANDS),
            "members_individuals": rng.randint(7, 2500) if rng.random() < 0.6 else None,
            "status": rng.choices(STATUSES, cum_weights=STATUS_CUM_WEIGHTS)[0],
            "survey_status": Organisation.SurveyStatus.REGISTERED.value,
            "source_id": self.source.pk,
            # Organisation.build_search_text's text, folded piece by piece: the pieces repeat.
            "search_text": " ".join(
                filter(None, map(_fold, [*name_parts, acronym, *description_parts, *zone_names]))
            ),
        }
        contact_name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
        return Plan(
            organisation=organisation,
            zone_ids=[p.zone_id for p in places],
            theme_ids=themes,
            network_ids=self._some(self.catalogue.network_ids, 0, 2),
            partner_ids=self._some(self.catalogue.partner_ids, 0, 3),
            needs=self._needs(),
            channels=self._channels(country, acronym or _slugify(name)[:20]),
            person=self._person(contact_name, country),
        )

    def _places(self, country: Country) -> list[Place]:
        """1 to 5 distinct zones: regions and cercles of the home country, sometimes abroad."""
        rng = self.random
        wanted = rng.choices(ZONE_COUNTS, cum_weights=ZONE_COUNT_CUM_WEIGHTS)[0]
        chosen: dict[int, Place] = {}
        for _ in range(wanted * 3):
            if len(chosen) == wanted:
                break
            draw = rng.random()
            if draw < 0.1 and self.catalogue.foreign_countries:
                place = rng.choice(self.catalogue.foreign_countries)
            elif draw < 0.55 or not country.cercles:
                place = rng.choice(country.regions)
            else:
                place = rng.choice(country.cercles)
            chosen.setdefault(place.zone_id, place)
        return list(chosen.values())

    def _name(self, home: Place) -> list[str]:
        """The words of a name such as « Association des ressortissants de Kayes »."""
        rng = self.random
        kind = rng.choice(words.ORGANISATION_KINDS)
        pattern = rng.random()
        if pattern < 0.4:
            return [kind, rng.choice(words.MEMBERS), _of(home.name)]
        if pattern < 0.7:
            return [kind, rng.choice(words.NICKNAMES), rng.choice(words.PURPOSES)]
        if pattern < 0.85:
            return [kind, rng.choice(words.ADJECTIVES), home.name]
        return [kind, rng.choice(words.MEMBERS), rng.choice(words.PURPOSES)]

    def _some(self, ids: list[int], low: int, high: int) -> list[int]:
        return self.random.sample(ids, min(self.random.randint(low, high), len(ids)))

    def _needs(self) -> list[tuple[int, int | None, bool]]:
        rng = self.random
        needs = []
        for category_id, activity_ids in self._some_needs():
            activity_id = rng.choice(activity_ids) if activity_ids and rng.random() < 0.5 else None
            needs.append((category_id, activity_id, rng.random() < 0.5))
        return needs

    def _some_needs(self) -> list[tuple[int, list[int]]]:
        needs = self.catalogue.needs
        return self.random.sample(needs, min(self.random.randint(0, 3), len(needs)))

    def _channels(self, country: Country, handle: str) -> list[tuple[str, str, bool]]:
        rng = self.random
        handle = _slugify(handle).replace("-", "") or "contact"
        phone = _phone(rng, country.iso_code)
        channels = [(ContactChannel.Kind.PHONE.value, phone, True)]
        other_phone = _phone(rng, country.iso_code)
        if rng.random() < 0.4 and other_phone != phone:
            channels.append((ContactChannel.Kind.PHONE.value, other_phone, rng.random() < 0.5))
        # Reserved example domains: demo addresses can never reach a real mailbox.
        channels.append((ContactChannel.Kind.EMAIL.value, f"contact@{handle}.example.org", True))
        if rng.random() < 0.3:
            channels.append(
                (ContactChannel.Kind.WEBSITE.value, f"https://{handle}.example.org", True)
            )
        return channels

    def _person(self, name: str, country: Country) -> dict:
        rng = self.random
        publishable = rng.random() < 0.4
        return {
            "name": name,
            "role": rng.choice(words.ROLES),
            "phone": _phone(rng, country.iso_code),
            "email": f"{_slugify(name).replace('-', '.')}@example.net",
            "is_publishable": publishable,
            "consent_given_by": name if publishable else "",
            "consent_date": (date(2022, 1, 1) + timedelta(days=rng.randrange(1000))).isoformat()
            if publishable
            else None,
        }


def _of(place: str) -> str:
    """« de Kayes », « d'Ansongo »: French elides « de » before a vowel."""
    return f"d'{place}" if _fold(place[:1]) in set("aeiouy") else f"de {place}"


def _acronym(name: str) -> str:
    initials = [w[0] for w in name.replace("'", " ").split() if len(w) > 3 or w[0].isupper()]
    return fold("".join(initials)).upper()[:12]


def _legal_status(rng: random.Random) -> tuple[str, str]:
    legal_form = rng.choices(LEGAL_FORMS, cum_weights=LEGAL_FORM_CUM_WEIGHTS)[0]
    if legal_form == Organisation.LegalForm.FORMAL:
        kinds = ["declared", "approved", "public_utility", "framework_agreement"]
        return legal_form, rng.choices(kinds, weights=[60, 20, 5, 15])[0]
    if legal_form == Organisation.LegalForm.INFORMAL:
        return legal_form, Organisation.RegistrationKind.DE_FACTO.value
    return legal_form, Organisation.RegistrationKind.UNKNOWN.value


def _scope(places: list[Place], country: Country) -> str:
    if any(not p.path.startswith(country.place.path) for p in places):
        return Organisation.Scope.INTERNATIONAL.value
    if len(places) >= 3:
        return Organisation.Scope.NATIONAL.value
    if any(p.level == Zone.Level.REGION for p in places):
        return Organisation.Scope.REGIONAL.value
    return Organisation.Scope.CERCLE.value


def _phone(rng: random.Random, iso_code: str) -> str:
    """A mobile number of the country (of Mali where libphonenumber has no plan), E.164."""
    return f"{_mobile_range(iso_code)}{rng.randrange(10**6):06d}"


@functools.cache
def _mobile_range(iso_code: str) -> str:
    """The country's example mobile number but its last six digits: numbers that only
    differ there are valid too (tests check it)."""
    region = iso_code.upper() if is_region(iso_code) else words.DEFAULT_PHONE_REGION
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, PhoneNumberFormat.E164)[:-6]


# --- Insertion --------------------------------------------------------------------------------


def generate(count: int, seed: int, chunk_size: int = CHUNK_SIZE) -> int:
    """Add ``count`` demo organisations with their links; return how many were created.

    Numbering continues after the demo organisations already there, and the random draws
    depend on the seed and that starting number: the same calls give the same data.
    """
    with transaction.atomic():
        directory_changed()  # once for the whole batch: COPY sends no signal
        source = demo_source()
        first = _next_demo_number(source)
        planner = OrganisationPlanner(load_catalogue(source), source, f"{seed}:{first}")
        writers = _Writers()
        for start in range(first, first + count, chunk_size):
            plans = [planner.plan(n) for n in range(start, min(start + chunk_size, first + count))]
            writers.insert(plans)
    return count


def _next_demo_number(source: Source) -> int:
    slugs = Organisation.objects.filter(source=source).values_list("slug", flat=True)
    return max((int(slug.rsplit("-", 1)[1]) for slug in slugs), default=0) + 1


class _Writers:
    """One TableWriter per table, with the columns the plans fill."""

    def __init__(self):
        self.organisation = TableWriter(Organisation, ["id", *ORGANISATION_FIELDS])
        self.links = {
            target: TableWriter(model, ["organisation_id", f"{target}_id"])
            for target, model in LINK_MODELS.items()
        }
        self.need = TableWriter(
            OrganisationNeed,
            ["organisation_id", "category_id", "activity_id", "is_public"],
        )
        self.channel = TableWriter(
            ContactChannel,
            ["organisation_id", "kind", "value", "is_public", "position"],
        )
        self.person = TableWriter(ContactPerson, ["organisation_id", *PERSON_FIELDS])

    def insert(self, plans: list[Plan]) -> None:
        ids = reserve_ids(Organisation, len(plans))
        planned = list(zip(ids, plans, strict=True))
        self.organisation.insert(
            (pk, *(plan.organisation[name] for name in ORGANISATION_FIELDS)) for pk, plan in planned
        )
        for target, writer in self.links.items():
            writer.insert(
                (pk, target_id)
                for pk, plan in planned
                for target_id in getattr(plan, f"{target}_ids")
            )
        self.need.insert((pk, *need) for pk, plan in planned for need in plan.needs)
        self.channel.insert(
            (pk, kind, value, public, position)
            for pk, plan in planned
            for position, (kind, value, public) in enumerate(plan.channels)
        )
        self.person.insert(
            (pk, *(plan.person[name] for name in PERSON_FIELDS)) for pk, plan in planned
        )


LINK_MODELS = {
    "zone": OrganisationZone,
    "theme": OrganisationTheme,
    "network": Membership,
    "partner": Partnership,
}
ORGANISATION_FIELDS = [
    "name",
    "acronym",
    "slug",
    "typology_id",
    "legal_form",
    "registration_kind",
    "registration_country_id",
    "year_founded",
    "scope",
    "description",
    "budget_band",
    "members_individuals",
    "status",
    "survey_status",
    "source_id",
    "search_text",
]
PERSON_FIELDS = [
    "name",
    "role",
    "phone",
    "email",
    "is_publishable",
    "consent_given_by",
    "consent_date",
]


# --- Removal ----------------------------------------------------------------------------------


def delete_demo_data() -> int:
    """Remove the demo organisations, everything hanging off them and the demo catalogue entries.

    Rows are deleted table by table with one query each (no per-row signals, so no history
    rows are written for data that never had any); history rows of demo records go too.
    Returns how many organisations were removed.
    """
    source = Source.objects.filter(code=DEMO_SOURCE_CODE).first()
    if source is None:
        return 0
    with transaction.atomic():
        directory_changed()
        organisations = Organisation.objects.filter(source=source)
        removed = organisations.count()
        _delete_with_dependants(organisations)
        for model in (Network, Partner, Theme, Typology, NeedCategory):
            _delete_with_dependants(model.objects.filter(source=source))
        _delete_demo_zones()
        if not _still_used(source):
            _delete_with_dependants(Source.objects.filter(pk=source.pk))
    return removed


def _delete_with_dependants(queryset: models.QuerySet) -> None:
    model = queryset.model
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            _delete_many_to_many_rows(relation, queryset)
            continue
        dependants = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": queryset.values("pk")}
        )
        on_delete = relation.on_delete
        if on_delete is models.CASCADE:
            _delete_with_dependants(dependants)
        elif on_delete is models.SET_NULL:
            dependants.update(**{relation.field.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT) and dependants.exists():
            raise DemoDataError(
                f"{dependants.count()} {relation.related_model._meta.verbose_name_plural} "
                f"that are not demo data still use demo {model._meta.verbose_name_plural}."
            )
    history = getattr(model, "history", None)
    if history is not None:
        history.filter(**{f"{model._meta.pk.attname}__in": queryset.values("pk")}).delete()
    queryset._raw_delete(queryset.db)


def _delete_many_to_many_rows(relation, queryset: models.QuerySet) -> None:
    """Rows of an automatic many-to-many table (a network's countries) that name a deleted row."""
    through = relation.through
    if not through._meta.auto_created:
        return  # an explicit through model is reached by its own foreign key
    column = next(
        f.name for f in through._meta.fields if f.is_relation and f.related_model is queryset.model
    )
    rows = through._base_manager.filter(**{f"{column}__in": queryset.values("pk")})
    rows._raw_delete(rows.db)


def _delete_demo_zones() -> None:
    by_depth: dict[int, list[int]] = {}
    for pk, path in Zone.objects.filter(official_code=DEMO_ZONE_CODE).values_list("pk", "path"):
        by_depth.setdefault(path.count("/"), []).append(pk)
    # Deepest first: a zone protects its children.
    for depth in sorted(by_depth, reverse=True):
        _delete_with_dependants(Zone.objects.filter(pk__in=by_depth[depth]))


def _still_used(source: Source) -> bool:
    return any(
        relation.related_model._base_manager.filter(**{relation.field.name: source}).exists()
        for relation in Source._meta.related_objects
    )


# The parts generated with each organisation; they carry no source of their own.
DEMO_PARTS = (
    OrganisationZone,
    OrganisationTheme,
    Membership,
    Partnership,
    OrganisationNeed,
    ContactChannel,
    ContactPerson,
)


def demo_row_counts() -> dict[str, int]:
    """How many demo organisations, and parts of them, the database holds."""
    organisations = Organisation.objects.filter(source__code=DEMO_SOURCE_CODE)
    counts = {str(Organisation._meta.verbose_name_plural): organisations.count()}
    for model in DEMO_PARTS:
        parts = model.objects.filter(organisation__in=organisations.values("pk"))
        counts[str(model._meta.verbose_name_plural)] = parts.count()
    return counts
