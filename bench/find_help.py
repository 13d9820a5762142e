"""Speed of « Trouver de l'aide » (/trouver-de-l-aide/), in-process, cache cold.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf .venv/bin/python bench/find_help.py

The database is the one filled by ``seed_mali`` and ``generate_demo --organisations 50000
--seed 42`` (about 150,000 services), static files collected (it runs without DEBUG): the
commands are in README, "Trouver de l'aide / Find help". Prints, for each question, the best
server time of --repeat runs with the page cache cleared before each (the in-memory index of
services is current, as in bench/pages.py; its rebuild after a data change is timed apart),
its queries and how many services answer. Target (issue 19): every question cold <= 50 ms on
PostgreSQL.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import _setup_django  # noqa: E402 (the checkout on the path first)

TARGET_MS = 50


def _questions() -> dict[str, str]:
    """The benchmarked addresses, chosen from the data (needs Django set up)."""
    from django.db.models import Count

    from organisations.models import Zone
    from services.models import Service

    # The cercle most services serve directly: the longest answer a visitor can get.
    busiest = (
        Zone.objects.filter(level=Zone.Level.CERCLE)
        .annotate(n=Count("services"))
        .order_by("-n", "pk")
        .first()
    )
    theme = Service.themes.through.objects.values_list("theme__slug", flat=True).first()
    cercle = f"zone={busiest.pk}"
    return {
        "no choice (every service)": "",
        f"cercle ({busiest.name})": cercle,
        "cercle + returnees": f"{cercle}&population=migrants-de-retour",
        "cercle + returnees + Bambara": f"{cercle}&population=migrants-de-retour&language=bm",
        "cercle + theme": f"{cercle}&theme={theme}",
        "cercle, page 5": f"{cercle}&page=5",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from organisations.models import Organisation
    from services.models import Service

    setup_test_environment()  # the test client then keeps each response's context
    client = Client(HTTP_HOST="127.0.0.1")
    print(
        f"database: {connection.vendor}, {Organisation.objects.count():,} organisations, "
        f"{Service.objects.count():,} services; best of {args.repeat} cold runs"
    )
    print(f"{'question':40} {'cold ms':>8} {'queries':>8} {'services':>9} {'KB':>6}")
    worst = 0.0
    for name, query in _questions().items():
        times = []
        for _ in range(args.repeat):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(f"/trouver-de-l-aide/?{query}")
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (query, response.status_code)
        best = min(times) * 1000
        worst = max(worst, best)
        count = response.context["page"].paginator.count
        print(
            f"{name:40} {best:8.1f} {len(queries):8} {count:9,} {len(response.content) / 1000:6.1f}"
        )
    from directory import service_index

    service_index.forget()
    start = time.perf_counter()
    index = service_index.service_index()
    print(
        f"in-memory index, read whole (in the background after a data change): "
        f"{(time.perf_counter() - start) * 1000:.0f} ms for {len(index.ids):,} services "
        f"({len(index.published):,} public)"
    )
    verdict = "met" if worst <= TARGET_MS else "NOT met"
    print(
        f"target (issue 19): every question cold <= {TARGET_MS} ms: {verdict} "
        f"(worst {worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
