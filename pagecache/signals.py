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


def _on_write(sender, **kwargs) -> None:
    if sender._meta.app_label in WATCHED_APPS or sender._meta.label_lower in WATCHED_MODELS:
        directory_changed()


def _on_m2m(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        _on_write(sender)


post_save.connect(_on_write, dispatch_uid="pagecache-post-save")
post_delete.connect(_on_write, dispatch_uid="pagecache-post-delete")
m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")
