"""Remove a person's second factors, for someone who lost both their phone and their recovery
codes. Run by an operator once they are sure who is asking; the person sets up again at their
next sign-in (privileged people are taken there)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import second_factor_reset


class Command(BaseCommand):
    help = "Remove every two-factor authenticator (app, passkeys, recovery codes) of a person."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No one has the address {email}.")
        removed = second_factor_reset(user=user)
        self.stdout.write(f"Removed {removed} authenticator(s) of {user.email}.")
