from django.core.management.base import BaseCommand

from core.api.idempotency import KEEP, prune


class Command(BaseCommand):
    help = (
        "Remove stored Idempotency-Key answers older than 24 hours (they are no longer "
        "replayed). Safe to run at any time; run it hourly or daily."
    )

    def handle(self, *args, **options) -> None:
        removed = prune()
        hours = int(KEEP.total_seconds() // 3600)
        self.stdout.write(f"Removed {removed} idempotency keys older than {hours} hours.")
