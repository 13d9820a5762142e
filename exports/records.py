"""Organisations and their parts, read in chunks for exports of any size.

An export walks the filtered queryset's primary keys in chunks; for each chunk it reads
the organisations' own columns in one query and each part (aliases, zones, channels…)
in one more query, then groups the rows in Python. The number of queries grows with
the number of chunks, never with the number of organisations, and memory holds the
list of primary keys and one chunk at a time. Which channels, persons and needs a part
holds is decided by ``organisations.visibility`` for the user the export is made for.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from needs.models import NeedActivity, NeedCategory
from needs.visibility import visible_needs
from networks.models import Membership, Network
from organisations.fields import Description, exported_fields
from organisations.models import (
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Theme,
    Typology,
    Zone,
)
from organisations.visibility import (
    visible_channels,
    visible_contact_persons,
)
from services.models import Language, PopulationGroup
from services.visibility import visible_services


def base_fields(fields: Description | None = None) -> tuple[str, ...]:
    """The organisation's own columns an export reads: every plain field of the description,
    and the keys its catalogue fields are looked up by."""
    plain = (described.source for described in exported_fields(fields) if described.plain)
    return ("id", *plain, "typology_id", "registration_country_id", "source__code")


BASE_FIELDS = base_fields()


def of_ids(queryset: QuerySet, ids: list[int], column: str = "organisation_id") -> QuerySet:
    """Rows of ``queryset`` whose ``column`` is one of ``ids``.

    On PostgreSQL the ids travel as one array parameter: preparing thousands of
    ``IN`` parameters one by one costs more than the query itself.
    """
    if connection.vendor == "postgresql":
        qualified = f'"{queryset.model._meta.db_table}"."{column}"'
        return queryset.filter(RawSQL(f"{qualified} = ANY(%s)", (ids,), BooleanField()))
    return queryset.filter(**{f"{column}__in": ids})


# Each part reads (organisation_id, *values) rows in the order of its own columns;
# orders that depend on a catalogue (a zone's path, a theme's position) are applied
# in Python by PART_ORDER, so that no part query joins another table.
def _service_links(*columns: str, **condition) -> Callable[[list[int], object], QuerySet]:
    """(organisation, service, *columns) of each visible service's links: one query."""
    return lambda ids, user: (
        of_ids(visible_services(user), ids)
        .filter(**condition)
        .order_by("pk")
        .values_list("organisation_id", "pk", *columns)
    )


def _service_channels(ids: list[int], user) -> QuerySet:
    """The visible services' own channels the user may see."""
    return (
        of_ids(visible_services(user), ids)
        .filter(channels__in=visible_channels(user))
        .order_by("pk", "channels__kind", "channels__position", "channels__pk")
        .values_list(
            "organisation_id", "pk", "channels__kind", "channels__value", "channels__label"
        )
    )


SERVICE_FIELDS = (
    "name",
    "name_en",
    "description",
    "description_en",
    "eligibility",
    "cost",
    "cost_detail",
    "walk_in",
    "by_appointment",
    "by_referral",
    "by_phone",
    "updated_at",
)

PARTS: dict[str, Callable[[list[int], object], QuerySet]] = {
    "aliases": lambda ids, user: (
        of_ids(OrganisationAlias.objects, ids)
        .order_by("name")
        .values_list("organisation_id", "name")
    ),
    "identifiers": lambda ids, user: (
        of_ids(OrganisationIdentifier.objects, ids)
        .order_by("scheme", "value")
        .values_list("organisation_id", "scheme", "value")
    ),
    "zones": lambda ids, user: (
        of_ids(OrganisationZone.objects, ids).order_by().values_list("organisation_id", "zone_id")
    ),
    "themes": lambda ids, user: (
        of_ids(OrganisationTheme.objects, ids).order_by().values_list("organisation_id", "theme_id")
    ),
    "partners": lambda ids, user: (
        of_ids(Partnership.objects, ids)
        .order_by()
        .values_list("organisation_id", "partner_id", "description")
    ),
    "networks": lambda ids, user: (
        of_ids(Membership.objects, ids)
        .order_by()
        .values_list("organisation_id", "network_id", "role", "since_year")
    ),
    "offices": lambda ids, user: (
        of_ids(Office.objects, ids)
        .order_by("kind", "pk")
        .values_list("organisation_id", "kind", "address", "zone_id")
    ),
    "channels": lambda ids, user: (
        of_ids(visible_channels(user), ids)
        .order_by("kind", "position", "pk")
        .values_list(
            "organisation_id",
            "kind",
            "value",
            "is_public",
            "label",
            "to_verify",
            "verification_note",
        )
    ),
    "services": lambda ids, user: (
        of_ids(visible_services(user), ids)
        .order_by("name", "pk")
        .values_list("organisation_id", "pk", *SERVICE_FIELDS)
    ),
    "service_populations": _service_links("populations", populations__isnull=False),
    "service_languages": _service_links("languages", languages__isnull=False),
    "service_themes": _service_links("themes", themes__isnull=False),
    "service_zones": _service_links("zones", zones__isnull=False),
    "service_offices": _service_links("offices__kind", "offices__address", offices__isnull=False),
    "service_schedules": _service_links(
        "schedules__pk",
        "schedules__days",
        "schedules__opens_at",
        "schedules__closes_at",
        "schedules__note",
        "schedules__office__kind",
        "schedules__office__address",
        schedules__isnull=False,
    ),
    "service_channels": _service_channels,
    "persons": lambda ids, user: (
        of_ids(visible_contact_persons(user), ids)
        .order_by("name", "pk")
        .values_list(
            "organisation_id",
            "name",
            "role",
            "phone",
            "phone_other",
            "email",
            "is_publishable",
            "consent_given_by",
            "consent_date",
            "notes",
        )
    ),
    "needs": lambda ids, user: (
        of_ids(visible_needs(user), ids)
        .order_by("pk")
        .values_list(
            "organisation_id",
            "category_id",
            "activity_id",
            "is_public",
            "priority",
            "status",
            "support_given",
            "support_partner_id",
            "support_date",
            "notes",
        )
    ),
}

PART_ORDER: dict[str, Callable[["ExportLookups", tuple], object]] = {
    "zones": lambda catalogues, row: catalogues.zones[row[0]].path,
    "themes": lambda catalogues, row: catalogues.theme_order[row[0]],
    "partners": lambda catalogues, row: (catalogues.partners[row[0]][1], row[0]),
    "networks": lambda catalogues, row: (catalogues.networks[row[0]][1], row[0]),
    "needs": lambda catalogues, row: catalogues.need_order(row[0], row[1]),
}


@dataclass(frozen=True, slots=True)
class ZoneEntry:
    id: int
    name: str
    level: str
    iso_code: str
    official_code: str
    parent_id: int | None
    path: str


class ExportLookups:
    """The small reference tables, read once per export and shared by every row: what the
    ids of a record's parts stand for (codes, names, paths, display order)."""

    @cached_property
    def zones(self) -> dict[int, ZoneEntry]:
        rows = Zone.objects.values_list(
            "id", "name", "level", "iso_code", "official_code", "parent_id", "path"
        )
        return {row[0]: ZoneEntry(*row) for row in rows}

    def zone_chain(self, zone_id: int) -> list[ZoneEntry]:
        """The zone's ancestors from the country down, then the zone itself."""
        chain = []
        entry = self.zones.get(zone_id)
        while entry is not None:
            chain.append(entry)
            entry = self.zones.get(entry.parent_id) if entry.parent_id else None
        return chain[::-1]

    def zone_path(self, zone_id: int) -> str:
        return " > ".join(entry.name for entry in self.zone_chain(zone_id))

    def zone_at_level(self, zone_id: int, level: str) -> ZoneEntry | None:
        return next((e for e in self.zone_chain(zone_id) if e.level == level), None)

    @cached_property
    def _theme_rows(self) -> list[tuple]:
        return list(Theme.objects.values_list("id", "slug", "name", "position"))

    @cached_property
    def themes(self) -> dict[int, tuple[str, str]]:
        return {pk: (slug, name) for pk, slug, name, _position in self._theme_rows}

    @cached_property
    def theme_order(self) -> dict[int, tuple[int, str]]:
        return {pk: (position, name) for pk, _slug, name, position in self._theme_rows}

    @cached_property
    def networks(self) -> dict[int, tuple[str, str]]:
        rows = Network.objects.values_list("id", "slug", "name")
        return {pk: (slug, name) for pk, slug, name in rows}

    @cached_property
    def partners(self) -> dict[int, tuple[str, str, str]]:
        rows = Partner.objects.values_list("id", "slug", "name", "acronym")
        return {pk: (slug, name, acronym) for pk, slug, name, acronym in rows}

    @cached_property
    def typologies(self) -> dict[int, tuple[str, str]]:
        rows = Typology.objects.values_list("id", "slug", "name")
        return {pk: (slug, name) for pk, slug, name in rows}

    @cached_property
    def populations(self) -> dict[int, tuple[str, str]]:
        """People served: id -> (slug, name)."""
        return {p.pk: (p.slug, p.name) for p in PopulationGroup.objects.all()}

    @cached_property
    def languages(self) -> dict[int, tuple[str, str]]:
        """id -> (ISO 639 code, name)."""
        return {lang.pk: (lang.code, lang.name) for lang in Language.objects.all()}

    @cached_property
    def need_categories(self) -> dict[int, tuple[str, int]]:
        rows = NeedCategory.objects.values_list("id", "slug", "position")
        return {pk: (slug, position) for pk, slug, position in rows}

    @cached_property
    def need_activities(self) -> dict[int, int]:
        return dict(NeedActivity.objects.values_list("id", "position"))

    def need_order(self, category_id: int, activity_id: int | None) -> tuple[int, int]:
        activity = -1 if activity_id is None else self.need_activities[activity_id]
        return (self.need_categories[category_id][1], activity)

    def need_key(self, category_id: int, activity_id: int | None) -> str:
        """``category-slug`` or ``category-slug/position`` for one activity of it."""
        slug = self.need_categories[category_id][0]
        if activity_id is None:
            return slug
        return f"{slug}/{self.need_activities[activity_id]}"


@dataclass(slots=True)
class OrganisationRecord:
    """One organisation's columns (``fields``) and the rows of each part read."""

    fields: dict
    parts: dict[str, list[tuple]]
    # What several columns derive from the same part, computed once (see layouts).
    derived: dict = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.fields[name]

    def part(self, name: str) -> list[tuple]:
        return self.parts.get(name, [])


def chunk_size() -> int:
    # SQLite caps the number of query parameters; PostgreSQL takes bigger chunks.
    limit = connection.features.max_query_params or 5000
    return min(2000, limit - 50)


def organisation_records(
    queryset: QuerySet[Organisation], user, parts: Iterable[str], catalogues: ExportLookups
) -> Iterator[OrganisationRecord]:
    """Each organisation of ``queryset``, in its order, with the ``parts`` asked for.

    ``queryset`` must already be restricted to what ``user`` may see.
    """
    ids = list(queryset.values_list("pk", flat=True))
    return records_of_ids(ids, user, parts, catalogues)


def records_of_ids(
    ids: list[int], user, parts: Iterable[str], catalogues: ExportLookups
) -> Iterator[OrganisationRecord]:
    """The organisations ``ids`` names, in that order, with the ``parts`` asked for (the
    ids must be of organisations ``user`` may see)."""
    parts = list(parts)
    unknown = set(parts) - PARTS.keys()
    if unknown:
        raise ValueError(f"Unknown parts: {sorted(unknown)}")
    size = chunk_size()
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)]

    def read(chunk: list[int]) -> tuple[dict, dict]:
        own_columns = of_ids(Organisation.objects, chunk, "id").values(*BASE_FIELDS)
        base = {row["id"]: row for row in own_columns}
        grouped = {name: _group(PARTS[name](chunk, user)) for name in parts}
        for name, by_organisation in grouped.items():
            if name in PART_ORDER:
                order = PART_ORDER[name]
                for rows in by_organisation.values():
                    rows.sort(key=lambda row, order=order: order(catalogues, row))
        return base, grouped

    for chunk, (base, grouped) in zip(chunks, _read_ahead(read, chunks), strict=True):
        for pk in chunk:
            yield OrganisationRecord(
                fields=base[pk],
                parts={name: rows.get(pk, []) for name, rows in grouped.items()},
            )


READ_AHEAD_THREAD = "export-read-ahead"


def _read_ahead(read: Callable[[list[int]], tuple], chunks: list[list[int]]) -> Iterator[tuple]:
    """``read(chunk)`` for each chunk, the next one read in another thread (with its own
    database connection) while the caller writes out this one: the database's time
    overlaps the formatting's.

    In turn, in this thread, inside a transaction: another connection would not see
    its uncommitted rows (a test's, or a caller's own).
    """
    if connection.in_atomic_block or len(chunks) < 2:
        yield from map(read, chunks)
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=READ_AHEAD_THREAD)
    coming = pool.submit(read, chunks[0])
    try:
        for following in chunks[1:]:
            current, coming = coming.result(), pool.submit(read, following)
            yield current
        yield coming.result()
    finally:
        coming.cancel()
        pool.submit(connection.close)  # the reading thread's own connection
        pool.shutdown(wait=True)


def _group(rows: Iterable[tuple]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row[1:])
    return grouped
