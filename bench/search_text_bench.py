"""Memory and speed of the search's text postings (directory/search/text.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf200 \
        .venv/bin/python bench/search_text_bench.py

Reads the published organisations in the list's name order (read only), builds the text
postings, and prints the resident memory they add to this fresh process (measured after
the build, transient allocations the allocator kept included), the build time, the
vocabulary's size, then for a few searches the milliseconds to parse, correct typos, look
every term up in the text tiers and rank the whole directory (median of 5 runs). The
themes, zones and links tiers are the engine's and are left out (an empty lookup).
"""

import gc
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from pyroaring import BitMap  # noqa: E402

from directory.filters import BY_NAME  # noqa: E402
from directory.search.terms import Synonyms, parse, with_typos  # noqa: E402
from directory.search.text import TEXT_TIERS, TextPostingsBuilder, find  # noqa: E402
from organisations.models import Organisation, OrganisationAlias  # noqa: E402
from organisations.synonyms import SEEDED_GROUPS  # noqa: E402
from organisations.validators import synonym_words  # noqa: E402

RUNS = 5  # each search, for the median
SEARCHES = [
    "femmes",
    "association",
    "a",
    "retour",
    "A.M.E.",
    "AME",
    "Expluses",
    "ong des jeunes de bamako",
    "Association des jeunes de Kayes",
]


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def build():
    aliases = defaultdict(list)
    for organisation, name in OrganisationAlias.objects.values_list("organisation", "name"):
        aliases[organisation].append(name)
    rows = (
        Organisation.objects.published()
        .order_by(*BY_NAME)
        .values_list("pk", "name", "acronym", "description")
        .iterator(chunk_size=2000)
    )
    builder = TextPostingsBuilder()
    count = 0
    for position, (pk, name, acronym, description) in enumerate(rows):
        builder.add(position, name, acronym, aliases.get(pk, ()), description)
        count = position + 1
    return builder.build(), count


def main() -> None:
    Organisation.objects.exists()  # connect before measuring
    gc.collect()
    before = resident_mb()
    started = time.perf_counter()
    postings, count = build()
    seconds = time.perf_counter() - started
    gc.collect()
    added = resident_mb() - before
    print(f"{count} published organisations, {len(postings.vocabulary())} words")
    print(f"build {seconds:.2f} s, resident memory added {added:.1f} MB")

    synonyms = Synonyms(synonym_words(group) for group in SEEDED_GROUPS)
    everything = BitMap(range(count))

    def lookup(tier, alternative, whole_word):
        if tier in TEXT_TIERS:
            return postings.positions(tier, alternative, whole_word)
        return BitMap()

    for text in SEARCHES:
        times = []
        for _run in range(RUNS):
            started = time.perf_counter()
            query = with_typos(parse(text, synonyms), postings.vocabulary(), synonyms)
            matches = find(query, lookup, postings.exact(query))
            classes = matches.ranked(everything)
            times.append((time.perf_counter() - started) * 1000)
        found = sum(len(c) for c in classes)
        ms = statistics.median(times)
        print(f"{text!r}: {found} found in {len(classes)} classes, median {ms:.1f} ms")


if __name__ == "__main__":
    main()
