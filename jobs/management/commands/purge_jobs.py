from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jobs.services import purge_old_jobs


class Command(BaseCommand):
    help = "Delete background jobs that stopped more than --days ago, with their files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.JOBS_KEEP_DAYS,
            help="keep the jobs that stopped within this many days (default: %(default)s)",
        )

    def handle(self, *args, days: int, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        count = purge_old_jobs(days)
        self.stdout.write(f"{count} job(s) older than {days} day(s) deleted, with their files.")
