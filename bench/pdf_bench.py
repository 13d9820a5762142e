"""Benchmark of the PDF annuaire of the whole public list: time and peak resident memory.

    createdb -h 127.0.0.1 -U postgres pdf        # once, then migrate and seed_mali
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdf .venv/bin/python manage.py \
        generate_demo --organisations 50000 --seed 42     # about 45,000 published
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdf .venv/bin/python bench/pdf_bench.py

Runs what the background job runs (``exports.annuaire_pdf.write_annuaire_pdf``) for every
published organisation, unfiltered (``--query`` takes a list's query string), and prints
the organisations, pages, file size, seconds, organisations per second, the process's
resident memory before, at its peak (sampled at every part and by the kernel's high-water
mark) and the load average before and after (the machine is shared: say it with the figures).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import pikepdf  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.utils import translation  # noqa: E402

from exports.annuaire_pdf import write_annuaire_pdf  # noqa: E402
from exports.filtering import public_selection  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="", help="a list's query string (default: none)")
    parser.add_argument("--language", default="fr", choices=["fr", "en"])
    parser.add_argument("--keep", help="also write the PDF to this path")
    args = parser.parse_args()
    translation.activate(args.language)
    selection = public_selection(QueryDict(args.query))
    load_before = os.getloadavg()
    before = resident_mb()
    peak = [before]
    reports = []

    def report(done: int, total: int, message: str = "") -> None:
        peak[0] = max(peak[0], resident_mb())
        reports.append((time.perf_counter(), done))

    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as output:
        total = write_annuaire_pdf(output, selection, "https://example.org/organisations/", report)
        elapsed = time.perf_counter() - started
        output.flush()
        size = os.path.getsize(output.name)
        with pikepdf.Pdf.open(output.name) as pdf:
            pages = len(pdf.pages)
        if args.keep:
            output.seek(0)
            Path(args.keep).write_bytes(output.read())
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    load_after = os.getloadavg()
    print(f"organisations: {total}, pages: {pages}, file: {size / 1e6:.1f} MB")
    print(f"time: {elapsed:.1f} s, {total / elapsed:.0f} organisations/s")
    print(
        f"resident memory: {before:.0f} MB before, peak {peak[0]:.0f} MB sampled, "
        f"{high_water:.0f} MB high-water mark"
    )
    print(
        "load average (1, 5, 15 min): before "
        + " ".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + " ".join(f"{x:.2f}" for x in load_after)
    )


if __name__ == "__main__":
    main()
