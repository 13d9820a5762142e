"""Bounded load test of the public pages of a server running on this machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_demo DEBUG=0 SECRET_KEY=… \\
        ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 \\
        .venv/bin/gunicorn config.wsgi:application --bind 127.0.0.1:8105 --workers 3 &
    .venv/bin/python bench/load_test.py --base http://127.0.0.1:8105 --clients 8 --seconds 20

Each client requests, in turn, the home page, the list, a search, a filtered list, a far page,
a profile (the first one the list links to), the statistics, the map and /health/, for the
given number of seconds. Prints, per page, the requests, the failures (status other than 200,
or no answer), the median and 95th-percentile latency, and the requests per second overall.
It stops by itself: at most 64 clients, 300 seconds and 200,000 requests, and it only talks
to the loopback addresses of this machine.
"""

import argparse
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_CLIENTS, MAX_SECONDS, MAX_REQUESTS = 64, 300, 200_000
PAGES = {
    "home": "/",
    "list": "/organisations/",
    "search": "/organisations/?q=migrants+de+retour",
    "filtered list": "/organisations/?scope=regional&sort=name",
    "page 50": "/organisations/?page=50",
    "statistics": "/statistiques/",
    "map": "/carte/",
    "health": "/health/",
}


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except (urllib.error.URLError, TimeoutError):
        return 0, b""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8105")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    if urlsplit(args.base).hostname not in LOOPBACK_HOSTS:
        sys.exit("Only a server on this machine (127.0.0.1, localhost, ::1) may be load-tested.")
    clients = min(args.clients, MAX_CLIENTS)
    seconds = min(args.seconds, MAX_SECONDS)

    pages = dict(PAGES)
    status, body = fetch(args.base + PAGES["list"])
    profile = re.search(rb'href="(/organisations/[a-z0-9-]+/)"', body)
    if status != 200 or profile is None:
        sys.exit(f"{args.base}{PAGES['list']} answered {status} with no profile link.")
    pages["profile"] = profile.group(1).decode()

    timings: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    sent = [0]

    def client() -> None:
        while True:
            for name, path in pages.items():
                if time.monotonic() >= deadline:
                    return
                with lock:
                    if sent[0] >= MAX_REQUESTS:
                        return
                    sent[0] += 1
                started = time.monotonic()
                status, _ = fetch(args.base + path)
                elapsed = time.monotonic() - started
                with lock:
                    timings[name].append(elapsed)
                    failures[name] += status != 200

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    print(f"{clients} clients for {elapsed:.0f} s against {args.base}")
    print(f"{'page':<14} {'requests':>8} {'failed':>6} {'median ms':>9} {'p95 ms':>7}")
    for name in pages:
        values = sorted(timings[name])
        if not values:
            continue
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{name:<14} {len(values):>8} {failures[name]:>6} "
            f"{statistics.median(values) * 1000:>9.0f} {p95 * 1000:>7.0f}"
        )
    total = sum(len(v) for v in timings.values())
    print(f"total {total} requests, {total / elapsed:.1f} requests/s")


if __name__ == "__main__":
    main()
