"""Load the Mali 2022 synthesis fixtures; running it again changes nothing."""

import time

from django.core.management.base import BaseCommand, CommandError

from organisations.seed import SeedError, load_mali_seed


class Command(BaseCommand):
    help = "Load fixtures/mali-2022/ (the 2022 Mali synthesis) in one transaction, idempotently."

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            stats = load_mali_seed()
        except SeedError as exc:
            raise CommandError(f"Seed not loaded, nothing changed: {exc}") from exc
        elapsed = time.perf_counter() - started
        if not stats:
            self.stdout.write(f"Mali seed: already up to date ({elapsed:.1f} s).")
            return
        for label, count in sorted(stats.items()):
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Mali seed loaded ({elapsed:.1f} s)."))
