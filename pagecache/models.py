from django.db import models


class DataVersion(models.Model):
    """One row whose number goes up on every write to the directory's data.

    Cached public pages are keyed on it, so a write makes them all stale at once, in
    every server process (the number lives in the database, not in a process's cache).
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)
