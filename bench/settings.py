"""The project's settings plus a trivial view (bench/urls.py), for bench/pages.py only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
