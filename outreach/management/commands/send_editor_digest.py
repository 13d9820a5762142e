"""E-mail every editor the monthly digest (README, "Verification": the cron line)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outreach.digest import send_digest


class Command(BaseCommand):
    help = "E-mail editors the proposals waiting for review and the records to verify."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the e-mail (default: the site's).",
        )

    def handle(self, *args, language, **options):
        if not settings.SITE_URL:
            raise CommandError(
                "SITE_URL is not set: the digest's links need the site's address "
                "(e.g. SITE_URL=https://annuaire.example.org)."
            )
        sent = send_digest(settings.SITE_URL, language)
        self.stdout.write(f"Digest sent to {sent} editor(s).")
