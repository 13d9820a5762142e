"""Match survey answers to catalogue entries: zones, themes, partners, networks, typologies.

Everything is loaded once per import (a handful of queries) and matched in memory by
name, alias or code, accent- and case-insensitively.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from common.text import fold as _fold_uncached
from needs.models import NeedActivity, NeedCategory
from networks.models import Network
from organisations.models import Partner, Source, Theme, Typology, Zone

# Survey answers repeat (zone names, theme codes, "Néant"): fold each distinct text once.
# Names do not repeat: the cache stays small, so that they do not fill it for nothing.
fold = lru_cache(maxsize=10_000)(_fold_uncached)

# "Cercle de Kayes", "Région de Kayes": the answer names its level itself.
_LEVEL_PREFIX = re.compile(r"^(region|cercle|commune|village|pays)( de| du| d| des)? (.+)$")
_PREFIX_LEVELS = {
    "region": Zone.Level.REGION,
    "cercle": Zone.Level.CERCLE,
    "commune": Zone.Level.COMMUNE,
    "village": Zone.Level.LOCALITY,
    "pays": Zone.Level.COUNTRY,
}


@dataclass
class Entry:
    id: int
    label: str
    extra: dict = field(default_factory=dict)


@dataclass
class Resolution:
    entry: Entry | None = None
    error: str = ""
    note: str = ""
    suggestions: list[str] = field(default_factory=list)


def unmatched(value: str, resolution: Resolution) -> str:
    """Why ``value`` names no entry, with the closest ones."""
    if resolution.error:
        return resolution.error
    if resolution.suggestions:
        return _("“%(value)s” matches nothing known. Closest: %(suggestions)s.") % {
            "value": value,
            "suggestions": "; ".join(resolution.suggestions),
        }
    return _("“%(value)s” matches nothing known.") % {"value": value}


class Catalogue:
    """Entries indexed by every folded key that names them."""

    def __init__(self, kind: str):
        self.kind = kind
        self.by_key: dict[str, list[Entry]] = {}
        self.labels_by_id: dict[int, str] = {}

    def label_of(self, entry_id: int) -> str:
        return self.labels_by_id.get(entry_id, str(entry_id))

    def add(self, entry: Entry, *keys: str) -> None:
        self.labels_by_id[entry.id] = entry.label
        for key in {fold(k) for k in keys if k and fold(k)}:
            bucket = self.by_key.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    def suggestions(self, value: str, limit: int = 3) -> list[str]:
        found = process.extract(
            fold(value), list(self.by_key), scorer=fuzz.WRatio, limit=limit, score_cutoff=70
        )
        labels: list[str] = []
        for key, _score, _index in found:
            for entry in self.by_key[key]:
                if entry.label not in labels:
                    labels.append(entry.label)
        return labels[: limit + 1]

    def knows(self, value: str) -> bool:
        """``value`` names at least one entry (several: resolve() says which)."""
        return fold(value) in self.by_key

    def resolve(self, value: str) -> Resolution:
        candidates = self.by_key.get(fold(value), [])
        if len(candidates) == 1:
            return Resolution(entry=candidates[0])
        if candidates:
            return Resolution(
                error=_("“%(value)s” names several %(kind)s: %(entries)s.")
                % {
                    "value": value,
                    "kind": self.kind,
                    "entries": "; ".join(c.label for c in candidates),
                },
            )
        return Resolution(suggestions=self.suggestions(value))


class ZoneCatalogue(Catalogue):
    """Zones of one country (or all), with the level rule of the mapping; a name found in
    none of them is looked up in ``elsewhere`` (every zone: a diaspora organisation works
    in France, a network in Senegal)."""

    def __init__(self, kind: str, elsewhere: "ZoneCatalogue | None" = None):
        super().__init__(kind)
        self.elsewhere = elsewhere

    def label_of(self, entry_id: int) -> str:
        if entry_id in self.labels_by_id or self.elsewhere is None:
            return super().label_of(entry_id)
        return self.elsewhere.label_of(entry_id)

    def _candidates(self, value: str, level: str) -> tuple[list[Entry], str]:
        folded = fold(value)
        candidates = self.by_key.get(folded, [])
        prefixed = _LEVEL_PREFIX.match(folded)
        if not candidates and prefixed:
            level = _PREFIX_LEVELS[prefixed.group(1)]
            candidates = self.by_key.get(prefixed.group(3), [])
        return candidates, level

    def knows(self, value: str) -> bool:
        return bool(self._candidates(value, "highest")[0]) or bool(
            self.elsewhere and self.elsewhere.knows(value)
        )

    def resolve_zone(self, value: str, level: str) -> Resolution:
        candidates, level = self._candidates(value, level)
        if not candidates and self.elsewhere and self.elsewhere.knows(value):
            return self.elsewhere.resolve_zone(value, level)
        if not candidates:
            return Resolution(suggestions=self.suggestions(value))
        if level != "highest":
            at_level = [c for c in candidates if c.extra["level"] == level]
            if not at_level:
                return Resolution(
                    error=_("“%(value)s” is not a %(level)s (found: %(found)s).")
                    % {
                        "value": value,
                        "level": Zone.Level(level).label.lower(),
                        "found": "; ".join(c.label for c in candidates),
                    },
                )
            chosen = at_level
        else:
            # The documented rule: a bare name is the highest level that bears it.
            top = min(c.extra["depth"] for c in candidates)
            chosen = [c for c in candidates if c.extra["depth"] == top]
        if len(chosen) > 1:
            return Resolution(
                error=_("“%(value)s” names several zones: %(zones)s. Write the one you mean.")
                % {"value": value, "zones": "; ".join(c.label for c in chosen)},
            )
        note = ""
        if len(candidates) > 1:
            note = _("“%(value)s” read as %(chosen)s (also: %(others)s).") % {
                "value": value,
                "chosen": chosen[0].label,
                "others": "; ".join(c.label for c in candidates if c is not chosen[0]),
            }
        return Resolution(entry=chosen[0], note=note)


@dataclass
class ImportCatalogues:
    """The catalogues a survey import matches its answers against, read once per import."""

    zones: ZoneCatalogue
    countries: Catalogue
    themes: Catalogue
    partners: Catalogue
    networks: Catalogue
    typologies: Catalogue
    zone_names: dict[int, str]
    zone_paths: dict[int, str]
    sources: Catalogue
    # "category-slug" and "category-slug/position" (the exports' keys) -> (category, activity)
    needs: dict[str, tuple[int, int | None]]
    country: Zone | None = None

    def for_field(self, target: str) -> Catalogue:
        return {
            "zones": self.zones,
            "themes": self.themes,
            "partners": self.partners,
            "networks": self.networks,
            "typology": self.typologies,
            "registration_country": self.countries,
            "source": self.sources,
        }[target]


def load_catalogues(country_code: str = "", targets=()) -> ImportCatalogues:
    """One query per catalogue; sources and needs only when a mapped field uses them."""
    zones = list(
        Zone.objects.only(
            "id",
            "name",
            "name_en",
            "name_folded",
            "level",
            "parent_id",
            "path",
            "aliases",
            "iso_code",
            "official_code",
        ).order_by("path")
    )
    names = {zone.id: zone.name for zone in zones}
    country = _country(zones, country_code)
    zone_catalogue, countries = _zone_catalogues(zones, names, country)
    themes, partners, networks, typologies = _named_catalogues()
    sources = Catalogue(_("sources"))
    if "source" in targets:
        for source_id, code in Source.objects.values_list("id", "code"):
            sources.add(Entry(source_id, code), code)
    need_keys = _need_keys() if {"needs", "private_needs", "need_details"} & set(targets) else {}
    return ImportCatalogues(
        zones=zone_catalogue,
        sources=sources,
        needs=need_keys,
        countries=countries,
        themes=themes,
        partners=partners,
        networks=networks,
        typologies=typologies,
        zone_names=names,
        zone_paths={zone.id: zone.path for zone in zones},
        country=country,
    )


def _country(zones: list[Zone], country_code: str) -> Zone | None:
    """The mapping's country, by ISO code or name; None when the mapping names none."""
    wanted = fold(country_code)
    return next(
        (
            zone
            for zone in zones
            if wanted
            and zone.level == Zone.Level.COUNTRY
            and wanted in {fold(zone.iso_code), zone.name_folded}
        ),
        None,
    )


def _zone_catalogues(
    zones: list[Zone], names: dict[int, str], country: Zone | None
) -> tuple[ZoneCatalogue, Catalogue]:
    """The zones (of the mapping's country first, when it names one) and every country."""
    everywhere = ZoneCatalogue(_("zones"))
    zone_catalogue = ZoneCatalogue(_("zones"), everywhere) if country else everywhere
    countries = Catalogue(_("countries"))
    full_names: dict[int, str] = {}
    for zone in zones:  # ordered by path: a parent comes before its children
        parent_name = full_names.get(zone.parent_id)
        full_names[zone.id] = f"{parent_name} > {zone.name}" if parent_name else zone.name
        depth = zone.path.count("/")
        parent = names.get(zone.parent_id, "")
        label = f"{zone.name} ({zone.get_level_display().lower()}{', ' + parent if parent else ''})"
        entry = Entry(zone.id, label, {"level": zone.level, "depth": depth, "name": zone.name})
        keys = [zone.name, zone.name_en, zone.iso_code, zone.official_code]
        keys += [alias for alias in zone.aliases.split(";")]
        # "Mali > Kayes > Bafoulabé", as the full export writes a zone.
        keys.append(full_names[zone.id])
        if zone.level == Zone.Level.COUNTRY:
            countries.add(Entry(zone.id, zone.name), *keys, zone.iso_numeric)
        everywhere.add(entry, *keys)
        if country is not None and zone.path.startswith(country.path):
            zone_catalogue.add(entry, *keys)
    return zone_catalogue, countries


def _named_catalogues() -> tuple[Catalogue, Catalogue, Catalogue, Catalogue]:
    """Themes, partners, networks and typologies, found by name, acronym or slug."""
    themes = Catalogue(_("themes"))
    for theme in Theme.objects.only("id", "name", "name_en", "slug"):
        themes.add(Entry(theme.id, theme.name), theme.name, theme.name_en, theme.slug)
    partners = Catalogue(_("partners"))
    for partner in Partner.objects.only("id", "name", "acronym", "slug"):
        partners.add(Entry(partner.id, str(partner)), partner.name, partner.acronym, partner.slug)
    networks = Catalogue(_("networks"))
    for network in Network.objects.only("id", "name", "acronym", "slug"):
        networks.add(Entry(network.id, str(network)), network.name, network.acronym, network.slug)
    typologies = Catalogue(_("typologies"))
    for typology in Typology.objects.only("id", "name", "name_en", "slug"):
        typologies.add(
            Entry(typology.id, typology.name), typology.name, typology.name_en, typology.slug
        )
    return themes, partners, networks, typologies


def _need_keys() -> dict[str, tuple[int, int | None]]:
    """Needs of the catalogue by "category" or "category/number": (category id, activity id)."""
    need_keys: dict[str, tuple[int, int | None]] = {}
    category_slugs = dict(NeedCategory.objects.values_list("id", "slug"))
    for category_id, slug in category_slugs.items():
        need_keys[slug] = (category_id, None)
    activities = NeedActivity.objects.values_list("id", "category_id", "position")
    for activity_id, category_id, position in activities:
        need_keys[f"{category_slugs[category_id]}/{position}"] = (category_id, activity_id)
    return need_keys
