"""Which organisations a text finds, for the organisation admin's search box.

The directory's engine (directory/facet_index.py, a layer above) answers: it registers
itself here when the apps are ready, so the admin searches exactly as the lists do
without importing from above. Until it has (a management command that never loads the
directory), the admin's own ``search_fields`` answer.
"""

import json
from collections.abc import Callable, Sequence

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

_finder: Callable[[str], list[int]] | None = None


def register(finder: Callable[[str], list[int]]) -> None:
    """``finder(text)``: the ids of every organisation (whatever its status) ``text`` finds."""
    global _finder
    _finder = finder


def found_ids(text: str) -> list[int] | None:
    """The ids of the organisations ``text`` finds, best first; None when no engine is
    registered."""
    return None if _finder is None else _finder(text)


class FoundOrganisations(Sequence):
    """Found organisations for a Paginator, in the engine's order: counted without a
    query, a page read by id in one."""

    def __init__(self, ids: list[int], queryset: QuerySet) -> None:
        self.ids, self.queryset = ids, queryset

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("FoundOrganisations reads slices only")
        ids = self.ids[item]
        rows = self.queryset.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def id_among(model, ids: list[int]) -> RawSQL:
    """``model``'s primary key is one of ``ids``, as one parameter however many there are
    (SQLite refuses more than 32,766 parameters; PostgreSQL prepares one array faster)."""
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (list(ids),), BooleanField())
    values = json.dumps(list(ids))
    return RawSQL(f"{column} IN (SELECT value FROM json_each(%s))", (values,), BooleanField())
