"""Benchmark of the staff pages against a large directory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm \
        .venv/bin/python bench/crm_bench.py --organisations 5000

Fills the database up to N organisations with ``manage.py generate_demo``, then prints
for each staff page (data quality with duplicate detection, needs overview, dashboard)
the seconds to answer (wall clock and this process's CPU: on a busy shared machine the
CPU tells what an idle one would take), the number of SQL queries, and the seconds spent
in duplicate detection alone, with the load average. Targets: the data quality page in
2 s at 50,000 organisations and 5 s at 200,000, and a query count that does not grow with
the number of organisations.

``--recall`` also compares every pair of names (slow: minutes at 50,000) and prints the
share of those similar-name pairs that the blocked detection finds.
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from common.text import fold  # noqa: E402
from crm.duplicates import SIMILARITY_THRESHOLD, _similar_names, find_duplicates  # noqa: E402
from organisations.models import Organisation  # noqa: E402

PAGES = ["crm:data_quality", "crm:needs_overview", "crm:dashboard"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--recall", action="store_true")
    args = parser.parse_args()

    missing = args.organisations - Organisation.objects.count()
    if missing > 0:
        call_command("generate_demo", organisations=missing, verbosity=0)
    total = Organisation.objects.count()
    load = os.getloadavg()[0]
    print(f"organisations: {total} ({connection.vendor}); {os.cpu_count()} cores, load {load:.1f}")

    started, cpu = time.perf_counter(), time.process_time()
    found = find_duplicates(limit=200)
    print(
        f"duplicate detection: {time.perf_counter() - started:.2f} s"
        f" ({time.process_time() - cpu:.2f} s Python CPU), {found.total} pairs"
    )

    if args.recall:
        print_recall()

    user, _created = User.objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for name in PAGES:
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(reverse(name))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{name}: {elapsed:.2f} s ({cpu:.2f} s Python CPU), {len(queries)} queries, "
            f"{len(response.content) // 1024} KiB, status {response.status_code}"
        )


def print_recall() -> None:
    """Similar-name pairs found by blocking versus by comparing every pair."""
    from rapidfuzz import fuzz, process

    organisations = list(
        Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)
        .only("pk", "name")
        .order_by("pk")
    )
    folded = [fold(organisation.name) for organisation in organisations]
    started = time.perf_counter()
    blocked = {
        (first, second)
        for first, second, _score in _similar_names([o.pk for o in organisations], folded)
    }
    blocked_seconds = time.perf_counter() - started
    words = [" ".join(sorted(name.split())) for name in folded]
    started = time.perf_counter()
    every = set()
    for i, name in enumerate(words):
        for _match, _score, offset in process.extract(
            name, words[i + 1 :], scorer=fuzz.ratio, score_cutoff=SIMILARITY_THRESHOLD, limit=None
        ):
            j = i + 1 + offset
            if folded[i] != folded[j]:
                every.add((organisations[i].pk, organisations[j].pk))
    every_seconds = time.perf_counter() - started
    # The blocked pairs also pass the distinct-word rule; every pair it leaves out is
    # counted as missed here, so the figure is a lower bound.
    found = len(every & blocked)
    print(
        f"similar names: blocked {len(blocked)} pairs in {blocked_seconds:.1f} s; every pair"
        f" {len(every)} candidates in {every_seconds:.1f} s; {found} of them found by blocking"
    )


if __name__ == "__main__":
    main()
