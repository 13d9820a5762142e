"""Writing the services of an applied plan (surveys.planning.services), in bulk like the
rest of the import (surveys.applying): new services and their history rows, changed ones
updated with theirs, the links added, and for each history row written the list of its
links that django-simple-history keeps (Service.history's m2m_fields)."""

from django.db import connection
from simple_history.utils import bulk_update_with_history

from common.bulk import TableWriter
from services.models import Service
from surveys.planning.plan import Action
from surveys.planning.services import LINKED, PlannedService

# Every relation a service's history rows list (Service.history's m2m_fields).
HISTORY_RELATIONS = (*LINKED, "channels", "offices")

LABEL = Service._meta.label


def write_services(writer) -> None:
    """``writer`` is the import's surveys.applying._Writer, organisations written."""
    planned = [
        (writer.org_ids[row.row], service)
        for row in writer.plan.rows
        if row.row in writer.org_ids
        for service in row.links.get("services", [])
        if service.action != Action.UNCHANGED
    ]
    if not planned:
        return
    new = [(org_id, service) for org_id, service in planned if service.service_id is None]
    records = [
        {"organisation_id": org_id, "source_id": writer.source_id, **service.values}
        for org_id, service in new
    ]
    for (_org_id, service), pk in zip(new, writer._create(Service, records), strict=True):
        service.service_id = pk
    services = [service for _org_id, service in planned]
    _update(writer, [service for service in services if service.action == Action.UPDATE])
    _add_links(writer, services)
    record_links([service.service_id for service in services], writer.now, writer.inserter.reason)


def _update(writer, services: list[PlannedService]) -> None:
    """Set the changed values; a service that only gains links gets a history row too."""
    if not services:
        return
    current = {}
    ids = [service.service_id for service in services]
    for chunk in _chunks(ids):
        current.update(Service.objects.in_bulk(chunk))
    before: dict[str, dict] = {}
    fields = {"updated_at"}
    for service in services:
        obj = current[service.service_id]
        before[str(obj.pk)] = {attname: getattr(obj, attname) for attname in service.values}
        for attname, value in service.values.items():
            setattr(obj, attname, value)
            fields.add(attname)
        obj.updated_at = writer.now
    objects = list(current.values())
    if connection.features.can_return_rows_from_bulk_insert:
        writer.inserter.update_with_history(Service, objects, sorted(fields))
    else:
        bulk_update_with_history(objects, Service, sorted(fields), **writer.history)
    writer.updated[LABEL] = before


def _add_links(writer, services: list[PlannedService]) -> None:
    """The links each service gains; the import's list of created rows holds them, so that
    undoing it removes them."""
    for relation in LINKED:
        target = getattr(Service, relation).field.m2m_reverse_name()
        records = [
            {"service_id": service.service_id, target: entry_id}
            for service in services
            for entry_id in service.links.get(relation, [])
        ]
        writer._create(getattr(Service, relation).through, records)


def record_links(service_ids: list[int], now, reason: str) -> None:
    """The history rows written at ``now`` with ``reason`` for these services list their
    links as they are (django-simple-history writes them on each save; bulk writes do not)."""
    history_ids: dict[int, int] = {}
    for chunk in _chunks(service_ids):
        rows = Service.history.filter(id__in=chunk, history_date=now, history_change_reason=reason)
        history_ids.update(rows.values_list("id", "history_id"))
    ids = sorted(history_ids)
    for relation in HISTORY_RELATIONS if ids else ():
        through = getattr(Service, relation).through
        target = getattr(Service, relation).field.m2m_reverse_name()
        model = getattr(Service.history.model, relation).model
        writer = TableWriter(model, ["id", "service_id", target, "history_id"], now=now)
        for chunk in _chunks(ids):
            links = through.objects.filter(service_id__in=chunk).order_by("pk")
            writer.insert(
                (pk, service_id, entry_id, history_ids[service_id])
                for pk, service_id, entry_id in links.values_list("id", "service_id", target)
            )


def _chunks(values: list, size: int = 5000):
    for start in range(0, len(values), size):
        yield values[start : start + size]
