"""Download names that say what a file holds and when: annuaire-osc-kayes-2026-11-27.csv."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.text import slugify

from directory.filters import OrganisationFilterSet

# The consortium dates its files in Bamako time, wherever the server runs.
FILE_TIME_ZONE = ZoneInfo("Africa/Bamako")
# The filter that names the file, when several are active: places first.
NAMING_FILTERS = ("zone", "country", "theme", "typology", "network", "partner", "need", "q")
MAX_SLUG_LENGTH = 60


def today() -> datetime.date:
    return timezone.now().astimezone(FILE_TIME_ZONE).date()


def filter_slug(filterset: OrganisationFilterSet) -> str:
    """A slug of the main active filter's values ("kayes", "kayes-segou"), or ""."""
    data = filterset.form.cleaned_data
    for name in NAMING_FILTERS:
        value = data.get(name)
        if not value:
            continue
        values = [value] if isinstance(value, str) else list(value)
        slug = slugify("-".join(getattr(v, "name", str(v)) for v in values))
        if slug:
            return slug[:MAX_SLUG_LENGTH].strip("-")
    return ""


def download_name(stem: str, filterset: OrganisationFilterSet, extension: str) -> str:
    parts = [stem, filter_slug(filterset), today().isoformat()]
    return "-".join(part for part in parts if part) + f".{extension}"
