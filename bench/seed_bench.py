"""CPU time, wall time and SQL queries of ``seed_mali``: the first load, then the no-op run.

    DATABASE_URL=sqlite:////tmp/seed.sqlite3 .venv/bin/python bench/seed_bench.py

Give it a freshly migrated, empty database. CPU seconds are this process's (on SQLite they
include the database's work); on a shared machine they vary less than wall time.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from organisations.seed import load_mali_seed  # noqa: E402


def main() -> None:
    for run in ("first", "second"):
        with CaptureQueriesContext(connection) as queries:
            cpu, wall = time.process_time(), time.perf_counter()
            load_mali_seed()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"{connection.vendor} {run} run: CPU {cpu:.2f} s, wall {wall:.2f} s, "
            f"{len(queries.captured_queries)} queries"
        )


if __name__ == "__main__":
    main()
