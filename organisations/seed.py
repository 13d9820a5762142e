"""Load the Mali 2022 synthesis (fixtures/mali-2022/) into the directory.

Every row is found by a natural key (a slug, a code, a name under its parent, an
organisation and a value) and saved only when one of its values differs from the
fixture, so a second run writes nothing and adds no history. Rows the fixtures do not
name (added by staff or an import) are never touched or deleted; a value staff edited
in a field the fixtures set is set back to the report's value, except staff notes,
written only when the organisation is created. A zone staff moved in the tree (the 2023
regions) is found where it now is and left there (see ``ZoneIndex``).
"""

import csv
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import tablib
import yaml
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from organisations.models import (
    Acronym,
    ContactChannel,
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Source,
    Theme,
    Typology,
    Zone,
    ZoneIndicator,
)
from organisations.resources import (
    CatalogueResource,
    NaturalKeys,
    PartnerResource,
    ThemeGroupResource,
    ThemeResource,
    TypologyResource,
)

FIXTURE_DIR = Path(settings.SEED_DATA_DIR) / "mali-2022"

# Keys a fixture entry may carry only for the reviewer (never loaded).
REVIEW_KEYS = {"note", "t2", "n", "statut", "name_as_written", "as_written"}


# The loaders of the apps built on organisations (networks, needs): each adds its own from
# its ``seed`` module with ``contribute``, and they run after the organisations' tables.
CONTRIBUTIONS: list[Callable[["MaliSeed"], None]] = []


def contribute(load: Callable[["MaliSeed"], None]) -> Callable[["MaliSeed"], None]:
    CONTRIBUTIONS.append(load)
    return load


class SeedError(Exception):
    """A fixture names something that does not exist or carries an unknown key."""


class Table:
    """The rows of one model indexed by natural key, read once, written only on change."""

    def __init__(self, model, key: tuple[str, ...], stats: Counter):
        self.model = model
        self.key = key
        self.stats = stats
        self.rows = {self._key(obj): obj for obj in model.objects.all()}

    def _key(self, obj) -> tuple:
        return tuple(getattr(obj, field) for field in self.key)

    def put(self, initial: dict | None = None, **values):
        """Create the row or bring its values in line with ``values`` (attribute names).

        ``initial`` values are set only when the row is created (fields staff own after).
        """
        key = tuple(values[field] for field in self.key)
        obj = self.rows.get(key)
        if obj is None:
            obj = self.create(**values, **(initial or {}))
            self.rows[key] = obj
            return obj
        return self.update(obj, **values)

    def create(self, **values):
        obj = self.model(**values)
        self._save(obj)
        self.stats[f"{self.model._meta.label} created"] += 1
        return obj

    def update(self, obj, **values):
        """Save ``obj`` only if one of ``values`` differs from what it holds."""
        changed = [field for field, value in values.items() if getattr(obj, field) != value]
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            self._save(obj)
            self.stats[f"{self.model._meta.label} updated"] += 1
        return obj

    def _save(self, obj) -> None:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()


def read_yaml(name: str):
    with open(FIXTURE_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _read_csv(name: str) -> list[dict]:
    with open(FIXTURE_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_keys(entry: dict, allowed: set[str], where: str) -> None:
    unknown = set(entry) - allowed - REVIEW_KEYS
    if unknown:
        raise SeedError(f"{where}: unknown keys {sorted(unknown)}")


class MaliSeed:
    def __init__(self):
        self.stats: Counter = Counter()
        self.sources: dict[str, Source] = {}
        self.zones: dict[str, Zone] = {}
        self.typologies: dict[str, Typology] = {}
        self.organisations: dict[str, Organisation] = {}
        self.partners: dict[str, Partner] = {}
        # What the catalogue resources look up by natural key, shared so each table is read once.
        self.natural_keys = NaturalKeys()

    def table(self, model, *key: str) -> Table:
        return Table(model, key, self.stats)

    def import_catalogue(self, resource_class: type[CatalogueResource], rows: list[dict]) -> None:
        """Upsert ``rows`` (column: value) with the admin's import resource, by natural key."""
        dataset = tablib.Dataset(headers=list(rows[0]))
        for row in rows:
            dataset.append([row[column] for column in dataset.headers])
        resource = resource_class(natural_keys=self.natural_keys)
        # Inside the seed's own transaction: an error stops the whole load.
        result = resource.import_data(dataset, use_transactions=False)
        label = resource_class._meta.model._meta.label
        problems = [f"row {row.number}: {row.error_dict}" for row in result.invalid_rows] + [
            f"row {number}: {errors[0].error}" for number, errors in result.row_errors()
        ]
        if problems:
            raise SeedError(f"{label} {problems[0]}")
        for total, word in (("new", "created"), ("update", "updated")):
            if result.totals[total]:
                self.stats[f"{label} {word}"] += result.totals[total]

    def known(self, model, key: str):
        """A catalogue row the seed just imported, by its slug."""
        return self.natural_keys.find(model, "slug", key)

    def country_code(self, path: str) -> str:
        code = self.zone(path).iso_code
        if not code:
            raise SeedError(f"zone {path!r} has no ISO code")
        return code

    def source(self, code: str) -> Source:
        try:
            return self.sources[code]
        except KeyError:
            raise SeedError(f"unknown source {code!r}") from None

    def zone(self, path: str) -> Zone:
        try:
            return self.zones[path]
        except KeyError:
            raise SeedError(f"unknown zone {path!r} (not in zones.csv)") from None

    def organisation(self, slug: str) -> Organisation:
        try:
            return self.organisations[slug]
        except KeyError:
            raise SeedError(f"unknown organisation {slug!r}") from None

    def run(self) -> Counter:
        with transaction.atomic():
            self.load_sources()
            self.load_zones()
            self.load_indicators()
            self.load_typologies()
            self.load_organisations()
            self.load_annuaire()
            self.load_themes()
            self.load_partners()
            self.load_acronyms()
            for load in CONTRIBUTIONS:
                load(self)
        return self.stats

    # -- catalogues ---------------------------------------------------------------------

    def load_sources(self) -> None:
        data = read_yaml("sources.yaml")
        table = self.table(Source, "code")
        for section in data["sections"]:
            self.sources[section["code"]] = table.put(
                code=section["code"],
                kind=data["kind"],
                document=data["document"],
                section=section["section"],
                year=data["year"],
                url="",
            )
        self.natural_keys.remember(Source, "code", self.sources.values())

    def load_zones(self) -> None:
        table = self.table(Zone, "pk")
        known = ZoneIndex(table.rows.values())
        for row in _read_csv("zones.csv"):
            parent_path, _, name = row["path"].rpartition("/")
            parent = self.zone(parent_path) if parent_path else None
            values = dict(
                name_en=row["name_en"],
                iso_code=row["iso_code"],
                iso_numeric=row["iso_numeric"],
                aliases=row["aliases"],
                latitude=Decimal(row["latitude"]) if row["latitude"] else None,
                longitude=Decimal(row["longitude"]) if row["longitude"] else None,
            )
            zone = known.find(row["iso_code"], parent, row["level"], name)
            if zone is None:
                zone = table.create(parent=parent, level=row["level"], name=name, **values)
                known.add(zone)
            else:
                # Where staff moved the zone in the tree (a new region frame), it stays there.
                table.update(zone, **values)
            self.zones[row["path"]] = zone
        self.natural_keys.remember(Zone, "iso_code", self.zones.values())

    def load_indicators(self) -> None:
        table = self.table(ZoneIndicator, "zone_id", "indicator", "source_id")
        for row in _read_csv("indicators.csv"):
            table.put(
                zone_id=self.zone(row["zone"]).pk,
                indicator=row["indicator"],
                source_id=self.source(row["source"]).pk,
                value=Decimal(row["value"]),
                reference_year=int(row["reference_year"]),
                data_source=row["data_source"],
            )

    def load_typologies(self) -> None:
        allowed = {
            "slug", "parent", "position", "name", "name_en", "source", "description", "themes",
            "financial_capacity", "financial_capacity_bands", "partners", "problems",
            "added_value",
        }  # fmt: skip
        entries = read_yaml("typologies.yaml")
        for entry in entries:
            check_keys(entry, allowed, f"typology {entry['slug']}")
        rows = [
            {
                "slug": entry["slug"],
                "parent": entry.get("parent", ""),
                "position": entry["position"],
                "name": entry["name"],
                "name_en": entry["name_en"],
                "source": self.source(entry["source"]).code,
                "description": entry.get("description", ""),
                "themes": entry.get("themes", ""),
                "financial_capacity": entry.get("financial_capacity", ""),
                "financial_capacity_bands": entry.get("financial_capacity_bands", ""),
                "partners": entry.get("partners", ""),
                "problems": "\n".join(entry.get("problems", [])),
                "added_value": "\n".join(entry.get("added_value", [])),
            }
            for entry in entries
        ]
        self.import_catalogue(TypologyResource, rows)
        self.typologies = {entry["slug"]: self.known(Typology, entry["slug"]) for entry in entries}

    # -- organisations --------------------------------------------------------------------

    def load_organisations(self) -> None:
        entries = read_yaml("organisations.yaml")
        website_status = {
            entry["org"]: entry.get("website_status", "") for entry in read_yaml("annuaire.yaml")
        }
        organisations = self.table(Organisation, "slug")
        aliases = self.table(OrganisationAlias, "organisation_id", "name")
        zone_links = self.table(OrganisationZone, "organisation_id", "zone_id")
        allowed = {
            "slug", "name", "acronym", "typology", "legal_form", "registration_kind",
            "registration_law", "registration_country", "registration_reference",
            "year_founded", "scope", "scope_detail", "members_organisations",
            "members_countries", "members_note", "survey_status", "source", "aliases", "zones",
            "description", "staff_notes",
        }  # fmt: skip
        for entry in entries:
            slug = entry["slug"]
            check_keys(entry, allowed, f"organisation {slug}")
            country = entry.get("registration_country")
            organisation = organisations.put(
                slug=slug,
                name=entry["name"],
                acronym=entry.get("acronym", ""),
                typology_id=self.typologies[entry["typology"]].pk,
                legal_form=entry.get("legal_form", Organisation.LegalForm.UNKNOWN),
                registration_kind=entry.get(
                    "registration_kind", Organisation.RegistrationKind.UNKNOWN
                ),
                registration_law=entry.get("registration_law", ""),
                registration_country_id=self.zone(country).pk if country else None,
                registration_reference=entry.get("registration_reference", ""),
                year_founded=entry.get("year_founded"),
                scope=entry.get("scope", Organisation.Scope.UNKNOWN),
                scope_detail=entry.get("scope_detail", ""),
                members_organisations=entry.get("members_organisations"),
                members_countries=entry.get("members_countries"),
                members_note=entry.get("members_note", ""),
                website_status=website_status.get(slug, ""),
                description=entry.get("description", ""),
                status=Organisation.Status.PUBLISHED,
                survey_status=entry["survey_status"],
                source_id=self.source(entry["source"]).pk,
                initial={"staff_notes": entry.get("staff_notes", "")},
            )
            self.organisations[slug] = organisation
            self._link_organisation(entry, organisation, aliases, zone_links)
        self.natural_keys.remember(Organisation, "slug", self.organisations.values())

    def _link_organisation(
        self, entry: dict, organisation: Organisation, aliases: Table, zone_links: Table
    ) -> None:
        """The organisation's other names and intervention zones, each with its source."""
        for alias in entry.get("aliases", []):
            aliases.put(
                organisation_id=organisation.pk,
                name=alias["name"],
                source_id=self.source(alias["source"]).pk,
            )
        # The first source listed wins for a zone two tables give (Tableau 2 over 6).
        linked = set()
        for source_code, paths in entry.get("zones", {}).items():
            source = self.source(source_code)
            for path in paths:
                zone = self.zone(path)
                if zone.pk in linked:
                    continue
                linked.add(zone.pk)
                zone_links.put(
                    organisation_id=organisation.pk, zone_id=zone.pk, source_id=source.pk
                )

    def load_annuaire(self) -> None:
        source = self.source("mali-2022-t13")
        offices = self.table(Office, "organisation_id", "kind", "address")
        channels = self.table(ContactChannel, "organisation_id", "kind", "value")
        allowed = {"org", "offices", "phones", "emails", "website", "website_label", "social"}
        allowed |= {"website_status"}
        for entry in read_yaml("annuaire.yaml"):
            check_keys(entry, allowed, f"annuaire {entry['org']}")
            organisation = self.organisation(entry["org"])
            for office in entry["offices"]:
                zone = office.get("zone")
                offices.put(
                    organisation_id=organisation.pk,
                    kind=office["kind"],
                    address=office["address"],
                    zone_id=self.zone(zone).pk if zone else None,
                    source_id=source.pk,
                )
            listed = [
                (ContactChannel.Kind.PHONE, _as_entry(item)) for item in entry.get("phones", [])
            ]
            listed += [
                (ContactChannel.Kind.EMAIL, _as_entry(item)) for item in entry.get("emails", [])
            ]
            if entry.get("website"):
                listed.append(
                    (
                        ContactChannel.Kind.WEBSITE,
                        {"value": entry["website"], "label": entry.get("website_label", "")},
                    )
                )
            listed += [(ContactChannel.Kind.SOCIAL, item) for item in entry.get("social", [])]
            for position, (kind, item) in enumerate(listed):
                check_keys(item, {"value", "label", "to_verify", "verification_note"}, entry["org"])
                channels.put(
                    organisation_id=organisation.pk,
                    kind=kind,
                    value=item["value"],
                    label=item.get("label", ""),
                    is_public=True,
                    to_verify=item.get("to_verify", False),
                    verification_note=item.get("verification_note", ""),
                    position=position,
                    source_id=source.pk,
                )

    def load_themes(self) -> None:
        data = read_yaml("themes.yaml")
        source = self.source("mali-2022-t5")
        group = data["group"]
        self.import_catalogue(
            ThemeGroupResource,
            [{key: group[key] for key in ("slug", "name", "name_en", "position")}],
        )
        self.import_catalogue(
            ThemeResource,
            [
                {
                    "slug": entry["slug"],
                    "name": entry["name"],
                    "name_en": entry["name_en"],
                    "group": group["slug"],
                    "position": position,
                    "source": source.code,
                }
                for position, entry in enumerate(data["themes"], start=1)
            ],
        )
        links = self.table(OrganisationTheme, "organisation_id", "theme_id")
        for entry in data["themes"]:
            theme = self.known(Theme, entry["slug"])
            for slug in entry["organisations"]:
                links.put(
                    organisation_id=self.organisation(slug).pk,
                    theme_id=theme.pk,
                    source_id=source.pk,
                )

    def load_partners(self) -> None:
        data = read_yaml("partners.yaml")
        allowed = {"slug", "name", "acronym", "kind", "country", "source", "description"}
        for entry in data["partners"]:
            check_keys(entry, allowed, f"partner {entry['slug']}")
        rows = [
            {
                "slug": entry["slug"],
                "name": entry["name"],
                "acronym": entry.get("acronym", ""),
                "kind": entry["kind"],
                "country": self.country_code(entry["country"]) if entry.get("country") else "",
                "website": "",
                "description": entry.get("description", ""),
                "source": self.source(entry["source"]).code,
            }
            for entry in data["partners"]
        ]
        self.import_catalogue(PartnerResource, rows)
        for entry in data["partners"]:
            self.partners[entry["slug"]] = self.known(Partner, entry["slug"])
        partnerships = self.table(Partnership, "organisation_id", "partner_id")
        for entry in data["partnerships"]:
            partnerships.put(
                organisation_id=self.organisation(entry["organisation"]).pk,
                partner_id=self.partners[entry["partner"]].pk,
                description=entry["description"],
                source_id=self.source(entry["source"]).pk,
            )

    def load_acronyms(self) -> None:
        source = self.source("mali-2022-sigles")
        acronyms = self.table(Acronym, "acronym", "expansion")
        for row in _read_csv("acronyms.csv"):
            acronyms.put(acronym=row["acronym"], expansion=row["expansion"], source_id=source.pk)


class ZoneIndex:
    """Finds a fixture's zone among existing ones even after staff moved it in the tree.

    A zone is the one with its ISO code, else the country of that name, else the only zone
    of its level and name in the same country, else the one under the fixture's parent.
    """

    def __init__(self, zones):
        self.by_iso: dict[str, Zone] = {}
        self.roots: dict[tuple[str, str], Zone] = {}
        self.by_country: dict[tuple, list[Zone]] = {}
        for zone in zones:
            self.add(zone)

    @staticmethod
    def _country_id(zone: Zone) -> int:
        return int(zone.path.split("/")[0])

    def add(self, zone: Zone) -> None:
        if zone.iso_code:
            self.by_iso[zone.iso_code] = zone
        if zone.parent_id is None:
            self.roots[(zone.level, zone.name)] = zone
        key = (self._country_id(zone), zone.level, zone.name)
        self.by_country.setdefault(key, []).append(zone)

    def find(self, iso_code: str, parent: Zone | None, level: str, name: str) -> Zone | None:
        if iso_code in self.by_iso:
            return self.by_iso[iso_code]
        if parent is None:
            return self.roots.get((level, name))
        candidates = self.by_country.get((self._country_id(parent), level, name), [])
        if len(candidates) == 1:
            return candidates[0]
        return next((zone for zone in candidates if zone.parent_id == parent.pk), None)


def _as_entry(item) -> dict:
    """A phone or e-mail is either a bare string or a mapping with flags."""
    return {"value": item} if isinstance(item, str) else item


def load_mali_seed() -> Counter:
    """Load every fixture in one transaction; returns what was created or updated."""
    autodiscover_modules("seed")  # the apps' contributions, as the admin finds admin.py
    return MaliSeed().run()
