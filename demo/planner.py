"""Organisations drawn one after another from a seeded random generator, before anything
has a primary key: the same seed on the same catalogues gives the same plans."""

import functools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import phonenumbers
from django.utils.text import slugify
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from common.phones import is_region
from common.text import fold
from demo import vocabulary as words
from demo.catalogue import Catalogue, Country, Place
from organisations.models import (
    ContactChannel,
    Organisation,
    Source,
    Zone,
)
from services.models import Service


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
    services: list["ServicePlan"] = field(default_factory=list)


@dataclass
class ServicePlan:
    service: dict
    theme_ids: list[int]
    population_ids: list[int]
    language_ids: list[int]
    zone_ids: list[int]


BUDGET_BANDS = Organisation.BudgetBand.values
SERVICE_COSTS = Service.Cost.values
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
            services=self._services(places, themes),
        )

    def _services(self, places: list[Place], theme_ids: list[int]) -> list[ServicePlan]:
        """1 to 5 services (3 on average), each for some of the organisation's places."""
        rng = self.random
        plans = []
        for name, name_en in rng.sample(words.SERVICES, rng.randint(1, 5)):
            service = {
                "name": name,
                "name_en": name_en,
                "cost": rng.choice(SERVICE_COSTS),
                "walk_in": rng.random() < 0.6,
                "by_appointment": rng.random() < 0.3,
                "by_referral": rng.random() < 0.2,
                "by_phone": rng.random() < 0.2,
                "status": rng.choices(STATUSES, cum_weights=STATUS_CUM_WEIGHTS)[0],
                "source_id": self.source.pk,
            }
            plans.append(
                ServicePlan(
                    service=service,
                    theme_ids=self._some(theme_ids, 0, 1),
                    population_ids=self._some(self.catalogue.population_ids, 1, 3),
                    language_ids=self._some(self.catalogue.language_ids, 1, 3),
                    zone_ids=[p.zone_id for p in self._some(places, 1, len(places))],
                )
            )
        return plans

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
