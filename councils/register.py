"""Reading the mySociety local-authority register and upserting it into ``Council``.

The whole file is parsed and checked before anything is written, and the write is one
transaction, so a malformed file changes nothing.
"""

import csv
import datetime
import io
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.pagecache import content_changed

from .models import Council, Nation

REQUIRED_COLUMNS = (
    "local-authority-code",
    "official-name",
    "nice-name",
    "gss-code",
    "start-date",
    "end-date",
    "nation",
    "region",
    "local-authority-type",
    "local-authority-type-name",
)
OPTIONAL_COLUMNS = ("county-la", "replaced-by", "pop-2020")
WELSH_COLUMNS = ("principal-local-authority", "name-cy", "official-name-cy")

# Model field for each register column; the importer compares and writes only these.
FIELD_FOR_COLUMN = {
    "official-name": "name",
    "nice-name": "short_name",
    "gss-code": "gss_code",
    "start-date": "start_date",
    "end-date": "end_date",
    "nation": "nation",
    "region": "region",
    "local-authority-type": "authority_type",
    "local-authority-type-name": "authority_type_name",
    "county-la": "county_code",
    "replaced-by": "replaced_by",
    "pop-2020": "population",
}


class RegisterError(Exception):
    """A malformed register file; the message names the row and column."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0
    changed_codes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.ended} of the file's authorities have ended"
        )


def read_source(path_or_url: str) -> str:
    """Text of a local file or an http(s) URL."""
    if path_or_url.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(path_or_url, timeout=30) as response:  # noqa: S310
                return response.read().decode("utf-8-sig")
        except urllib.error.HTTPError as exc:
            raise RegisterError(
                f"Cannot fetch {path_or_url}: HTTP {exc.code} {exc.reason}"
            ) from exc
        except urllib.error.URLError as exc:
            raise RegisterError(f"Cannot fetch {path_or_url}: {exc.reason}") from exc
        except OSError as exc:  # timeouts and dropped connections
            raise RegisterError(f"Cannot fetch {path_or_url}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise RegisterError(f"{path_or_url} is not UTF-8 text") from exc
    try:
        with open(path_or_url, encoding="utf-8-sig") as handle:
            return handle.read()
    except OSError as exc:
        raise RegisterError(f"Cannot read {path_or_url}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise RegisterError(f"{path_or_url} is not UTF-8 text") from exc


def _parse_date(value: str, *, line: int, column: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise RegisterError(
            f"Row {line}, column '{column}': '{value}' is not a date in YYYY-MM-DD form"
        ) from exc


def _parse_population(value: str, *, line: int, column: str) -> int | None:
    """The register writes estimates as "217232.0"; whole people, or none when blank."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < 2**31:
        raise RegisterError(f"Row {line}, column '{column}': '{value}' is not a population")
    return round(number)


def parse_register(text: str) -> list[dict]:
    """Rows as dicts of model field values; raises RegisterError on the first problem."""
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RegisterError(f"Row 1 (header): missing column(s) {', '.join(missing)}")
    nations = set(Nation.values)
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if None in raw:
            raise RegisterError(f"Row {line}: more values than there are columns")
        code = (raw["local-authority-code"] or "").strip().upper()
        if not code:
            raise RegisterError(f"Row {line}, column 'local-authority-code': the code is empty")
        if len(code) > 16:
            raise RegisterError(f"Row {line}, column 'local-authority-code': '{code}' is too long")
        if code in seen:
            raise RegisterError(
                f"Row {line}, column 'local-authority-code': duplicate code '{code}' "
                f"(first on row {seen[code]})"
            )
        seen[code] = line
        values: dict = {"code": code}
        for column, field_name in FIELD_FOR_COLUMN.items():
            raw_value = (raw.get(column) or "").strip()
            if field_name in ("start_date", "end_date"):
                values[field_name] = _parse_date(raw_value, line=line, column=column)
            elif field_name == "population":
                values[field_name] = _parse_population(raw_value, line=line, column=column)
            else:
                limit = Council._meta.get_field(field_name).max_length
                if len(raw_value) > limit:
                    raise RegisterError(
                        f"Row {line}, column '{column}': longer than {limit} characters"
                    )
                values[field_name] = raw_value
        for column in ("official-name", "nice-name"):
            if not (raw.get(column) or "").strip():
                raise RegisterError(f"Row {line}, column '{column}': the name is empty")
        if values["nation"] not in nations:
            raise RegisterError(
                f"Row {line}, column 'nation': '{values['nation']}' is not one of "
                f"{', '.join(sorted(nations))}"
            )
        if (
            values["start_date"]
            and values["end_date"]
            and values["end_date"] < values["start_date"]
        ):
            raise RegisterError(f"Row {line}, column 'end-date': before the start date")
        rows.append(values)
    if not rows:
        raise RegisterError("The file has a header but no rows")
    return rows


def parse_welsh_names(text: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    columns = reader.fieldnames or []
    missing = [c for c in WELSH_COLUMNS if c not in columns]
    if missing:
        raise RegisterError(f"Welsh names, row 1 (header): missing column(s) {', '.join(missing)}")
    names: dict[str, dict[str, str]] = {}
    for line, raw in enumerate(reader, start=2):
        code = (raw["principal-local-authority"] or "").strip().upper()
        if not code:
            raise RegisterError(
                f"Welsh names, row {line}, column 'principal-local-authority': the code is empty"
            )
        if code in names:
            raise RegisterError(
                f"Welsh names, row {line}, column 'principal-local-authority': "
                f"duplicate code '{code}'"
            )
        values = {
            "name_cy": (raw["name-cy"] or "").strip(),
            "official_name_cy": (raw["official-name-cy"] or "").strip(),
        }
        for column, key, limit in (
            ("name-cy", "name_cy", 120),
            ("official-name-cy", "official_name_cy", 200),
        ):
            if len(values[key]) > limit:
                raise RegisterError(
                    f"Welsh names, row {line}, column '{column}': longer than {limit}"
                )
        names[code] = values
    return names


def _unique_slug(base: str, code: str, taken: set[str]) -> str:
    slug = slugify(base)[:120] or code.lower()
    if slug in taken:
        slug = f"{slug}-{code.lower()}"
    taken.add(slug)
    return slug


@transaction.atomic
def import_register(
    rows: Iterable[dict], *, welsh: dict[str, dict[str, str]] | None = None
) -> ImportReport:
    """Upsert councils keyed on the register code; rows come from ``parse_register``."""
    rows = list(rows)
    welsh = welsh or {}
    report = ImportReport()
    now = timezone.now()
    existing = {c.code: c for c in Council.objects.select_for_update().all()}
    taken_slugs = {c.slug for c in existing.values()}
    # Current councils claim the plain slug before ended ones that share a name.
    rows.sort(key=lambda r: (r["end_date"] is not None, r["code"]))
    to_create: list[Council] = []
    to_update: list[Council] = []
    fields = [*FIELD_FOR_COLUMN.values(), "name_cy", "official_name_cy", "on_register"]
    for values in rows:
        values = {**values, "on_register": True}
        if values["code"] in welsh:
            values.update(welsh[values["code"]])
        if values["end_date"] is not None:
            report.ended += 1
        council = existing.get(values["code"])
        if council is None:
            values.setdefault("name_cy", "")
            values.setdefault("official_name_cy", "")
            council = Council(**values)
            council.slug = _unique_slug(values["short_name"], values["code"], taken_slugs)
            to_create.append(council)
            report.created += 1
            continue
        changed = False
        for name in fields:
            if name in values and getattr(council, name) != values[name]:
                setattr(council, name, values[name])
                changed = True
        if changed:
            council.updated_at = now
            to_update.append(council)
            report.updated += 1
            report.changed_codes.append(council.code)
        else:
            report.unchanged += 1
    Council.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Council.objects.bulk_update(to_update, [*fields, "updated_at"], batch_size=500)
    changed = [c.code for c in to_create] + report.changed_codes
    if changed:
        # Bulk writes skip the signals that keep site search and cached pages current.
        transaction.on_commit(lambda: _index_councils(changed))
        content_changed()
    return report


def _index_councils(codes: list[str]) -> None:
    from wagtail.search.backends import get_search_backends

    councils = list(Council.objects.filter(code__in=codes))
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(Council, councils)
