"""Deterministic demo data: many organisations with their links, inserted in bulk.

Everything generated points at the Source with code ``demo``, so it can be told apart
from real records and removed (``demo.removal.delete_demo_data``) without touching
anything else. Random choices come from one ``random.Random(seed)`` walked in a fixed order
over catalogues read in a fixed order (``demo.catalogue``, ``demo.planner``): the same seed
on the same catalogues gives the same data.
"""

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Model

from common.bulk import TableWriter, reserve_ids
from common.collector import cycle_collector_paused
from demo.catalogue import demo_source, load_catalogue
from demo.planner import OrganisationPlanner, Plan
from needs.models import OrganisationNeed
from networks.models import Membership
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Partnership,
    Source,
)
from pagecache.stamp import directory_changed
from services.models import Schedule, Service

# Organisations are generated and inserted this many at a time, with their links.
CHUNK_SIZE = 5000


def generate(count: int, seed: int, chunk_size: int = CHUNK_SIZE) -> int:
    """Add ``count`` demo organisations with their links; return how many were created.

    Numbering continues after the demo organisations already there, and the random draws
    depend on the seed and that starting number: the same calls give the same data.
    """
    # Plans are many small dicts and lists: the cycle collector took 30 % of Python's time.
    with cycle_collector_paused(), transaction.atomic():
        directory_changed()  # once for the whole batch: COPY sends no signal
        source = demo_source()
        first = _next_demo_number(source)
        planner = OrganisationPlanner(load_catalogue(source), source, f"{seed}:{first}")
        writers = _Writers()
        chunks = [
            range(start, min(start + chunk_size, first + count))
            for start in range(first, first + count, chunk_size)
        ]
        with _references_checked_up_front(writers.tables):
            for plans in _planned_ahead(planner, chunks):
                writers.insert(plans)
    return count


def _planned_ahead(planner: OrganisationPlanner, chunks: list[range]) -> Iterator[list[Plan]]:
    """The chunks' plans, in order; the next chunk is planned in a thread while the caller
    writes this one, so that Python draws while the database stores (two cores busy
    instead of one). One thread plans every chunk in turn: the draws keep their order."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = None
        for numbers in chunks:
            following = pool.submit(_plan_chunk, planner, numbers)
            if ahead is not None:
                yield ahead.result()
            ahead = following
        if ahead is not None:
            yield ahead.result()


def _plan_chunk(planner: OrganisationPlanner, numbers: range) -> list[Plan]:
    return [planner.plan(number) for number in numbers]


@contextmanager
def _references_checked_up_front(tables: Iterable[tuple[type[Model], list[str]]]):
    """On PostgreSQL, as a superuser, check the written rows' references once up front
    instead of row by row at commit, which took half of the database's time.

    Every reference points either at a row this transaction writes (organisations,
    services) or at a catalogue row read at the start; those catalogue rows are locked
    against deletion (FOR KEY SHARE, the lock each row's check would take) before the
    per-row checks are switched off (``session_replication_role``) for this transaction
    only. That setting also silences ordinary triggers: with any on the written tables,
    or without the right to change it, every row is checked as before.
    """
    tables = list(tables)
    if not _may_skip_row_checks([model for model, _fields in tables]):
        yield
        return
    written = {model for model, _fields in tables}
    referenced = {
        field.related_model
        for model, fields in tables
        for field in map(model._meta.get_field, fields)
        if field.many_to_one and field.related_model not in written
    }
    quote = connection.ops.quote_name
    locks = [
        f"SELECT 1 FROM {quote(table)} FOR KEY SHARE"
        for table in sorted(model._meta.db_table for model in referenced)
    ]
    with connection.cursor() as cursor:
        cursor.execute("; ".join([*locks, "SET LOCAL session_replication_role = replica"]))
    yield
    # Not in a finally: after an error the transaction rolls back, which resets it anyway.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _may_skip_row_checks(models: list[type[Model]]) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('is_superuser') = 'on' AND NOT EXISTS ("
            " SELECT 1 FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[]))",
            [[model._meta.db_table for model in models]],
        )
        return cursor.fetchone()[0]


def _next_demo_number(source: Source) -> int:
    slugs = Organisation.objects.filter(source=source).values_list("slug", flat=True)
    return max((int(slug.rsplit("-", 1)[1]) for slug in slugs), default=0) + 1


class _Writers:
    """One TableWriter per table, with the columns the plans fill."""

    def __init__(self):
        # (model, fields) of every table written, in the order written.
        self.tables: list[tuple[type[Model], list[str]]] = []
        self.organisation = self._writer(Organisation, ["id", *ORGANISATION_FIELDS])
        self.links = {
            target: self._writer(model, ["organisation_id", f"{target}_id"])
            for target, model in LINK_MODELS.items()
        }
        self.need = self._writer(
            OrganisationNeed,
            ["organisation_id", "category_id", "activity_id", "is_public"],
        )
        self.channel = self._writer(
            ContactChannel,
            ["organisation_id", "kind", "value", "is_public", "position"],
        )
        self.person = self._writer(ContactPerson, ["organisation_id", *PERSON_FIELDS])
        self.service = self._writer(Service, ["id", "organisation_id", *SERVICE_FIELDS])
        self.service_links = {
            relation: self._writer(
                getattr(Service, relation).through,
                ["service_id", getattr(Service, relation).field.m2m_reverse_name()],
            )
            for relation in SERVICE_LINKS
        }
        self.schedule = self._writer(Schedule, ["service_id", "days", "opens_at", "closes_at"])

    def _writer(self, model: type[Model], fields: list[str]) -> TableWriter:
        self.tables.append((model, fields))
        return TableWriter(model, fields)

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
        self._insert_services(planned)

    def _insert_services(self, planned: list[tuple[int, Plan]]) -> None:
        services = [(pk, service) for pk, plan in planned for service in plan.services]
        placed = list(zip(reserve_ids(Service, len(services)), services, strict=True))
        self.service.insert(
            (service_id, pk, *(service.service[name] for name in SERVICE_FIELDS))
            for service_id, (pk, service) in placed
        )
        for relation, writer in self.service_links.items():
            writer.insert(
                (service_id, target_id)
                for service_id, (_pk, service) in placed
                for target_id in getattr(service, f"{relation[:-1]}_ids")
            )
        self.schedule.insert(
            (service_id, "MO,TU,WE,TH,FR", DEMO_OPENS_AT, DEMO_CLOSES_AT)
            for service_id, _service in placed
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
SERVICE_FIELDS = [
    "name",
    "name_en",
    "cost",
    "walk_in",
    "by_appointment",
    "by_referral",
    "by_phone",
    "status",
    "source_id",
]
# Service.<relation> and the ServicePlan attribute of its ids (relation without its "s").
SERVICE_LINKS = ("themes", "populations", "languages", "zones")
# As the bulk writer sends them, text both databases read as a time.
DEMO_OPENS_AT, DEMO_CLOSES_AT = "08:00:00", "16:00:00"
PERSON_FIELDS = [
    "name",
    "role",
    "phone",
    "email",
    "is_publishable",
    "consent_given_by",
    "consent_date",
]
