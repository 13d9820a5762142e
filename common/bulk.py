"""Fast inserts of many plain rows: COPY on PostgreSQL, multi-row INSERTs elsewhere.

``bulk_create`` builds a model instance and prepares every field of every row in Python,
which dominates the time of a 50,000-organisation demo run or a 10,000-row survey import.
Here rows are tuples of ready database values (text, numbers, booleans, dates, None, ids);
columns not given take their model default, auto_now dates included, prepared once per table.
"""

import csv
import io
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from datetime import datetime

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

# Rows per INSERT statement at most, where COPY is not available.
BATCH_SIZE = 1000


class TableWriter:
    """Inserts rows into one model's table.

    ``fields`` name (field names or attnames) the values each row gives, in order; by
    default every concrete field but the primary key. The other fields but the primary key
    take their default. COPY statements bypass Django's ``execute_wrapper`` hooks: the
    writer counts them in ``copies`` (recorded queries, as in tests, show each as one).
    """

    def __init__(
        self, model: type[Model], fields: Sequence[str] | None = None, now: datetime | None = None
    ):
        meta = model._meta
        others = [f for f in meta.concrete_fields if not f.primary_key]
        given = others if fields is None else [meta.get_field(name) for name in fields]
        defaulted = [f for f in others if f not in given]
        now = now or timezone.now()
        self.model = model
        self.columns = [f.column for f in given + defaulted]
        self.defaults = tuple(prepared_default(f, now) for f in defaulted)
        self.copies = 0

    def insert(self, rows: Iterable[tuple], *, returning_ids: bool = False) -> list[int]:
        """Write ``rows``; with ``returning_ids``, the new primary keys in the rows' order."""
        tail = self.defaults
        rows = [row + tail for row in rows] if tail else list(rows)
        if not rows:
            return []
        if connection.vendor == "postgresql":
            return self._copy(rows, returning_ids)
        return self._insert_statements(rows, returning_ids)

    def _copy(self, rows: list[tuple], returning_ids: bool) -> list[int]:
        """PostgreSQL's COPY, about twice as fast as INSERT; new ids are drawn first.

        Rows go as CSV, written by the csv module in C: an unquoted empty field is NULL, so
        columns that cannot be NULL are told to read it as an empty text (FORCE_NOT_NULL).
        """
        meta = self.model._meta
        columns = self.columns
        ids: list[int] = []
        if returning_ids:
            ids = reserve_ids(self.model, len(rows))
            columns = [meta.pk.column, *columns]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        quote = connection.ops.quote_name
        nullable = {f.column for f in meta.concrete_fields if f.null}
        not_null = ", ".join(quote(c) for c in columns if c not in nullable)
        sql = (
            f"COPY {quote(meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))"
        )
        data = io.StringIO()
        # "\r\n" as line end makes the writer quote any field holding either character.
        csv.writer(data, lineterminator="\r\n").writerows(rows)
        data.seek(0)
        with connection.cursor() as cursor:
            # debug_sql exists while queries are recorded (tests, DEBUG): COPY counts as one.
            record = getattr(cursor, "debug_sql", None)
            with record(sql) if record else nullcontext():
                # In one read: between psycopg2's default 8 KiB reads, a thread waiting for the
                # GIL behind a busy one (the demo generator's planner) lost 5 ms each.
                cursor.cursor.copy_expert(sql, data, size=len(data.getvalue()) or 1)
        self.copies += 1
        return ids

    def _insert_statements(self, rows: list[tuple], returning_ids: bool) -> list[int]:
        meta = self.model._meta
        quote = connection.ops.quote_name
        head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, self.columns))}) VALUES "
        placeholders = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        returning = f" RETURNING {quote(meta.pk.column)}" if returning_ids else ""
        per_statement = max(1, min(BATCH_SIZE, max_query_params() // len(self.columns)))
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                sql = head + ", ".join([placeholders] * len(chunk)) + returning
                cursor.execute(sql, [value for row in chunk for value in row])
                if returning_ids:
                    ids += [row[0] for row in cursor.fetchall()]
        return ids


def reserve_ids(model: type[Model], count: int) -> list[int]:
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


def prepared_default(field: Field, now: datetime) -> object:
    """``field``'s default as the database stores it; auto_now dates are ``now``."""
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return field.get_db_prep_save(now if auto else field.get_default(), connection)


def max_query_params() -> int:
    """Parameters one statement may carry (PostgreSQL: 65,535).

    Django assumes 999 for SQLite, the limit of versions before 3.32; asking the library
    lets an import of ten thousand rows take 270 statements instead of 2,500.
    """
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return min(connection.features.max_query_params or 65_535, 65_535)
