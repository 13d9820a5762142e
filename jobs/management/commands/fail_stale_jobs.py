from django.core.management.base import BaseCommand

from jobs.services import fail_stale_jobs


class Command(BaseCommand):
    help = "Mark failed (retryable) the running jobs whose worker has stopped answering."

    def handle(self, *args, **options):
        count = fail_stale_jobs()
        self.stdout.write(f"{count} stale job(s) marked failed.")
