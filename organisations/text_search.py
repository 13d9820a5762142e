"""Which organisations a text finds, for the organisation admin's search box.

The directory's engine (directory/facet_index.py, a layer above) answers: it registers
itself here when the apps are ready, so the admin searches exactly as the lists do
without importing from above. Until it has (a management command that never loads the
directory), the admin's own ``search_fields`` answer.
"""

import json
from collections.abc import Callable

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

_finder: Callable[[str], list[int]] | None = None


def register(finder: Callable[[str], list[int]]) -> None:
    """``finder(text)``: the ids of every organisation (whatever its status) ``text`` finds."""
    global _finder
    _finder = finder


def found(queryset: QuerySet, text: str) -> QuerySet | None:
    """``queryset`` narrowed to what ``text`` finds; None when no engine is registered."""
    if _finder is None:
        return None
    return queryset.filter(id_among(queryset.model, _finder(text)))


def id_among(model, ids: list[int]) -> RawSQL:
    """``model``'s primary key is one of ``ids``, as one parameter however many there are
    (SQLite refuses more than 32,766 parameters; PostgreSQL prepares one array faster)."""
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (list(ids),), BooleanField())
    values = json.dumps(list(ids))
    return RawSQL(f"{column} IN (SELECT value FROM json_each(%s))", (values,), BooleanField())
