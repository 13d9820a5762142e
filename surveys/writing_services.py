"""Writing the services of an applied plan (surveys.planning.services), in bulk like the
rest of the import (surveys.applying): new services and their history rows, changed ones
updated with theirs, the links added, and for each history row written the list of its
links that django-simple-history keeps (Service.history's m2m_fields)."""

from django.db import connection
from simple_history.utils import bulk_update_with_history

from services.models import Service
from surveys.planning.plan import Action
from surveys.planning.services import HISTORY_RELATIONS, LINKED, PlannedService

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
    added = _add_links(writer, services)
    _record_links(writer, services, added)


def _update(writer, services: list[PlannedService]) -> None:
    """Set the changed values; a service that only gains links gets a history row too."""
    if not services:
        return
    current = {}
    ids = [service.service_id for service in services]
    for start in range(0, len(ids), 5000):
        current.update(Service.objects.in_bulk(ids[start : start + 5000]))
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


def _add_links(writer, services: list[PlannedService]) -> dict[int, dict[str, list[tuple]]]:
    """The links each service gains, (link id, entry id) by relation; the import's list
    of created rows holds them, so that undoing it removes them."""
    added: dict[int, dict[str, list[tuple]]] = {}
    for relation in LINKED:
        through = getattr(Service, relation).through
        target = getattr(Service, relation).field.m2m_reverse_name()
        pairs = [
            (service.service_id, entry_id)
            for service in services
            for entry_id in service.links.get(relation, [])
        ]
        records = [{"service_id": pk, target: entry_id} for pk, entry_id in pairs]
        for (pk, entry_id), link_id in zip(pairs, writer._create(through, records), strict=True):
            added.setdefault(pk, {}).setdefault(relation, []).append((link_id, entry_id))
    return added


def _record_links(writer, services: list[PlannedService], added) -> None:
    """Each history row written now lists the service's links after the import."""
    ids = [service.service_id for service in services]
    history_ids: dict[int, int] = {}
    for start in range(0, len(ids), 5000):
        rows = Service.history.filter(
            id__in=ids[start : start + 5000],
            history_date=writer.now,
            history_change_reason=writer.inserter.reason,
        )
        history_ids.update(rows.values_list("id", "history_id"))
    for relation in HISTORY_RELATIONS:
        model = getattr(Service.history.model, relation).model
        target = getattr(Service, relation).field.m2m_reverse_name()
        records = [
            {"id": link_id, "service_id": service.service_id, target: entry_id, "history_id": hid}
            for service in services
            if (hid := history_ids.get(service.service_id))
            for link_id, entry_id in (
                service.current_links.get(relation, [])
                + added.get(service.service_id, {}).get(relation, [])
            )
        ]
        if not records:
            continue
        if connection.features.can_return_rows_from_bulk_insert:
            writer.inserter.insert(model, records)
        else:
            model.objects.bulk_create([model(**record) for record in records])
