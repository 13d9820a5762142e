"""manage.py generate_demo --organisations 50000 --seed 42, and --delete to remove it again."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.generator import generate
from demo.removal import DemoDataError, delete_demo_data, demo_row_counts


class Command(BaseCommand):
    help = (
        "Generate deterministic demo organisations, marked with the source 'demo', on top of the "
        "zones and catalogues in the database (a minimal set is created if they are empty). "
        "Run again to add more. Never run by default. --delete removes all demo data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisations", type=int, default=1000, metavar="N")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--delete", action="store_true", help="Remove all demo data.")

    def handle(self, *args, organisations: int, seed: int, delete: bool, **options) -> None:
        started = time.perf_counter()
        try:
            if delete:
                removed = delete_demo_data()
                self.stdout.write(f"Removed {removed} demo organisations and their links.")
                return
            if organisations < 1:
                raise CommandError("--organisations must be at least 1.")
            generate(organisations, seed)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{count} {name}" for name, count in demo_row_counts().items())
        self.stdout.write(
            f"Added {organisations} demo organisations in {elapsed:.1f} s (seed {seed}). "
            f"Demo data now: {counts}."
        )
