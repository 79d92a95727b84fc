"""The code a demo person's authenticator app would show now, for trying the demo as an
organiser, council admin or approver (who must sign in with two-factor authentication)."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.councils import demo_person


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The demo person's email address")

    def handle(self, *args, email: str, **options) -> None:
        # Reading someone's second factor undoes it: only on a local demo, never in production.
        if not settings.DEBUG:
            raise CommandError("Demo codes are for the local demo; refusing with DEBUG off.")
        user = demo_person(email)
        if user is None:
            raise CommandError(f"No one has the address {email}.")
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        secret = decrypt(totp.data["secret"])
        counter = int(time.time()) // mfa_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
