"""Benchmark of ``manage.py generate_demo`` on top of the Mali seed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_demo \\
        .venv/bin/python bench/demo_data.py --organisations 50000

Migrates the database, loads the Mali seed, removes any demo data, then prints the seconds
to generate N organisations with their links (wall clock, this process's CPU and, on a local
PostgreSQL, the CPU of its server process: on a busy shared machine the CPU figures tell what
an idle one would take) and the seconds to remove them. Target: 200,000 in 90 s.
"""

import argparse
import io
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from demo.generator import generate  # noqa: E402
from demo.removal import delete_demo_data  # noqa: E402


def server_cpu_seconds() -> float | None:
    """CPU used so far by this connection's PostgreSQL process, when it runs on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("seed_mali", stdout=io.StringIO())
    delete_demo_data()
    load = os.getloadavg()[0]
    print(f"database: {connection.vendor}; {os.cpu_count()} cores, load average {load:.1f}")

    server_before, process_before = server_cpu_seconds(), os.times()
    started = time.perf_counter()
    generate(args.organisations, args.seed)
    wall = time.perf_counter() - started
    process_after, server_after = os.times(), server_cpu_seconds()
    process_cpu = (process_after.user - process_before.user) + (
        process_after.system - process_before.system
    )
    line = f"generate {args.organisations}: {wall:.1f} s wall, {process_cpu:.1f} s Python CPU"
    if server_before is not None and server_after is not None:
        line += f", {server_after - server_before:.1f} s PostgreSQL CPU"
    print(line)

    started = time.perf_counter()
    delete_demo_data()
    print(f"delete: {time.perf_counter() - started:.1f} s wall")


if __name__ == "__main__":
    main()
