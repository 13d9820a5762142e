import json
from pathlib import Path

from django.core.management.base import BaseCommand

from directory import basemap

DEFAULT_SOURCE = "/work/shared/reference/ne_50m_countries.geojson"


class Command(BaseCommand):
    help = "Cut and simplify the Natural Earth outlines the public maps are drawn from."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=DEFAULT_SOURCE, help="Natural Earth GeoJSON file")

    def handle(self, *args, source: str, **options):
        data = basemap.build(Path(source))
        basemap.BASEMAP_PATH.write_text(json.dumps(data, separators=(",", ":")))
        size = basemap.BASEMAP_PATH.stat().st_size
        self.stdout.write(f"{len(data['countries'])} countries, {size} bytes")
