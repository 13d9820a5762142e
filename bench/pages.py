"""Speed of the public directory pages, in-process and over HTTP, next to a trivial view.

In-process (server time and queries of each page, cache cold then warm), for a visitor,
then for staff who see private data (logged in: never cached; their user is created in a
transaction rolled back at the end), then the index's memory in a fresh process:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf .venv/bin/python bench/pages.py

Over HTTP, against gunicorn started with this directory's settings (they add the trivial
view ``/bench/ok/``, which the public URLs do not have):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf DEBUG=0 SECRET_KEY=bench \\
        ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 DJANGO_SETTINGS_MODULE=bench.settings \\
        .venv/bin/gunicorn config.wsgi:application --bind 127.0.0.1:8120 --workers 2 &
    .venv/bin/python bench/pages.py --base http://127.0.0.1:8120 --clients 8 --seconds 10

prints requests/s, p50 and p99 of each page and its requests/s as a ratio to the trivial
view's, all measured in the same run (pages in turn, each for --seconds). Only talks to
this machine's loopback addresses.

The database is the one filled by ``seed_mali`` and ``generate_demo --organisations 50000
--seed 42``; on SQLite the in-process figures are what the 100 ms target is about.
"""

import argparse
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
TRIVIAL = "/bench/ok/"
# Filled in by _pages(): the profile and the deep page depend on the data.
FIXED_PAGES = {
    "home": "/",
    "list": "/organisations/",
    "list 2 filters + search": "/organisations/?q=migrants+de+retour&scope=regional&theme={theme}",
    "statistics": "/statistiques/",
}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    # Production-like: no DEBUG (which keeps every query), no HTTPS redirect in-process.
    for name, value in [
        ("DEBUG", "0"),
        ("SECRET_KEY", "bench"),
        ("ALLOWED_HOSTS", "127.0.0.1"),
        ("SECURE_SSL_REDIRECT", "0"),
    ]:
        os.environ.setdefault(name, value)
    import django

    django.setup()


def _pages() -> dict[str, str]:
    """The benchmarked URLs, chosen from the data (needs Django set up)."""
    from django.core.paginator import Paginator

    from directory.views import PAGE_SIZE
    from organisations.models import Organisation, Theme

    published = Organisation.objects.published()
    theme = Theme.objects.order_by("pk").values_list("slug", flat=True).first() or ""
    last_page = Paginator(range(published.count()), PAGE_SIZE).num_pages
    profile = published.order_by("pk").values_list("slug", flat=True)[published.count() // 2]
    pages = dict(FIXED_PAGES)
    pages["list 2 filters + search"] = pages["list 2 filters + search"].format(theme=theme)
    pages["list deep page"] = f"/organisations/?page={max(1, last_page * 9 // 10)}"
    pages["profile"] = f"/organisations/{profile}/"
    return pages


def in_process(repeat: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    pages = _pages()
    print(f"database: {connection.vendor}, {repeat} runs per page, best time shown")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("cold: page cache cleared (the in-memory index is current, see below)")
    _page_table(client, pages, repeat)
    with transaction.atomic():
        staff = User.objects.create_superuser("bench-staff", password=None)
        client.force_login(staff)
        print("staff who see private data (the same engine, every organisation):")
        staff_pages = {
            **pages,
            "admin changelist + search": "/admin/organisations/organisation/?q=migrants+retour",
        }
        _page_table(client, staff_pages, repeat)
        transaction.set_rollback(True)
    client.logout()
    _index_figures(client, pages["list 2 filters + search"])
    print(
        "targets (issue 15): list with text + 2 filters + all facet counts, cold, visitors "
        "and staff: <= 50 ms at 50,000, <= 80 ms at 200,000; admin changelist with a search "
        "<= 250 ms at 200,000; cached pages >= 40 % of the trivial view's requests/s (--base)"
    )


def _page_table(client, pages: dict[str, str], repeat: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"{'page':28} {'cold ms':>8} {'queries':>8} {'warm ms':>8} {'warm q':>7}")
    for name, url in pages.items():
        cold, warm = [], []
        for _ in range(repeat):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                cold.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            cold_queries = len(queries)
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                client.get(url)
                warm.append(time.perf_counter() - start)
            warm_queries = len(queries)
        print(
            f"{name:28} {min(cold) * 1000:8.1f} {cold_queries:8} "
            f"{min(warm) * 1000:8.1f} {warm_queries:7}"
        )


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def index_memory() -> None:
    """Resident memory the index adds to a fresh process (what each worker pays)."""
    import gc

    from directory import facet_index
    from organisations.models import Organisation

    Organisation.objects.first()  # the connection and the models, before measuring
    gc.collect()
    before = _rss_mb()
    start = time.perf_counter()
    index = facet_index.facet_index()
    built = time.perf_counter() - start
    gc.collect()
    print(
        f"in-memory index, fresh process: built in {built * 1000:.0f} ms for "
        f"{len(index):,} organisations; resident memory +{_rss_mb() - before:.0f} MB"
    )


def _index_figures(client, url: str) -> None:
    """What a worker pays for the index: its memory (in a fresh process), the first
    request after a write to one organisation (which updates it), the first after a write
    that names none (answered by the index the process has while it is read whole in the
    background) and the time that read takes, and the first request of a process that
    has no index yet."""
    import subprocess

    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from directory import facet_index
    from organisations.models import Organisation
    from pagecache.following import wait_for_reads
    from pagecache.stamp import directory_changed

    subprocess.run([sys.executable, __file__, "--memory"], check=True)

    def timed(label: str) -> None:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(url)
            took = time.perf_counter() - start
        print(f"list 2 filters + search {label}: {took * 1000:.0f} ms, {len(queries)} queries")

    facet_index.facet_index()
    with transaction.atomic():  # rolled back: the benchmark changes nothing
        organisation = Organisation.objects.published().order_by("pk").first()
        organisation.description += " (modifiée)"
        organisation.save()
        timed("right after a write to one organisation (index updated)")
        transaction.set_rollback(True)
    with transaction.atomic():
        directory_changed()  # as a catalogue edit or a survey import does
        started = time.perf_counter()
        timed("right after a write naming no organisation (the index it has)")
        wait_for_reads()
        print(f"  the whole read in the background: {time.perf_counter() - started:.1f} s")
        transaction.set_rollback(True)
    facet_index.forget()
    timed("in a process without its index yet (read whole in the request)")


def _hammer(url: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        mine, failed = [], 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            mine.append(time.perf_counter() - start)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def over_http(base: str, clients: int, seconds: float) -> None:
    if urlsplit(base).hostname not in LOOPBACK_HOSTS:
        sys.exit("only a server on this machine (loopback) may be loaded")
    pages = {"trivial view": TRIVIAL, **_pages()}
    print(f"{clients} clients, {seconds:g} s per page, against {base}")
    print(f"{'page':28} {'req/s':>8} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    trivial_rate = None
    for name, url in pages.items():
        _hammer(base + url, clients, min(2.0, seconds))  # warm-up: fills the page cache
        latencies, errors = _hammer(base + url, clients, seconds)
        rate = len(latencies) / seconds
        trivial_rate = trivial_rate or rate
        cuts = statistics.quantiles(latencies, n=100)
        print(
            f"{name:28} {rate:8.1f} {rate / trivial_rate:6.0%} "
            f"{cuts[49] * 1000:8.1f} {cuts[98] * 1000:8.1f} {errors:6}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", help="server to load, e.g. http://127.0.0.1:8120")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="in-process runs per page")
    parser.add_argument("--memory", action="store_true", help="the index's memory only")
    args = parser.parse_args()
    _setup_django()
    if args.memory:
        index_memory()
    elif args.base:
        over_http(args.base.rstrip("/"), min(args.clients, 64), min(args.seconds, 120))
    else:
        in_process(args.repeat)


if __name__ == "__main__":
    main()
