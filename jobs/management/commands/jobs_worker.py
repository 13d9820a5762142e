from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from jobs.services import fail_stale_jobs


class Command(DatabaseWorker):
    help = (
        "Run the background worker (imports and exports), after marking failed the jobs "
        "a previous worker left running. Takes db_worker's options."
    )

    def handle(self, *args, **options):
        fail_stale_jobs()
        super().handle(*args, **options)
