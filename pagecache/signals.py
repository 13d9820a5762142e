"""Every write through the ORM to the directory's models bumps the data version.

Bulk writers that send no signal (bulk_create, QuerySet.update, COPY) call
``pagecache.stamp.directory_changed()`` once per batch themselves; a survey import (and
its undo) saves its ImportBatch in the same transaction as its bulk writes, which bumps
the version once for the whole file.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from pagecache.stamp import directory_changed

# The apps whose data public pages show.
WATCHED_APPS = {"organisations", "networks", "needs", "services"}


WATCHED_MODELS = {"surveys.importbatch"}


# Rows that belong to one organisation (its ``organisation_id``); a write to any other
# watched row (a catalogue entry: a theme, a zone, a network…) may concern them all.
ORGANISATION_PARTS = {
    "organisations.contactchannel",
    "organisations.contactperson",
    "organisations.office",
    "organisations.organisationalias",
    "organisations.organisationidentifier",
    "organisations.organisationzone",
    "organisations.organisationtheme",
    "organisations.partnership",
    "networks.membership",
    "needs.organisationneed",
    "services.service",
}


def _organisation_of(instance) -> int | None:
    """The organisation a written row belongs to; None when it may concern any."""
    label = instance._meta.label_lower
    if label == "organisations.organisation":
        return instance.pk
    return instance.organisation_id if label in ORGANISATION_PARTS else None


def _watched(sender) -> bool:
    return sender._meta.app_label in WATCHED_APPS or sender._meta.label_lower in WATCHED_MODELS


def _on_write(sender, instance=None, **kwargs) -> None:
    if not _watched(sender) or getattr(instance, "history_id", None) is not None:
        return  # a history row: the write it records signalled itself
    organisation = _organisation_of(instance) if instance is not None else None
    directory_changed(None if organisation is None else [organisation])


def _on_m2m(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        _on_write(sender, instance)


post_save.connect(_on_write, dispatch_uid="pagecache-post-save")
post_delete.connect(_on_write, dispatch_uid="pagecache-post-delete")
m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")
