"""An export's queryset kept until the worker runs it.

The admin's "select all" hands over the changelist's whole filtered query, which no list
of ids could carry (SQLite takes at most 32,766 parameters). Django supports pickling a
query (``QuerySet.query``) between processes of the same version; the pickle is written
only by ``dump_queryset`` and read only from our own database.
"""

import base64
import pickle

from organisations.models import Organisation


def dump_queryset(queryset) -> str:
    return base64.b64encode(pickle.dumps(queryset.query)).decode("ascii")


def load_queryset(dumped: str):
    queryset = Organisation.objects.all()
    queryset.query = pickle.loads(base64.b64decode(dumped))  # noqa: S301 (our own pickle)
    return queryset
