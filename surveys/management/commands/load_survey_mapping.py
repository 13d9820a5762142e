"""manage.py load_survey_mapping FILE [--slug S]: save a mapping file in the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.mapping import MappingError
from surveys.service import load_mapping


class Command(BaseCommand):
    help = "Create or update a saved import mapping from a YAML or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            mapping = load_mapping(str(options["file"]))
        except (MappingError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Mapping “{mapping.name}” saved as {mapping.slug}."))
