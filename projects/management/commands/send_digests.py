from django.core.management.base import BaseCommand, CommandParser

from accounts.models import NotificationFrequency
from projects.notifications import send_digests


class Command(BaseCommand):
    help = (
        "Email each person who chose a daily or weekly digest everything new since their last "
        "one. Safe to run again: what was sent is not sent twice. Also nudges owners of projects "
        "with no update for 90 days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "frequency", choices=[NotificationFrequency.DAILY, NotificationFrequency.WEEKLY]
        )

    def handle(self, *args, frequency: str, **options) -> None:
        people, items = send_digests(frequency)
        self.stdout.write(f"Sent {people} {frequency} digest(s) with {items} item(s).")
