from django.core.management.base import BaseCommand, CommandError

from projects.ledger import check_ledger


class Command(BaseCommand):
    help = "Compare stored pledge states and totals with the pledge ledger; exit 1 on any mismatch."

    def handle(self, *args, **options) -> None:
        mismatches = check_ledger()
        for mismatch in mismatches:
            self.stdout.write(str(mismatch))
        if mismatches:
            raise CommandError(
                f"{len(mismatches)} mismatch(es) between stored totals and the ledger"
            )
        self.stdout.write(self.style.SUCCESS("Stored totals match the ledger."))
