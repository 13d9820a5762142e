"""Benchmark of the full CSV export against PostgreSQL's own COPY of the same columns.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exports \
        .venv/bin/python bench/export_bench.py --organisations 50000

Fills the database up to N organisations (``manage.py generate_demo``, then ANALYZE), then
prints, for the full export as a staff member allowed to see everything: total seconds, time
to the first byte and to the first data row, peak memory growth (resident memory sampled at
every chunk; Python objects by tracemalloc in another pass) and the ratio to
``COPY (SELECT … string_agg …) TO STDOUT WITH CSV`` of the same columns.
Targets: within 4x of COPY, memory growth under 100 MB.
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
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
from django.test import RequestFactory  # noqa: E402

from exports import views  # noqa: E402
from organisations.models import Organisation  # noqa: E402

# The full export's columns computed by PostgreSQL: each multi-valued column is one
# string_agg grouped by organisation (a hash join each), the fastest plan we found.
AGGREGATES = {
    "aliases": "SELECT organisation_id, string_agg(name, ' ; ' ORDER BY name) AS v "
    "FROM organisations_organisationalias GROUP BY 1",
    "identifiers": "SELECT organisation_id, string_agg(scheme || ':' || value, ' ; ' "
    "ORDER BY scheme, value) AS v FROM organisations_organisationidentifier GROUP BY 1",
    "zones": "SELECT oz.organisation_id, string_agg(concat_ws(' > ', z3.name, z2.name, z1.name, "
    "z.name), ' ; ' ORDER BY z.path) AS v FROM organisations_organisationzone oz "
    "JOIN organisations_zone z ON z.id = oz.zone_id "
    "LEFT JOIN organisations_zone z1 ON z1.id = z.parent_id "
    "LEFT JOIN organisations_zone z2 ON z2.id = z1.parent_id "
    "LEFT JOIN organisations_zone z3 ON z3.id = z2.parent_id GROUP BY 1",
    "themes": "SELECT ot.organisation_id, string_agg(th.slug, ' ; ' ORDER BY th.position, "
    "th.name) AS v, string_agg(th.name, ' ; ' ORDER BY th.position, th.name) AS w "
    "FROM organisations_organisationtheme ot "
    "JOIN organisations_theme th ON th.id = ot.theme_id GROUP BY 1",
    "networks": "SELECT m.organisation_id, string_agg(n.slug, ' ; ' ORDER BY n.name) AS v "
    "FROM networks_membership m JOIN networks_network n ON n.id = m.network_id GROUP BY 1",
    "partners": "SELECT ps.organisation_id, string_agg(p.slug, ' ; ' ORDER BY p.name) AS v, "
    "string_agg(p.name, ' ; ' ORDER BY p.name) AS w FROM organisations_partnership ps "
    "JOIN organisations_partner p ON p.id = ps.partner_id GROUP BY 1",
    "offices": "SELECT organisation_id, "
    "string_agg(address, ' ; ' ORDER BY id) FILTER (WHERE kind = 'seat') AS v, "
    "string_agg(address, ' ; ' ORDER BY id) FILTER (WHERE kind = 'office') AS w "
    "FROM organisations_office GROUP BY 1",
    "channels": "SELECT organisation_id, {channels} FROM organisations_contactchannel GROUP BY 1",
    "persons": "SELECT organisation_id, string_agg(concat_ws(' | ', name, role, phone, "
    "phone_other, email), ' ; ' ORDER BY name) FILTER (WHERE is_publishable) AS v, "
    "string_agg(concat_ws(' | ', consent_given_by, consent_date::text, notes), ' ; ' "
    "ORDER BY name) FILTER (WHERE is_publishable) AS w, "
    "string_agg(concat_ws(' | ', name, role, phone, phone_other, email, notes), ' ; ' "
    "ORDER BY name) FILTER (WHERE NOT is_publishable) AS x "
    "FROM organisations_contactperson GROUP BY 1",
    "needs": "SELECT nd.organisation_id, string_agg(nc.slug, ' ; ' ORDER BY nc.position) "
    "FILTER (WHERE nd.is_public) AS v, string_agg(nc.slug, ' ; ' ORDER BY nc.position) "
    "FILTER (WHERE NOT nd.is_public) AS w FROM needs_organisationneed nd "
    "JOIN needs_needcategory nc ON nc.id = nd.category_id GROUP BY 1",
}
CHANNELS = [
    (public, kind) for public in (True, False) for kind in ("phone", "email", "website", "social")
]
COLUMNS = """o.slug, o.name, o.acronym, aliases.v, t.slug, t.name, o.legal_form,
  o.registration_kind, o.registration_law, rc.iso_code, o.registration_reference,
  o.year_founded, o.scope, o.scope_detail, o.description, o.budget_band,
  o.members_individuals, o.members_organisations, o.members_countries, o.members_note,
  o.website_status, o.survey_status, s.code, identifiers.v, zones.v, themes.v, themes.w,
  networks.v, partners.v, partners.w, offices.v, offices.w, {public_channels}, persons.v,
  needs.v, o.status, o.staff_notes, {private_channels}, persons.w, persons.x, needs.w"""


def copy_sql() -> str:
    channels = ", ".join(
        f"string_agg(value, ' ; ' ORDER BY position, id) FILTER (WHERE kind = '{kind}' "
        f"AND {'' if public else 'NOT '}is_public) AS {kind}_{'public' if public else 'private'}"
        for public, kind in CHANNELS
    )
    ctes = ",\n".join(
        f"{name} AS ({sql.format(channels=channels)})" for name, sql in AGGREGATES.items()
    )
    joins = "\n".join(f"LEFT JOIN {name} ON {name}.organisation_id = o.id" for name in AGGREGATES)
    columns = COLUMNS.format(
        public_channels=", ".join(f"channels.{k}_public" for p, k in CHANNELS if p),
        private_channels=", ".join(f"channels.{k}_private" for p, k in CHANNELS if not p),
    )
    return (
        f"COPY (WITH {ctes}\nSELECT {columns}\nFROM organisations_organisation o\n"
        "LEFT JOIN organisations_typology t ON t.id = o.typology_id\n"
        "LEFT JOIN organisations_zone rc ON rc.id = o.registration_country_id\n"
        f"LEFT JOIN organisations_source s ON s.id = o.source_id\n{joins}\n"
        "ORDER BY o.search_text, o.id) TO STDOUT WITH CSV HEADER"
    )


class ByteCounter:
    def __init__(self):
        self.size = 0

    def write(self, data) -> None:
        self.size += len(data)


def fill(count: int) -> None:
    """At least ``count`` organisations, topped up with ``manage.py generate_demo``."""
    if Organisation.objects.count() >= count:
        return
    started = time.perf_counter()
    call_command("generate_demo", delete=True)  # it adds to no earlier demo data
    missing = count - Organisation.objects.count()
    call_command("generate_demo", organisations=missing)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would, before any query plan counts
    print(f"generated {missing} organisations in {time.perf_counter() - started:.1f} s")


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def run_export() -> tuple[float, float, float, int, int]:
    """(seconds, first byte, first data row, bytes, peak resident growth) of the full CSV
    export as a staff member."""
    request = RequestFactory().get("/exports/organisations.csv")
    request.user = User(is_superuser=True, is_active=True)
    started = time.perf_counter()
    response = views.full(request, "csv")
    first_byte = first_row = None
    size = 0
    baseline = peak = resident_bytes()
    for chunk in response.streaming_content:
        peak = max(peak, resident_bytes())
        size += len(chunk)
        now = time.perf_counter() - started
        first_byte = first_byte if first_byte is not None else now
        if first_row is None and chunk.count(b"\n") > (1 if size == len(chunk) else 0):
            first_row = now
    return time.perf_counter() - started, first_byte, first_row or 0.0, size, peak - baseline


def run_copy() -> tuple[float, int]:
    sink = ByteCounter()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.connection.cursor().copy_expert(copy_sql(), sink)
    return time.perf_counter() - started, sink.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    args = parser.parse_args()
    fill(args.organisations)
    rows = Organisation.objects.count()
    print(f"database: {connection.vendor}, {rows} organisations")
    run_export()  # warm caches (database pages, imports)
    # The best of a few runs: the machine may be busy with other work.
    runs = [run_export() for _ in range(args.repeat)]
    seconds, first_byte, first_row, size, _growth = min(runs)
    print(f"full CSV export: {seconds:.2f} s (best of {args.repeat}), {size / 1e6:.1f} MB")
    print(f"time to first byte: {first_byte * 1000:.1f} ms, first data row: {first_row:.2f} s")
    growth = max(run[4] for run in runs)
    print(f"peak resident memory growth (C buffers included): {growth / 1e6:.1f} MB")
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    run_export()
    peak = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()
    print(f"peak memory growth (tracemalloc): {peak / 1e6:.1f} MB")
    if connection.vendor == "postgresql":
        run_copy()
        copy_seconds, copy_size = min(run_copy() for _ in range(args.repeat))
        print(
            f"PostgreSQL COPY of the same columns: {copy_seconds:.2f} s (best of {args.repeat}), "
            f"{copy_size / 1e6:.1f} MB"
        )
        print(f"ratio export / COPY: {seconds / copy_seconds:.2f}x (target: 4x at most)")
    else:
        print("COPY comparison skipped: it needs PostgreSQL.")


if __name__ == "__main__":
    main()
