"""Export jobs queued with a pickled queryset keep their organisations as a list of ids.

The pickle was written by the version this one replaces (same Django), so it still reads
here, once; a job whose pickle does not read is left without a selection and its runner
asks the user to start the export again.
"""

import base64
import pickle

from django.db import migrations
from django.db.models.query import QuerySet


def selection_from_pickle(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for job in Job.objects.filter(kind="export", params__has_key="query"):
        dumped = job.params.pop("query")
        try:
            query = pickle.loads(base64.b64decode(dumped))  # noqa: S301 (our own pickle)
            ids = QuerySet(model=query.model, query=query).values_list("pk", flat=True)
            job.params["selection"] = {"ids": sorted(ids)}
        except Exception:  # noqa: BLE001 (any unreadable pickle: the runner says so)
            pass
        job.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(selection_from_pickle, migrations.RunPython.noop)]
