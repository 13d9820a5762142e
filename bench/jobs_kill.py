"""A worker killed (SIGKILL) in the middle of a background import: nothing written, job retried.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
        .venv/bin/python bench/jobs_kill.py --rows 5000
    DATABASE_URL=sqlite:////tmp/scratch.sqlite3 .venv/bin/python bench/jobs_kill.py

Use a scratch database: it is migrated and given the Mali seed. Queues the import of a
generated survey file (bench/import_bench.py's rows) as a job, starts ``manage.py
jobs_worker`` in another process, kills it with SIGKILL once the import has written its
organisations (inside its transaction), then prints the organisations counted before,
while and after, the job's state, what ``fail_stale_jobs`` makes of it, and the retry run by
a new worker (``--batch``).
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.import_bench import submissions  # noqa: E402
from jobs import progress  # noqa: E402
from jobs.models import Job  # noqa: E402
from jobs.services import fail_stale_jobs, retry, start_import  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from surveys.models import ImportBatch, ImportMapping  # noqa: E402
from surveys.service import preview_import  # noqa: E402
from tests.data.make_reference_export import write_export  # noqa: E402

WORKER = [sys.executable, "manage.py", "jobs_worker", "--no-reload", "--no-startup-delay"]


def queue(rows: int, user) -> Job:
    mapping, _created = ImportMapping.objects.get_or_create(
        slug="bench-kill",
        defaults={
            "name": "Référence",
            "definition": (ROOT / "tests/data/reference_mapping.yaml").read_text("utf-8"),
        },
    )
    buffer = io.BytesIO()
    write_export(buffer, submissions(rows, []))
    content = buffer.getvalue()
    plan = preview_import(content, "kill.xlsx", mapping)
    options = {
        "mapping": mapping.pk,
        "on_existing": "fill",
        "allow_create": [],
        "previewed": plan.fingerprint(),
        "confirmed": {},
    }
    return start_import(user, content, "kill.xlsx", len(plan.rows), options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_mali", verbosity=0)
    user, _created = User.objects.get_or_create(
        username="bench-jobs", defaults={"is_superuser": True, "is_staff": True}
    )
    job = queue(args.rows, user)
    before = Organisation.objects.count()
    print(f"{settings.DATABASES['default']['ENGINE']}: {before} organisations, job {job.status}")

    worker = subprocess.Popen(WORKER, cwd=ROOT, stdout=subprocess.DEVNULL)
    seen = None
    while seen is None or seen["done"] < 3:  # 3 of 4: organisations written, links next
        time.sleep(0.02)
        seen = progress.read(job.pk) or seen
        if worker.poll() is not None:
            raise SystemExit("the worker ended before it could be killed")
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    job.refresh_from_db()
    print(f"killed at step {seen['done']}/{seen['total']} ({seen['message']}); job {job.status}")
    print(
        f"organisations after the kill: {Organisation.objects.count()}, imports: "
        f"{ImportBatch.objects.filter(file_name='kill.xlsx').count()}"
    )

    settings.JOBS_STALE_MINUTES = 0
    print(f"fail_stale_jobs: {fail_stale_jobs()} job(s) failed")
    job.refresh_from_db()
    print(f"job {job.status}, retryable: {job.can_retry}: {job.message}")

    retry(job)
    started = time.perf_counter()
    subprocess.run([*WORKER, "--batch"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    job.refresh_from_db()
    print(
        f"retry: job {job.status} in {time.perf_counter() - started:.1f} s, attempts "
        f"{job.attempts}, organisations {Organisation.objects.count()} (+{args.rows})"
    )


if __name__ == "__main__":
    main()
