"""Background export: the synchronous admin export against the same export run as a job.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tasks \
        .venv/bin/python bench/jobs_bench.py --organisations 20000

Fills the database up to N organisations (``manage.py generate_demo``), then prints the
seconds of the full CSV export written in the request (``exports.views.table_file``), the
seconds from queueing the same export as a job to its end, with the real database backend
and ``manage.py jobs_worker --batch`` (worker start-up included), the progress reports the
job made, and whether both files hold the same bytes.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from directory.filters import BY_NAME  # noqa: E402
from exports.layouts import FULL  # noqa: E402
from exports.tasks import start_export  # noqa: E402
from exports.views import table_file  # noqa: E402
from jobs import progress  # noqa: E402
from jobs.models import Job  # noqa: E402
from organisations.models import Organisation  # noqa: E402


def fill(count: int) -> None:
    missing = count - Organisation.objects.count()
    if missing > 0:
        call_command("generate_demo", organisations=missing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=20_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    fill(args.organisations)
    user, _created = User.objects.get_or_create(
        username="bench-jobs", defaults={"is_superuser": True, "is_staff": True}
    )
    ids = list(Organisation.objects.order_by(*BY_NAME).values_list("pk", flat=True))
    total = len(ids)

    started = time.perf_counter()
    response = table_file(FULL, "csv", ids, user, "bench.csv")
    synchronous = b"".join(response.streaming_content)
    in_request = time.perf_counter() - started

    reports = []
    original = progress.report
    progress.report = lambda *a, **k: (reports.append(a[1]), original(*a, **k))
    started = time.perf_counter()
    job = start_export(user, {"changelist_query": ""}, FULL.slug, "csv", "bench.csv")
    call_command("jobs_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    as_job = time.perf_counter() - started
    job.refresh_from_db()
    with job.result_file.open("rb") as stored:
        same = stored.read() == synchronous
    print(f"organisations: {total}")
    print(f"export in the request: {in_request:.2f} s ({len(synchronous) / 1e6:.1f} MB)")
    print(f"export as a job (queue + worker): {as_job:.2f} s, status {job.status}")
    print(f"progress reports: {len(reports)}; same bytes: {same}")
    job.result_file.delete()
    Job.objects.filter(pk=job.pk).delete()


if __name__ == "__main__":
    main()
