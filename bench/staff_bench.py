"""Speed of the staff's own pages at scale: an organisation's page in the admin (the staff
profile), the needs overview and the follow-up dashboard.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf .venv/bin/python bench/staff_bench.py

Options: ``--runs N`` (default 7) requests per page; ``--interactions N`` (default 2000)
interactions logged for the dashboard; ``--profile`` prints the Python profile of one
request per page (the 25 costliest functions, cumulative).

Each page is asked through Django's test client by a staff member of the Editors group
(who sees private values): the staff profile (the admin's page of the published
organisation with the most zones, themes, needs and services), the same organisation's
public profile as staff see it, the needs overview and the dashboard (everyone's, then
only mine). Cold: page cache cleared before the request (median and best time, and its
queries); warm: the same page asked again at once (median). The directory's in-memory
index, which the needs overview counts on, is current (built by the first request);
the last line is the needs overview right after a write that names no organisation,
while the index is read whole in the background.
Prints the load average before and after.

The staff member, a colleague, their interactions (a tenth by the staff member; follow-ups
from two months ago to a month ahead, a third of them done) and 30 assignments are written
in one transaction rolled back at the end: the database is left as it was.

Targets (issue 15, PostgreSQL, 200,000 organisations): profile <= 100 ms, needs overview
<= 300 ms, dashboard <= 100 ms, each with a number of queries that does not grow with
the data.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGETS_MS = {
    "profile": 100,
    "public profile": 100,
    "needs overview": 300,
    "dashboard": 100,
    "dashboard, mine": 100,
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production-like: no DEBUG (which keeps every query), no HTTPS redirect in-process.
    for name, value in [
        ("DEBUG", "0"),
        ("SECRET_KEY", "bench"),
        ("ALLOWED_HOSTS", "127.0.0.1"),
        ("SECURE_SSL_REDIRECT", "0"),
    ]:
        os.environ.setdefault(name, value)
    import warnings

    import django
    from django.conf import settings

    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")

    django.setup()
    # The admin's pages link static files by name: no collectstatic needed here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class _RollBack(Exception):
    """Raised to leave the bench's transaction without keeping anything."""


def _most_linked_organisation():
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from needs.models import OrganisationNeed
    from organisations.models import Organisation, OrganisationTheme, OrganisationZone
    from services.models import Service

    def count_of(model):
        rows = (
            model.objects.filter(organisation=OuterRef("pk"))
            .order_by()
            .values("organisation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    links = sum(
        (count_of(model) for model in [OrganisationZone, OrganisationTheme, OrganisationNeed]),
        start=count_of(Service),
    )
    return (
        Organisation.objects.published()
        .annotate(links=links)
        .order_by("-links", "pk")
        .only("pk", "name", "slug")
        .first()
    )


def _staff_world(interactions: int, profiled):
    """The bench's staff member, a colleague, their interactions and assignments."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from crm.models import Assignment, Interaction
    from crm.roles import EDITORS
    from organisations.models import Organisation

    staff = User.objects.create(username="staff-bench", is_staff=True)
    staff.groups.add(Group.objects.get(name=EDITORS))
    colleague = User.objects.create(username="staff-bench-colleague", is_staff=True)
    total = Organisation.objects.count()
    step = max(1, total // max(1, interactions))
    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True)[::step])
    ids = (ids * (interactions // max(1, len(ids)) + 1))[: interactions - 5] + [profiled.pk] * 5
    today = timezone.localdate()
    Interaction.objects.bulk_create(
        Interaction(
            organisation_id=organisation_id,
            kind=Interaction.Kind.CALL,
            date=today - timedelta(days=n % 365),
            staff=staff if n % 10 == 0 else colleague,
            summary=f"Appel de suivi n° {n}",
            follow_up_date=today + timedelta(days=n % 90 - 60) if n % 3 else None,
            follow_up_done=n % 3 == 1,
        )
        for n, organisation_id in enumerate(ids)
    )
    Assignment.objects.bulk_create(
        Assignment(organisation_id=organisation_id, user=staff) for organisation_id in ids[:30]
    )
    return staff


def _measure(client, url: str, runs: int) -> dict:
    """Cold: page cache cleared (the directory's index is current, see below); warm: the
    same page asked again at once."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cold, warm = [], []
    for _ in range(runs):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            cold.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        count = len(queries)  # before the next request empties Django's query log
        started = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - started)
    return {
        "cold": statistics.median(cold) * 1000,
        "best": min(cold) * 1000,
        "queries": count,
        "warm": statistics.median(warm) * 1000,
        "kib": len(response.content) // 1024,
    }


def _after_a_change(client, url: str) -> None:
    """The needs overview right after a write naming no organisation (a catalogue edit, a
    survey import): answered by the index the process has while it is read whole in the
    background; then how long that read took."""
    from django.core.cache import cache

    from pagecache.following import wait_for_reads
    from pagecache.stamp import directory_changed

    directory_changed()
    cache.clear()
    started = time.perf_counter()
    client.get(url)
    took = (time.perf_counter() - started) * 1000
    wait_for_reads()
    read = time.perf_counter() - started
    print(
        f"needs overview right after a write naming no organisation: {took:.0f} ms "
        f"(the index read whole in the background: {read:.1f} s)"
    )


def _profile(client, url: str) -> None:
    from django.core.cache import cache

    cache.clear()
    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    _setup_django()

    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from directory.facet_index import facet_index
    from organisations.models import Organisation

    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    try:
        with transaction.atomic():
            profiled = _most_linked_organisation()
            staff = _staff_world(args.interactions, profiled)
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(staff)
            pages = {
                "profile": reverse("admin:organisations_organisation_change", args=[profiled.pk]),
                "public profile": profiled.get_absolute_url(),
                "needs overview": reverse("crm:needs_overview"),
                "dashboard": reverse("crm:dashboard"),
                "dashboard, mine": reverse("crm:dashboard") + "?mine=1",
            }
            print(
                f"database: {connection.vendor}, {Organisation.objects.count():,} organisations, "
                f"{args.interactions:,} interactions; profile of “{profiled.name}” "
                f"(pk {profiled.pk}); {args.runs} cold runs per page"
            )
            print(
                f"{'page':16} {'cold ms':>8} {'best ms':>8} {'queries':>8} {'warm ms':>8} "
                f"{'KiB':>5} {'target ms':>10}"
            )
            facet_index()  # read before the first page, as a server's start reads it
            for name, url in pages.items():
                m = _measure(client, url, args.runs)
                print(
                    f"{name:16} {m['cold']:8.1f} {m['best']:8.1f} {m['queries']:8} "
                    f"{m['warm']:8.1f} {m['kib']:5} {TARGETS_MS[name]:10}"
                )
            _after_a_change(client, pages["needs overview"])
            if args.profile:
                for name, url in pages.items():
                    print(f"\n--- {name}: {url}")
                    _profile(client, url)
            raise _RollBack
    except _RollBack:
        pass
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
