from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

import cms.demo
import councils.demo
import projects.demo


class Command(BaseCommand):
    help = "Load demo councils, people, projects and pages. Safe to run again: adds nothing twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Load even when DEBUG is off (never in production)"
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for local use; refusing with DEBUG off (use --force).")
        councils.demo.load()
        projects.demo.load()
        projects.demo.load_people()
        cms.demo.load()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded.\n"
                f"  Organiser (Wagtail admin at /cms-admin/): {councils.demo.ORGANISER[0]}\n"
                f"  Council officer (Hackney admin):          {councils.demo.PEOPLE[0][0]}\n"
                f"  Council officer (Cardiff admin):          {councils.demo.PEOPLE[2][0]}\n"
                f"  Newcomer who asked to join Hackney:       {councils.demo.NEWCOMER[0]}\n"
                f"  Password for every demo account:          {councils.demo.DEMO_PASSWORD}"
            )
        )
