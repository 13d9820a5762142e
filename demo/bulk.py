"""Fast inserts of many plain rows: COPY on PostgreSQL, one executemany elsewhere.

``bulk_create`` builds a model instance and prepares every field of every row in Python,
which dominates the time of a 50,000-organisation run. Here rows are tuples of ready
database values; columns not given take their model default, prepared once per table.
"""

import io
import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext

from django.db import connection, models
from django.utils import timezone


class TableWriter:
    def __init__(self, model: type[models.Model], fields: Sequence[str]):
        meta = model._meta
        given = [meta.get_field(name) for name in fields]
        defaulted = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
        now = timezone.now()
        self.table = meta.db_table
        self.columns = [f.column for f in given + defaulted]
        self.defaults = tuple(_default(field, now) for field in defaulted)
        # The same on every line of a COPY: converted once.
        self.copy_defaults = "".join("\t" + _copy_text(value) for value in self.defaults) + "\n"

    def insert(self, rows: Iterable[tuple]) -> None:
        rows = list(rows)
        if not rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {quote(self.table)} ({columns}) FROM STDIN"
                tail = self.copy_defaults
                data = io.StringIO("".join("\t".join(map(_copy_text, row)) + tail for row in rows))
                # debug_sql exists while queries are recorded (tests, DEBUG): COPY counts as one.
                record = getattr(cursor, "debug_sql", None)
                with record(sql) if record else nullcontext():
                    cursor.cursor.copy_expert(sql, data)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({placeholders})"
                cursor.executemany(sql, [row + self.defaults for row in rows])


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for ``count`` new rows, taken in one query before inserting them."""
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite has one writer at a time: should another insert slip in before ours, ours fails
        # on the primary key and the caller's transaction rolls back; nothing is overwritten.
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT COALESCE(MAX({quote(meta.pk.column)}), 0) FROM {quote(meta.db_table)}"
        )
        highest = cursor.fetchone()[0]
        return list(range(highest + 1, highest + 1 + count))


def _default(field: models.Field, now) -> object:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = now
    else:
        value = field.get_default()
    return field.get_db_prep_save(value, connection)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_text(value: object) -> str:
    """PostgreSQL's COPY text format for one value."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
