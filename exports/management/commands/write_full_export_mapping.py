"""manage.py write_full_export_mapping: rewrite exports/mappings/full_export.yaml."""

from django.core.management.base import BaseCommand

from exports.full_mapping import MAPPING_FILE, full_export_mapping


class Command(BaseCommand):
    help = "Write the survey-import mapping of the full export from the organisation's fields."

    def handle(self, *args, **options):
        MAPPING_FILE.write_text(full_export_mapping(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Written {MAPPING_FILE}."))
