"""The 3W file (who does what, where) in long form, for humanitarian tools.

The HXL export joins an organisation's zones and themes in one cell, which libhxl, the HXL
Proxy or HDX's 3W dashboards cannot count. Here each row is one organisation × place ×
theme, with the hashtag row under the header, so a tool counts organisations per region
by counting distinct ``#org +code`` per ``#adm1 +code``.

- A place is a (country, region, cercle) triple: a zone recorded below a cercle (commune,
  locality) is given as its cercle; one recorded at region level (or a territory under a
  region) has an empty ``#adm2``; one at country level has empty ``#adm1`` and ``#adm2``.
  Places are given once each, in the zone tree's order.
- An organisation with no zone gives one row with empty places and, as country, its
  country of registration (empty when unknown); one with no theme gives its rows with an
  empty ``#sector``, so that every organisation of the list is counted.
- Codes: the zone's official code (OCHA P-code) when recorded, else its ISO 3166 code
  (ISO 3166-2 for regions: ``ML-1``); cercles without a P-code have an empty code.
"""

from collections.abc import Iterator

from exports.records import ExportLookups, OrganisationRecord, ZoneEntry, records_of_ids
from organisations.models import Zone

HEADINGS = (
    "organisation",
    "organisation_code",
    "organisation_type",
    "sector",
    "country_code",
    "adm1_code",
    "adm1_name",
    "adm2_code",
    "adm2_name",
)
HXL_TAGS = (
    "#org +name",
    "#org +code",
    "#org +type",
    "#sector",
    "#country +code",
    "#adm1 +code",
    "#adm1 +name",
    "#adm2 +code",
    "#adm2 +name",
)

Place = tuple[ZoneEntry | None, ZoneEntry | None, ZoneEntry | None]  # country, region, cercle


def _code(entry: ZoneEntry | None) -> str:
    return (entry.official_code or entry.iso_code) if entry else ""


def _name(entry: ZoneEntry | None) -> str:
    return entry.name if entry else ""


def _places(record: OrganisationRecord, catalogues: ExportLookups) -> list[Place]:
    places: list[Place] = []
    for (zone_id,) in record.part("zones"):  # in the tree's order (records.PART_ORDER)
        levels = {entry.level: entry for entry in catalogues.zone_chain(zone_id)}
        place = (
            levels.get(Zone.Level.COUNTRY),
            levels.get(Zone.Level.REGION),
            levels.get(Zone.Level.CERCLE),
        )
        if place not in places:
            places.append(place)
    if not places:
        country_id = record["registration_country_id"]
        places.append((catalogues.zones[country_id] if country_id else None, None, None))
    return places


def three_w_rows(ids: list[int], catalogues: ExportLookups) -> Iterator[list[str]]:
    """The rows of the published organisations ``ids`` (public data only)."""
    for record in records_of_ids(ids, None, ("zones", "themes"), catalogues):
        typology_id = record["typology_id"]
        organisation = [
            record["name"],
            record["slug"],
            catalogues.typologies[typology_id][1] if typology_id else "",
        ]
        sectors = [catalogues.themes[theme_id][1] for (theme_id,) in record.part("themes")]
        for country, region, cercle in _places(record, catalogues):
            place = [_code(country), _code(region), _name(region), _code(cercle), _name(cercle)]
            for sector in sectors or [""]:
                yield [*organisation, sector, *place]
