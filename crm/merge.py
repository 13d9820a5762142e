"""Merge a duplicate organisation into the record that is kept.

Every part of the duplicate (zones, themes, contacts, channels, offices, memberships,
partnerships, needs, identifiers, interactions, assignments and any other row that
points at it) moves to the kept record, each saved on its own so its history follows
it. A part the kept record already has (same zone, same phone…) is not doubled: its
blank fields are filled from the duplicate's, then the duplicate's copy is deleted.
The duplicate's name and acronym become other names of the kept record, and the
duplicate itself is archived, not deleted: its own fields stay readable and its
history says where it went. All of it happens in one transaction.
"""

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.translation import gettext as _

from common.text import fold
from organisations.models import Organisation, OrganisationAlias

# Parts whose uniqueness per organisation depends on a condition the generic rule
# below cannot read: one need per category without activity, one per activity.
PART_KEYS = {
    "needs.organisationneed": ("category_id", "activity_id"),
}


class MergeError(Exception):
    pass


@dataclass
class MergeResult:
    moved: dict[str, int] = field(default_factory=dict)
    combined: dict[str, int] = field(default_factory=dict)
    aliases_added: list[str] = field(default_factory=list)


@transaction.atomic
def merge_organisations(kept: Organisation, duplicate: Organisation, user=None) -> MergeResult:
    if kept.pk == duplicate.pk:
        raise MergeError(_("Choose two different organisations."))
    locked = Organisation.objects.select_for_update().in_bulk([kept.pk, duplicate.pk])
    kept, duplicate = locked[kept.pk], locked[duplicate.pk]
    for organisation in (kept, duplicate):
        if organisation.status == Organisation.Status.ARCHIVED:
            raise MergeError(_("“%(name)s” is archived.") % {"name": organisation})

    result = MergeResult()
    for relation in Organisation._meta.related_objects:
        if relation.one_to_one:
            _move_one_to_one(relation, kept, duplicate, user)
        elif relation.one_to_many:
            _move_parts(relation, kept, duplicate, user, result)
        elif relation.many_to_many:
            _move_many_to_many(relation, kept, duplicate, result)

    for name in [duplicate.name, duplicate.acronym]:
        if _add_alias(kept, name, user):
            result.aliases_added.append(name)

    duplicate.status = Organisation.Status.ARCHIVED
    _save(duplicate, user, _("Merged into “%(name)s” (#%(id)s)") % {"name": kept, "id": kept.pk})
    _save(
        kept,
        user,
        _("Merged “%(name)s” (#%(id)s) into this record") % {"name": duplicate, "id": duplicate.pk},
    )
    return result


def _save(instance, user, reason=None):
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.save()


def _move_one_to_one(relation, kept, duplicate, user):
    part = relation.related_model.objects.filter(**{relation.field.name: duplicate}).first()
    if part is None:
        return
    if relation.related_model.objects.filter(**{relation.field.name: kept}).exists():
        raise MergeError(
            _("Both organisations have a %(part)s; unlink one of them first.")
            % {"part": relation.related_model._meta.verbose_name}
        )
    setattr(part, relation.field.name, kept)
    _save(part, user)


def _move_parts(relation, kept, duplicate, user, result):
    model = relation.related_model
    fk_name = relation.field.name
    label = str(model._meta.verbose_name_plural)
    keys = _part_keys(model, fk_name)
    existing = {
        key: part
        for part in model.objects.filter(**{fk_name: kept})
        for key in _keys_of(part, keys)
    }
    for part in model.objects.filter(**{fk_name: duplicate}).order_by("pk"):
        twin = next((existing[k] for k in _keys_of(part, keys) if k in existing), None)
        if twin is None:
            setattr(part, fk_name, kept)
            _save(part, user)
            result.moved[label] = result.moved.get(label, 0) + 1
        else:
            if _fill_blanks(twin, part, fk_name):
                _save(twin, user)
            part._history_user = user
            part.delete()
            result.combined[label] = result.combined.get(label, 0) + 1


def _part_keys(model, fk_name) -> list[tuple[str, ...]]:
    """The field sets that must be unique per organisation for this part."""
    if model._meta.label_lower in PART_KEYS:
        return [PART_KEYS[model._meta.label_lower]]
    keys = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk_name in constraint.fields:
            if constraint.condition is not None:
                raise MergeError(
                    _("Cannot merge %(parts)s automatically.")
                    % {"parts": model._meta.verbose_name_plural}
                )
            keys.append(
                tuple(model._meta.get_field(f).attname for f in constraint.fields if f != fk_name)
            )
    for together in model._meta.unique_together:
        if fk_name in together:
            keys.append(tuple(model._meta.get_field(f).attname for f in together if f != fk_name))
    return keys


def _keys_of(part, keys):
    return [(key, tuple(getattr(part, attname) for attname in key)) for key in keys]


def _fill_blanks(target, source, fk_name) -> bool:
    changed = False
    for model_field in target._meta.concrete_fields:
        if model_field.primary_key or model_field.name == fk_name or not model_field.editable:
            continue
        current = getattr(target, model_field.attname)
        incoming = getattr(source, model_field.attname)
        if current in (None, "") and incoming not in (None, ""):
            setattr(target, model_field.attname, incoming)
            changed = True
    return changed


def _move_many_to_many(relation, kept, duplicate, result):
    accessor = relation.get_accessor_name()
    related = list(getattr(duplicate, accessor).all())
    if related:
        getattr(kept, accessor).add(*related)
        getattr(duplicate, accessor).clear()
        label = str(relation.related_model._meta.verbose_name_plural)
        result.moved[label] = result.moved.get(label, 0) + len(related)


def _add_alias(kept, name, user) -> bool:
    folded = fold(name)
    if not folded or folded in {fold(kept.name), fold(kept.acronym)}:
        return False
    if any(fold(alias) == folded for alias in kept.aliases.values_list("name", flat=True)):
        return False
    alias = OrganisationAlias(organisation=kept, name=name)
    _save(alias, user)
    return True
