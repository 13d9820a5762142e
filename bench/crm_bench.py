"""Benchmark of the staff pages against a large directory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm \
        .venv/bin/python bench/crm_bench.py --organisations 5000

Fills the database up to N organisations with ``manage.py generate_demo``, then prints
for each staff page (data quality with duplicate detection, needs overview, dashboard)
the seconds to answer, the number of SQL queries, and the seconds spent in duplicate
detection alone. Targets: every page under 5 s and a query count that does not grow
with the number of organisations.
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

from crm.duplicates import find_duplicates  # noqa: E402
from organisations.models import Organisation  # noqa: E402

PAGES = ["crm:data_quality", "crm:needs_overview", "crm:dashboard"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=5000)
    args = parser.parse_args()

    missing = args.organisations - Organisation.objects.count()
    if missing > 0:
        call_command("generate_demo", organisations=missing, verbosity=0)
    total = Organisation.objects.count()
    print(f"organisations: {total} ({connection.vendor})")

    started = time.perf_counter()
    pairs = find_duplicates()
    print(f"duplicate detection: {time.perf_counter() - started:.2f} s, {len(pairs)} pairs")

    user, _created = User.objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    for name in PAGES:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(reverse(name))
            elapsed = time.perf_counter() - started
        print(
            f"{name}: {elapsed:.2f} s, {len(queries)} queries, "
            f"{len(response.content) // 1024} KiB, status {response.status_code}"
        )


if __name__ == "__main__":
    main()
