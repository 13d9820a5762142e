"""Undo a whole survey import: what it created is deleted and what it changed restored, all
or nothing, unless someone edited those records after it."""

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from needs.models import OrganisationNeed
from networks.models import Membership, Network
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Source,
    Theme,
)
from services.models import Service
from surveys.applying import BATCH_SIZE, _label
from surveys.models import ImportBatch
from surveys.planning.services import LINKED
from surveys.writing_services import record_links


class UndoRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# Deleted in this order: parts first, then organisations, then catalogue entries.
_UNDO_ORDER = [
    OrganisationNeed,
    Office,
    OrganisationIdentifier,
    ContactPerson,
    ContactChannel,
    OrganisationAlias,
    Membership,
    Partnership,
    OrganisationTheme,
    OrganisationZone,
    # Services' links (those an import added to services it did not create, too).
    *(getattr(Service, relation).through for relation in LINKED),
    Service,
    Organisation,
    Network,
    Partner,
    Theme,
]


def undo_conflicts(batch: ImportBatch) -> list[str]:
    """Records of the import that someone changed afterwards (undo would lose that edit)."""
    reasons: list[str] = []
    labels = {}
    touched: dict[str, set[int]] = {label: set(batch.created_ids(label)) for label in batch.created}
    for label, before in batch.updated.items():
        touched.setdefault(label, set()).update(int(pk) for pk in before)
    for label, ids in touched.items():
        model = apps.get_model(label)
        if not hasattr(model, "history"):
            continue
        later = _later_history(model, "id", sorted(ids), batch.applied_at)
        if later:
            labels.setdefault(model, set()).update(later)
    org_ids = batch.created_ids(_label(Organisation))
    org_ids += [int(pk) for pk in batch.updated.get(_label(Organisation), {})]
    for relation in Organisation._meta.related_objects:
        model = relation.related_model
        if hasattr(model, "history") and relation.field.name == "organisation":
            later = _later_history(model, "organisation_id", org_ids, batch.applied_at)
            if later:
                labels.setdefault(Organisation, set()).update(later)
    org_names = dict(
        Organisation.objects.filter(pk__in=labels.get(Organisation, set())).values_list(
            "pk", "name"
        )
    )
    for model, ids in labels.items():
        if model is Organisation:
            for pk in sorted(ids):
                reasons.append(
                    _("“%(name)s” was edited after this import.") % {"name": org_names.get(pk, pk)}
                )
        else:
            reasons.append(
                _("%(count)s %(model)s of this import were edited after it.")
                % {"count": len(ids), "model": model._meta.verbose_name_plural}
            )
    return reasons


def _later_history(model, column: str, ids: list[int], since) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = model.history.filter(**{f"{column}__in": chunk, "history_date__gt": since})
        key = "organisation_id" if column == "organisation_id" else "id"
        found.update(rows.values_list(key, flat=True))
    return found


def undo_batch(batch: ImportBatch, user) -> None:
    """Remove what the import created and restore what it changed, all or nothing."""
    if batch.status == ImportBatch.Status.UNDONE:
        raise UndoRefused([_("This import was already undone.")])
    now = timezone.now()
    reason = f"Undo of survey import #{batch.pk}"[:100]
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportBatch.Status.UNDONE:
            raise UndoRefused([_("This import was already undone.")])
        reasons = undo_conflicts(locked)
        if reasons:
            raise UndoRefused(reasons)
        for model in _UNDO_ORDER:
            ids = locked.created_ids(_label(model))
            if model in (Service, Organisation):
                _restore(model, locked, user, now, reason)
            if model is Service:
                restored = [int(pk) for pk in locked.updated.get(_label(Service), {})]
                record_links(restored, now, reason)
            _delete(model, ids, user, now, reason)
        locked.status = ImportBatch.Status.UNDONE
        locked.undone_at = now
        locked.undone_by = user
        created_source = locked.created_ids(_label(Source))
        if created_source and not _in_use(created_source[0], locked):
            locked.source = None
        locked.save(update_fields=["status", "undone_at", "undone_by", "source"])
        if created_source and locked.source is None:
            Source.objects.filter(pk=created_source[0]).delete()
    batch.refresh_from_db()


def _in_use(source_id: int, batch: ImportBatch) -> bool:
    """Something besides what this import wrote names the source it created (a later import
    of the same mapping, a staff edit): then the source stays."""
    for relation in Source._meta.related_objects:
        if not relation.field.db_constraint:  # history rows keep what was, deleted or not
            continue
        records = relation.related_model._default_manager.filter(
            **{relation.field.attname: source_id}
        )
        if relation.related_model is ImportBatch:
            records = records.exclude(pk=batch.pk)
        if records.exists():
            return True
    return False


def _restore(model, batch: ImportBatch, user, now, reason: str) -> None:
    """Organisations or services the import changed, back to their saved values."""
    before = batch.updated.get(_label(model), {})
    if not before:
        return
    records = model.objects.in_bulk([int(pk) for pk in before])
    fields: set[str] = {"updated_at"}
    for pk, values in before.items():
        record = records[int(pk)]
        for attname, value in values.items():
            if attname == "version":
                continue
            setattr(record, attname, value)
            fields.add(attname)
        if model is Organisation:
            # A restore is a new edit: the version moves on, so stale forms are still refused.
            record.version += 1
            fields.add("version")
        record.updated_at = now
    bulk_update_with_history(
        list(records.values()),
        model,
        sorted(fields),
        batch_size=BATCH_SIZE,
        default_user=user,
        default_change_reason=reason,
        default_date=now,
    )


def _delete(model, ids: list[int], user, now, reason: str) -> None:
    """Delete in bulk and write the "deleted" history rows ourselves.

    Signals are skipped on purpose: they would write history and refresh search_text
    one row at a time, and the search_text of restored organisations comes back from
    the saved values.
    """
    for start in range(0, len(ids), 5000):
        queryset = model.objects.filter(pk__in=ids[start : start + 5000])
        if hasattr(model, "history"):
            history_model = model.history.model
            history_model.objects.bulk_create(
                [
                    history_model(
                        history_date=now,
                        history_user=user,
                        history_change_reason=reason,
                        history_type="-",
                        **{
                            f.attname: getattr(obj, f.attname) for f in history_model.tracked_fields
                        },
                    )
                    for obj in queryset
                ],
                batch_size=BATCH_SIZE,
            )
        queryset._raw_delete(queryset.db)
