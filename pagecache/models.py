from django.db import models


class DataVersion(models.Model):
    """One row whose number goes up on every write to the directory's data.

    Cached public pages are keyed on it, so a write makes them all stale at once, in
    every server process (the number lives in the database, not in a process's cache).
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)


class Change(models.Model):
    """Which organisations a committed write touched, under the version it made.

    In-memory structures built from the data (directory/facet_index.py) read the changes
    since the version they hold and update those organisations only. An empty
    ``organisation_id`` says something else changed (a catalogue entry, a bulk write
    that names no organisation): they are read again whole. Old rows are pruned; a
    structure older than the oldest kept version is read again whole too.
    """

    version = models.BigIntegerField(db_index=True)
    # Not a foreign key: a deleted organisation's removal is a change too.
    organisation_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.version}: {self.organisation_id or '*'}"
