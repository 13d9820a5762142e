"""Benchmark of the survey import: preview and apply of a 10,000-row KoboToolbox export.

    .venv/bin/python bench/import_bench.py                      # SQLite (in memory)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/surveys \\
        .venv/bin/python bench/import_bench.py --rows 10000     # PostgreSQL
    ... bench/import_bench.py --demo 50000   # into the seed plus 50,000 demo organisations
    ... bench/import_bench.py --rows 100000  # memory: a file of 100,000 rows
    ... bench/import_bench.py --runs 3       # three runs and their median (the default)

Works in a throwaway test database (test_<name>, dropped at the end): migrates, loads the
Mali seed (manage.py seed_mali), adds organisations so that 10% of the file's rows match
existing ones (half by the survey's _uuid, half by name), then builds an XLSX in the
reference questionnaire's format (tests/data/reference_mapping.yaml): realistic names and
zones, five multi-valued columns (zones, themes as select_multiple codes, partners,
networks, phones) plus e-mails and one contact person per row on the repeat sheet.

Prints rows/s and queries per row for the preview (read + plan) and for the apply (the
writes, with every link and history row), the CPU time of Python and of the PostgreSQL
server process (the machine is shared: wall time depends on the neighbours), the load
average, and the peak memory of the import: the process's peak resident memory from the
start of a run's preview to the end of its apply (Linux's VmHWM, reset before each run, so
building the file is left out), each run's and their median. Each run is rolled back, so
every run imports into the same directory (on PostgreSQL the foreign keys, checked at
commit, are checked before). The caps on rows and bytes (SURVEY_IMPORT_MAX_*) are raised
to the file's.
Targets: preview >= 2,500 rows/s, apply >= 2,000 rows/s on PostgreSQL, <= 0.1 queries per
row, 100,000 rows under 600 MB.
For reference, django-import-export's default row-by-row import: 173 rows/s, ~12 queries/row.
"""

import argparse
import ctypes
import gc
import io
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
# Checking the foreign keys of 100,000 rows' records, one statement, can take longer than the
# server's 30 s limit on a busy machine.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from networks.models import Network  # noqa: E402
from organisations.models import (  # noqa: E402
    Organisation,
    OrganisationIdentifier,
    Partner,
    Zone,
)
from surveys.applying import apply_plan  # noqa: E402
from surveys.models import ImportMapping  # noqa: E402
from surveys.service import file_checksum, preview_import  # noqa: E402
from tests.data.make_reference_export import THEME_CODES, write_export  # noqa: E402

KINDS = ["Association", "ONG", "Groupement", "Coopérative", "Union", "Collectif", "Amicale"]
PURPOSES = [
    "des Femmes",
    "des Jeunes",
    "des Migrants de Retour",
    "pour le Développement",
    "des Ressortissants",
    "d'Entraide",
    "des Rapatriés",
    "pour la Protection des Enfants",
    "des Expulsés",
    "de Solidarité",
]
QUALIFIERS = ["Espoir", "Avenir", "Benkadi", "Jigiya", "Yiriwa", "Sabati", "Badenya", "Hôrônya"]


def server_cpu_seconds() -> float:
    """CPU used so far by this connection's PostgreSQL process (0 for SQLite or a remote one)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall time, and the CPU of Python and of the PostgreSQL server: on a busy shared
    machine the wall time depends on the neighbours, the CPU time much less."""

    def __enter__(self):
        self.server = server_cpu_seconds()
        self.process = time.process_time()
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.process = time.process_time() - self.process
        self.server = server_cpu_seconds() - self.server

    def report(self, rows: int) -> str:
        cpu = self.process + self.server
        return (
            f"{rows / self.wall:,.0f} rows/s ({self.wall:.2f} s wall; CPU: Python "
            f"{self.process:.2f} s + database {self.server:.2f} s = {rows / cpu:,.0f} rows per "
            "CPU-second)"
        )


def median_report(clocks: list[Clock], rows: int) -> str:
    """The median of each figure over the runs."""
    middle = Clock()
    middle.wall = statistics.median(c.wall for c in clocks)
    middle.process = statistics.median(c.process for c in clocks)
    middle.server = statistics.median(c.server for c in clocks)
    return middle.report(rows)


def reset_peak_memory() -> bool:
    """Forget the peak resident memory so far (building the file is not the import's):
    freed memory goes back to the system, then Linux restarts VmHWM from the current RSS."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_memory_mb() -> float:
    """Peak resident memory: VmHWM (since the reset), else the whole process's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class QueryCounter:
    """Counts statements without formatting them (CaptureQueriesContext would, and that
    formatting of 10,000-parameter inserts costs more than the inserts)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def organisation_name(number: int, place: str) -> str:
    rng = random.Random(number)
    kind, purpose, qualifier = rng.choice(KINDS), rng.choice(PURPOSES), rng.choice(QUALIFIERS)
    return f"{kind} {qualifier} {purpose} de {place} n° {number}"


def submissions(rows: int, existing: list[tuple[str, str]]):
    rng = random.Random(2022)
    mali = Zone.objects.get(iso_code="ML")
    places = list(
        Zone.objects.within(mali)
        .filter(level__in=["region", "cercle"])
        .values_list("name", flat=True)
    )
    partners = list(Partner.objects.values_list("name", flat=True)) or ["Union européenne"]
    networks = [n.acronym or n.name for n in Network.objects.all()] or [""]
    matching = {index * 10: pair for index, pair in enumerate(existing)}
    for number in range(rows):
        place = rng.choice(places)
        name, uuid = matching.get(number, (organisation_name(number, place), f"uuid-{number}"))
        yield {
            "identification/nom_osc": name,
            "identification/sigle": f"OSC{number}",
            "identification/type_osc": rng.choice(["org_locale", "ong_nat", "diaspora", "retour"]),
            "identification/statut_juridique": "formelle",
            "identification/enregistrement": "declaree",
            "identification/telephones": f"76 {number // 10000:02d} {number // 100 % 100:02d} "
            f"{number % 100:02d}; 66 {rng.randrange(100):02d} 00 00",
            "identification/emails": f"contact{number}@osc-mali.org",
            "historique/annee_creation": rng.randrange(1960, 2022),
            "historique/budget": rng.choice(["faible", "moyen", "bon"]),
            "activites/perimetre": rng.choice(["commune", "cercle", "regional", "national"]),
            "activites/zones": "; ".join(rng.sample(places, rng.randint(1, 3))),
            "activites/themes": " ".join(rng.sample(THEME_CODES, rng.randint(1, 3))),
            "experience/partenaires": "; ".join(rng.sample(partners, min(2, len(partners)))),
            "experience/reseaux": rng.choice(networks),
            "_uuid": uuid,
            "contacts": [(f"Responsable {number}", "Président", "", "")],
        }


def add_existing(count: int) -> list[tuple[str, str]]:
    """Organisations the file will describe again: half by uuid, half by name only."""
    mali = Zone.objects.get(iso_code="ML")
    places = list(Zone.objects.within(mali).filter(level="region").values_list("name", flat=True))
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=organisation_name(900_000 + n, places[n % len(places)]),
            slug=f"bench-existing-{n}",
            status="published",
        )
        for n in range(count)
    )
    OrganisationIdentifier.objects.bulk_create(
        OrganisationIdentifier(organisation=org, scheme="kobo-uuid", value=f"uuid-existing-{n}")
        for n, org in enumerate(orgs)
        if n % 2 == 0
    )
    return [
        (org.name if n % 2 else f"Nom modifié {n}", f"uuid-existing-{n}" if n % 2 == 0 else "")
        for n, org in enumerate(orgs)
    ]


def main() -> None:
    """Parse the options, build the file, time each step and print the figures.

    It stays whole: a script read top to bottom, each figure printed where it is measured.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--demo",
        type=int,
        default=0,
        metavar="N",
        help="add N demo organisations (generate_demo) so dedupe runs against all of them",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs, each rolled back (median)")
    args = parser.parse_args()
    settings.SURVEY_IMPORT_MAX_ROWS = max(settings.SURVEY_IMPORT_MAX_ROWS, args.rows)

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("seed_mali", verbosity=0)
        if args.demo:
            call_command("generate_demo", organisations=args.demo, seed=42, verbosity=0)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        mapping = ImportMapping.objects.create(
            name="Référence",
            slug="reference",
            definition=(ROOT / "tests/data/reference_mapping.yaml").read_text(encoding="utf-8"),
        )
        existing = add_existing(args.rows // 10)
        buffer = io.BytesIO()
        write_export(buffer, submissions(args.rows, existing))
        content = buffer.getvalue()
        del buffer
        settings.SURVEY_IMPORT_MAX_BYTES = max(settings.SURVEY_IMPORT_MAX_BYTES, len(content))
        uncompressed = settings.SURVEY_IMPORT_MAX_UNCOMPRESSED_BYTES
        settings.SURVEY_IMPORT_MAX_UNCOMPRESSED_BYTES = max(uncompressed, 20 * len(content))
        vendor = connection.vendor
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"{vendor}: {args.rows} rows, XLSX {len(content) / 1_048_576:.1f} MB; "
            f"load average {load}"
        )
        rows = args.rows
        previews, applies, peaks = [], [], []
        for run in range(1, args.runs + 1):
            # Each run's own peak, from the memory left by the previous one.
            resident = reset_peak_memory()
            start_memory = peak_memory_mb()
            with transaction.atomic():
                preview_queries, preview_clock = QueryCounter(), Clock()
                with preview_clock, connection.execute_wrapper(preview_queries):
                    plan = preview_import(content, "bench.xlsx", mapping)
                preview_peak = peak_memory_mb()
                if run == 1:
                    print(f"  plan: {plan.counts}, suggestions {len(plan.suggestions)}")
                if plan.has_errors:
                    for problem in plan.errors[:5]:
                        print(f"  row {problem.row}: {problem.message}")
                    raise SystemExit("the benchmark file has rows in error")

                apply_queries, apply_clock = QueryCounter(), Clock()
                with apply_clock, connection.execute_wrapper(apply_queries):
                    batch = apply_plan(
                        plan,
                        mapping=mapping,
                        user=None,
                        file_name="bench.xlsx",
                        checksum=file_checksum(content),
                    )
                    if connection.vendor == "postgresql":
                        # Foreign keys are checked at commit (deferred): here, since the run
                        # is rolled back.
                        with connection.cursor() as cursor:
                            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                del plan
                links = sum(batch.created_counts().values())
                # PostgreSQL's COPY statements bypass Django's query hooks; the import
                # counts them.
                apply_queries.count += batch.copy_statements
                del batch
                transaction.set_rollback(True)
                peaks.append(peak_memory_mb())
            previews.append(preview_clock)
            applies.append(apply_clock)
            print(
                f"  run {run} preview: {preview_clock.report(rows)}, "
                f"{preview_queries.count / rows:.4f} queries/row ({preview_queries.count} queries)"
            )
            print(
                f"  run {run} apply:   {apply_clock.report(rows)}, "
                f"{apply_queries.count / rows:.4f} queries/row ({apply_queries.count} queries), "
                f"{links:,} records created"
            )
            if resident:
                print(
                    f"  run {run} memory:  {start_memory:,.0f} MB resident at its start, peak "
                    f"{preview_peak:,.0f} MB by the end of the preview, {peaks[-1]:,.0f} MB in all"
                )
        print(f"  median preview: {median_report(previews, rows)}")
        print(f"  median apply:   {median_report(applies, rows)}")
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"  load average at the end: {load}")
        if resident:
            print(
                f"  peak memory of the import (VmHWM of a run, from its preview to the end of "
                f"its apply): median {statistics.median(peaks):,.0f} MB, "
                f"highest {max(peaks):,.0f} MB"
            )
        else:
            print(f"  peak memory (max RSS of the process): {peak_memory_mb():,.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
