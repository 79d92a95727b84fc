from django.core.management.base import BaseCommand, CommandParser

from accounts.models import NotificationFrequency
from projects.notifications import nudge_dormant_owners, send_digests


class Command(BaseCommand):
    help = (
        "Queue a digest for each person who chose a daily or weekly one, with everything new "
        "since their last, after nudging owners of projects with no update for 90 days. The "
        "workers send them. Safe to run again: what was sent or queued is not sent twice. The "
        "scheduler (run_scheduler) runs this by itself at the configured times."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "frequency", choices=[NotificationFrequency.DAILY, NotificationFrequency.WEEKLY]
        )

    def handle(self, *args, frequency: str, **options) -> None:
        nudge_dormant_owners()
        people, items = send_digests(frequency)
        self.stdout.write(f"Queued {people} {frequency} digest(s) with {items} item(s).")
