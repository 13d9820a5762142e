"""Benchmark of XLSX readers on a 20,000-row KoboToolbox-style export.

    .venv/bin/python bench/xlsx_bench.py                # 20,000 submissions
    .venv/bin/python bench/xlsx_bench.py --rows 5000

Builds (once, in a temporary folder) a workbook shaped like a KoboToolbox export of the
reference questionnaire: a main sheet of 46 columns (text answers, select_multiple answers
both as space-separated codes and as one 0/1 column per code, dates and the submission time
as date-formatted number cells, a GPS point and its four split columns, whole and decimal
numbers, _uuid, _index) and a repeat sheet of contact persons (1 to 3 per submission, with
_parent_index). Then reads every cell of both sheets with each reader, each in a fresh
process, and prints the time and the peak memory of that process (resident set size, so
memory allocated outside Python, by calamine's Rust, is counted), best of --repeat runs:

- ours: surveys/xlsx.py, the streaming expat reader the survey import used;
- openpyxl in read-only mode (values only), with defusedxml installed;
- python-calamine (Rust's calamine).

The decision it informs (issue 14): our reader stays only if at least 3x faster than both.
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

READERS = ("ours", "openpyxl", "calamine")
THEMES = ["retour", "pdi", "transit", "traite", "diaspora", "femmes", "jeunes", "plaidoyer"]
ZONES = ["kayes", "bamako", "koulikoro", "sikasso", "segou", "mopti", "gao", "tombouctou"]
WORDS = [
    "association",
    "femmes",
    "jeunes",
    "migrants",
    "retour",
    "accueil",
    "appui",
    "réinsertion",
    "formation",
    "sensibilisation",
    "plaidoyer",
    "droits",
    "diaspora",
    "développement",
    "local",
    "coopérative",
    "santé",
]


def build(path: Path, rows: int, seed: int = 7) -> int:
    """Write the export; return its number of cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    main = workbook.create_sheet("Cartographie OSC")
    theme_columns = [f"domaines/{code}" for code in THEMES]
    zone_columns = [f"zones/{code}" for code in ZONES]
    headers = [
        "start",
        "end",
        "today",
        "identification/nom_osc",
        "identification/sigle",
        "identification/type_osc",
        "identification/statut_juridique",
        "identification/annee_creation",
        "identification/date_recepisse",
        "identification/telephones",
        "identification/courriels",
        "identification/adresse",
        "identification/gps",
        "_identification/gps_latitude",
        "_identification/gps_longitude",
        "_identification/gps_altitude",
        "_identification/gps_precision",
        "historique/membres",
        "historique/budget",
        "historique/description",
        "domaines",
        *theme_columns,
        "zones",
        *zone_columns,
        "difficultes/difficultes",
        "dialogue/relations_autorites",
        "_id",
        "_uuid",
        "_submission_time",
        "_index",
    ]
    main.append(headers)
    cells = len(headers)
    contacts = workbook.create_sheet("contacts")
    contact_headers = ["contacts/nom", "contacts/fonction", "contacts/tel", "contacts/courriel"]
    contacts.append([*contact_headers, "_index", "_parent_index", "_submission__uuid"])
    contact_index = 0

    def date_cell(sheet, value, number_format):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell

    start = datetime.datetime(2022, 3, 1, 8, 0)
    for index in range(1, rows + 1):
        when = start + datetime.timedelta(minutes=17 * index)
        themes = rng.sample(THEMES, rng.randint(1, 4))
        zones = rng.sample(ZONES, rng.randint(1, 3))
        latitude, longitude = 12.6 + rng.random(), -8.0 + rng.random()
        uuid = f"{rng.getrandbits(128):032x}"
        name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
        row = [
            date_cell(main, when, "yyyy-mm-dd hh:mm:ss"),
            date_cell(main, when + datetime.timedelta(minutes=25), "yyyy-mm-dd hh:mm:ss"),
            date_cell(main, when.date(), "yyyy-mm-dd"),
            f"{name} {index}",
            "".join(word[0] for word in name.split()).upper(),
            rng.choice(["ong_nat", "asso_locale", "reseau", "cooperative"]),
            rng.choice(["oui", "non"]),
            rng.randint(1960, 2022),
            date_cell(main, datetime.date(rng.randint(1990, 2021), 1, 1), "dd/mm/yyyy"),
            f"76 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            f"contact{index}@example.org",
            f"Rue {rng.randint(1, 500)}, porte {rng.randint(1, 300)}, Bamako",
            f"{latitude:.6f} {longitude:.6f} 350.0 5.0",
            latitude,
            longitude,
            350.0,
            5.0,
            rng.randint(5, 3000),
            round(rng.uniform(100_000, 90_000_000), 2),
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40))),
            " ".join(themes),
            *[1 if code in themes else 0 for code in THEMES],
            " ".join(zones),
            *[1 if code in zones else 0 for code in ZONES],
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 15))),
            rng.choice(["", "Membre du cadre de concertation", "Aucune relation"]),
            100_000 + index,
            uuid,
            date_cell(main, when + datetime.timedelta(hours=2), "yyyy-mm-dd hh:mm:ss"),
            index,
        ]
        main.append(row)
        cells += len(row)
        for _ in range(rng.randint(1, 3)):
            contact_index += 1
            contact = [
                f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()}",
                rng.choice(["Président", "Coordinatrice", "Trésorier", "Secrétaire"]),
                f"66 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                f"personne{contact_index}@example.org",
                contact_index,
                index,
                uuid,
            ]
            contacts.append(contact)
            cells += len(contact)
    workbook.save(path)
    return cells


def read_ours(path: str) -> int:
    from surveys import xlsx

    count = 0
    with zipfile.ZipFile(path) as archive:
        strings = xlsx.shared_strings(archive)
        dates = xlsx.DateStyles(archive)
        for _name, part in xlsx.sheet_paths(archive):
            for _number, values in xlsx.rows(archive, part, strings, dates):
                count += len(values)
    return count


def read_openpyxl(path: str) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            count += len(values)
    workbook.close()
    return count


def read_calamine(path: str) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    count = 0
    for name in workbook.sheet_names:
        for values in workbook.get_sheet_by_name(name).iter_rows():
            count += len(values)
    workbook.close()
    return count


def measure(reader: str, path: str) -> dict:
    """In this (fresh) process: read every cell, report time and resident memory."""
    if reader == "ours":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
        import django

        django.setup()
    read = {"ours": read_ours, "openpyxl": read_openpyxl, "calamine": read_calamine}[reader]
    # Imports done before the baseline: the memory figure is what reading costs.
    if reader == "openpyxl":
        import openpyxl  # noqa: F401
    elif reader == "calamine":
        import python_calamine  # noqa: F401
    baseline = _rss_mb()
    began = time.perf_counter()
    cells = read(path)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "growth_mb": peak - baseline, "cells": cells}


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1_048_576


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", choices=READERS, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.file)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kobo-export.xlsx"
        began = time.perf_counter()
        cells = build(path, args.rows)
        built = time.perf_counter() - began
        size = path.stat().st_size / 1_048_576
        print(f"export: {args.rows:,} submissions, {cells:,} cells, {size:.1f} MB", end="")
        print(f", built in {built:.0f} s")
        results = {}
        for reader in READERS:
            runs = [_run(reader, path) for _ in range(args.repeat)]
            best = min(runs, key=lambda run: run["seconds"])
            best["peak_mb"] = max(run["peak_mb"] for run in runs)
            best["growth_mb"] = max(run["growth_mb"] for run in runs)
            results[reader] = best
            print(
                f"{reader:9} {best['seconds']:6.2f} s  {best['cells'] / best['seconds']:>11,.0f} "
                f"cells/s  peak {best['peak_mb']:5.0f} MB (+{best['growth_mb']:.0f} MB reading)"
            )
        ours = results["ours"]["seconds"]
        for other in ("openpyxl", "calamine"):
            print(f"ours vs {other}: {results[other]['seconds'] / ours:.2f}x faster")


def _run(reader: str, path: Path) -> dict:
    command = [sys.executable, __file__, "--measure", reader, "--file", str(path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


if __name__ == "__main__":
    main()
