from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import cms, councils, delivery, funding, projects


class Command(BaseCommand):
    help = (
        "Load demo councils, people, projects, funding calls and pages. "
        "Safe to run again: adds nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Load even when DEBUG is off (never in production)"
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for local use; refusing with DEBUG off (use --force).")
        councils.load()
        projects.load()
        projects.load_people()
        delivery.load()
        funding.load()
        cms.load()
        councils.enrol_privileged()  # anyone the loaders made an admin or approver
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded.\n"
                f"  Organiser (Wagtail admin at /cms-admin/): {councils.ORGANISER[0]}\n"
                f"  Council officer (Hackney admin):          {councils.PEOPLE[0][0]}\n"
                f"  Council officer (Cardiff admin):          {councils.PEOPLE[2][0]}\n"
                f"  Newcomer who asked to join Hackney:       {councils.NEWCOMER[0]}\n"
                f"  Funder admin (Local Digital, /funding/):  {funding.FUNDER_ADMIN[0]}\n"
                f"  Funder assessor (Local Digital):          {funding.ASSESSOR[0]}\n"
                f"  Funder moderator (Local Digital):         {funding.MODERATOR[0]}\n"
                f"  Password for every demo account:          {councils.DEMO_PASSWORD}\n"
                "  Organisers, admins, assessors and moderators sign in with a two-factor code too:\n"
                "    python manage.py demo_code <email>   (prints the code their app would show)"
            )
        )
