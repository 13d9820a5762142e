"""Bounded load test of the public pages and exports of a server running on this machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_demo DEBUG=0 SECRET_KEY=… \\
        ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 \\
        .venv/bin/gunicorn config.wsgi:application --bind 127.0.0.1:8105 --workers 2 --threads 4 &
    .venv/bin/python bench/load.py --base http://127.0.0.1:8105 --clients 50 --seconds 60

(the database filled by ``manage.py generate_demo --organisations 50000 --seed 42``; the
threads as in the README's systemd unit). Issue 9's target: no errors, p99 under 1 s.

Each client requests, in turn, the list, a search, a filtered list, a far page, a profile
(ten profiles the list links to, in rotation), a filtered CSV export and /health/, until the
time is up. Prints, per URL and overall, the requests, the errors (status other than 200, or
no answer within --timeout), the median, 90th, 95th and 99th-percentile latency, and the
requests per second. It stops by itself: at most 64 clients, 300 seconds and 200,000
requests (a request in flight at the deadline is waited for), and it only talks to the
loopback addresses of this machine.
"""

import argparse
import itertools
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_CLIENTS, MAX_SECONDS, MAX_REQUESTS = 64, 300, 200_000
PAGES = {
    "list": "/organisations/",
    "search": "/organisations/?q=migrants+de+retour",
    "filtered list": "/organisations/?scope=regional&sort=name",
    "page 50": "/organisations/?page=50",
    "profile": None,  # filled from the list's links
    "export csv": "/exports/annuaire.csv?q=migrants+de+retour",
    "health": "/health/",
}
PROFILES = 10


def fetch(url: str, timeout: float) -> tuple[int | str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        return type(getattr(error, "reason", error)).__name__, b""


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(len(values) * fraction))]


def main() -> None:
    """Parse the options, run the clients and print the figures.

    It stays whole: a script read top to bottom, whose client threads share its counters.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8105")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=120, help="seconds per request")
    args = parser.parse_args()
    if urlsplit(args.base).hostname not in LOOPBACK_HOSTS:
        sys.exit("Only a server on this machine (127.0.0.1, localhost, ::1) may be load-tested.")
    clients = min(args.clients, MAX_CLIENTS)
    seconds = min(args.seconds, MAX_SECONDS)

    status, body = fetch(args.base + PAGES["list"], args.timeout)
    profiles = list(dict.fromkeys(re.findall(rb'href="(/organisations/[a-z0-9-]+/)"', body)))
    if status != 200 or not profiles:
        sys.exit(f"{args.base}{PAGES['list']} answered {status} with no profile link.")
    profile_paths = itertools.cycle(p.decode() for p in profiles[:PROFILES])

    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, Counter] = defaultdict(Counter)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    sent = [0]

    def client(offset: int) -> None:
        # Each client starts at a different URL, so the mix stays even when pages are slow.
        names = list(PAGES)
        while True:
            for name in names[offset:] + names[:offset]:
                path = PAGES[name]
                if time.monotonic() >= deadline:
                    return
                with lock:
                    if sent[0] >= MAX_REQUESTS:
                        return
                    sent[0] += 1
                    path = path or next(profile_paths)
                started = time.monotonic()
                status, _ = fetch(args.base + path, args.timeout)
                elapsed = time.monotonic() - started
                with lock:
                    timings[name].append(elapsed)
                    if status != 200:
                        errors[name][status] += 1

    threads = [
        threading.Thread(target=client, args=(number % len(PAGES),)) for number in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    print(f"{clients} clients for {seconds:.0f} s (last answer at {elapsed:.0f} s) on {args.base}")
    print(
        f"{'url':<14} {'requests':>8} {'errors':>6} {'req/s':>6} "
        f"{'p50 ms':>7} {'p90 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    rows = [(name, sorted(timings[name]), sum(errors[name].values())) for name in PAGES]
    everything = sorted(value for _name, values, _failed in rows for value in values)
    rows.append(("all", everything, sum(failed for _name, _values, failed in rows)))
    for name, values, failed in rows:
        if values:
            print(
                f"{name:<14} {len(values):>8} {failed:>6} {len(values) / elapsed:>6.1f} "
                + " ".join(f"{percentile(values, f) * 1000:>7.0f}" for f in (0.5, 0.9, 0.95, 0.99))
            )
    for name, counted in errors.items():
        if counted:
            print(f"errors on {name}: " + ", ".join(f"{k}: {v}" for k, v in counted.items()))


if __name__ == "__main__":
    main()
