from django.core.management.base import BaseCommand, CommandError, CommandParser

from councils.register import (
    RegisterError,
    import_register,
    parse_register,
    parse_welsh_names,
    read_source,
)


class Command(BaseCommand):
    help = (
        "Import or update councils from the mySociety local-authority register (CSV, a path "
        "or a URL). Keyed on the register code; a malformed file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="Path or http(s) URL of the register CSV")
        parser.add_argument(
            "--welsh-names",
            metavar="PATH_OR_URL",
            help="TSV of Welsh principal authorities with name-cy and official-name-cy",
        )

    def handle(self, *args, source: str, welsh_names: str | None = None, **options) -> None:
        try:
            rows = parse_register(read_source(source))
            welsh = parse_welsh_names(read_source(welsh_names)) if welsh_names else None
            report = import_register(rows, welsh=welsh)
        except RegisterError as exc:
            raise CommandError(f"{exc}. Nothing was changed.") from exc
        self.stdout.write(self.style.SUCCESS(f"Councils: {report}"))
