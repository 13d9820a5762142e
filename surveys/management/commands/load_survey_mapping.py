"""manage.py load_survey_mapping FILE: check a mapping file and save it in the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from surveys.management import language_option
from surveys.mapping import MappingError
from surveys.service import load_mapping


class Command(BaseCommand):
    help = "Create or update a saved import mapping from a YAML or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        language_option(parser)

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            try:
                mapping = load_mapping(str(options["file"]))
            except MappingError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                self.style.SUCCESS(
                    _("Mapping “%(name)s” saved as %(code)s.")
                    % {"name": mapping.name, "code": mapping.slug}
                )
            )
