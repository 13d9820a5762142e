"""Weight of public pages as a phone downloads them: HTML + CSS + JS + images, gzipped.

Run against a seeded database (the budget is 100 KB for a list or profile page):

    DATABASE_URL=... .venv/bin/python bench/page_weight.py

Pages are fetched in-process with Django's test client; each stylesheet, script and
image the page references is read from the static files and gzipped (level 6, as a
typical server would). Assets are counted once per page (an empty cache).
"""

import gzip
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from organisations.visibility import visible_organisations  # noqa: E402

BUDGET = 100 * 1024
# « Où l'aide manque »: a table of every region and theme, counted raw (not gzipped).
GAPS_BUDGET = 60 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def asset_bytes(url: str) -> bytes:
    path = url.split("?")[0].removeprefix("/" + settings.STATIC_URL.strip("/") + "/")
    found = finders.find(path)
    if not found:
        raise SystemExit(f"asset not found: {url}")
    return Path(found).read_bytes()


def measure(client: Client, url: str) -> tuple[int, int, int]:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    html = response.content
    assets = sum(gzipped(asset_bytes(a)) for a in set(ASSET.findall(html.decode())))
    return len(html), gzipped(html), assets


def main() -> None:
    organisations = visible_organisations()
    heaviest = organisations.annotate(n=Count("zone_links")).order_by("-n", "pk").first()
    if heaviest is None:
        raise SystemExit("No published organisation: seed the database first (seed_mali).")
    pages = [
        ("home", "/"),
        ("list", "/organisations/"),
        ("list, filtered", "/organisations/?legal_form=formal&sort=-updated"),
        ("profile (most zones)", heaviest.get_absolute_url()),
        ("statistics", "/statistiques/"),
        ("help missing", "/ou-l-aide-manque/"),
        ("help missing, people", "/ou-l-aide-manque/?view=people"),
        ("map", "/carte/"),
        ("home, English", "/en/"),
    ]
    client = Client()
    stylesheet = asset_bytes(settings.STATIC_URL + "css/site.css")
    print(f"{'page':24} {'HTML raw':>10} {'HTML gz':>9} {'CSS+JS gz':>10} {'total gz':>9}")
    over = []
    for name, url in pages:
        raw, html_gz, assets_gz = measure(client, url)
        total = html_gz + assets_gz
        print(f"{name:24} {raw:>10,} {html_gz:>9,} {assets_gz:>10,} {total:>9,}")
        if name.startswith(("list", "profile")) and total > BUDGET:
            over.append(name)
        if name.startswith("help missing") and raw + len(stylesheet) > GAPS_BUDGET:
            over.append(name)
    print(f"budget for list and profile pages: {BUDGET:,} bytes gzipped")
    print(f"budget for the help-missing pages: {GAPS_BUDGET:,} bytes of HTML and CSS, raw")
    if over:
        raise SystemExit("over budget: " + ", ".join(over))


if __name__ == "__main__":
    main()
