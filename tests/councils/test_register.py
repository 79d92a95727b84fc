"""The council register import: ``manage.py import_councils`` and ``councils/register.py``."""

import csv
import functools
import http.server
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from councils.models import Council

pytestmark = pytest.mark.django_db

REGISTER = "uk_local_authorities_current.csv"
WELSH = "welsh_principal_authorities.tsv"
PROJECT_DIR = Path(__file__).resolve().parents[2]


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import_councils", *args, stdout=out)
    return out.getvalue()


def read_register(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_register(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row_index(rows: list[dict[str, str]], code: str) -> int:
    return next(i for i, row in enumerate(rows) if row["local-authority-code"] == code)


@pytest.fixture
def imported(shared_data: Path) -> Path:
    """The full register (with Welsh names) already imported once."""
    run_import(str(shared_data / REGISTER), "--welsh-names", str(shared_data / WELSH))
    return shared_data


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


def snapshot() -> dict[str, tuple]:
    return {
        c.code: (c.name, c.short_name, c.name_cy, c.nation, c.region, c.end_date, c.updated_at)
        for c in Council.objects.all()
    }


# --- A good file ----------------------------------------------------------------------------


def test_importing_the_register_creates_every_council_with_welsh_names(shared_data):
    output = run_import(str(shared_data / REGISTER), "--welsh-names", str(shared_data / WELSH))

    assert Council.objects.count() == 470
    assert Council.objects.current().count() == 397
    assert Council.objects.ended().count() == 73
    assert "470 created, 0 updated, 0 unchanged" in output
    assert "73 of the file's authorities have ended" in output
    cardiff = Council.objects.get(code="CRF")
    assert cardiff.short_name == "Cardiff"
    assert cardiff.name_cy == "Caerdydd"
    assert cardiff.official_name_cy == "Cyngor Dinas Caerdydd"
    assert cardiff.nation == "Wales"
    assert cardiff.slug == "cardiff"
    # English councils have no Welsh name.
    assert Council.objects.get(code="GRT").name_cy == ""
    # The register's 2020 population estimate ("369202.0"), in whole people.
    assert cardiff.population == 369_202
    assert Council.objects.filter(population__isnull=False).count() == 415


def test_a_current_council_keeps_the_plain_slug_when_an_ended_one_shares_its_name(imported):
    # The register has an ended and a current "North Yorkshire" and "Somerset".
    for name in ("North Yorkshire", "Somerset"):
        councils = Council.objects.filter(short_name=name)
        assert councils.count() == 2
        plain = councils.get(slug=name.lower().replace(" ", "-"))
        assert plain.is_current


def test_importing_the_same_file_again_changes_nothing(imported):
    before = snapshot()

    output = run_import(str(imported / REGISTER), "--welsh-names", str(imported / WELSH))

    assert "0 created, 0 updated, 470 unchanged" in output
    assert snapshot() == before


def test_a_changed_row_is_reported_and_updated(imported, tmp_path):
    header, rows = read_register(imported / REGISTER)
    rows[row_index(rows, "GRT")]["official-name"] = "Guildford Borough Council (renamed)"
    changed = write_register(tmp_path / "register.csv", header, rows)
    before = snapshot()

    output = run_import(str(changed), "--welsh-names", str(imported / WELSH))

    assert "0 created, 1 updated, 469 unchanged" in output
    assert Council.objects.get(code="GRT").name == "Guildford Borough Council (renamed)"
    after = snapshot()
    assert after.pop("GRT") != before.pop("GRT")
    assert after == before


def test_an_import_that_changes_a_council_retires_its_cached_pages(
    imported, tmp_path, client, settings, on_commit
):
    settings.PAGE_CACHE_SECONDS = 60
    url = Council.objects.get(code="GRT").get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    header, rows = read_register(imported / REGISTER)
    rows[row_index(rows, "GRT")]["official-name"] = "Guildford Borough Council (renamed)"
    changed = write_register(tmp_path / "register.csv", header, rows)

    on_commit(run_import, str(changed), "--welsh-names", str(imported / WELSH))

    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert b"Guildford Borough Council (renamed)" in response.content


def test_a_new_row_is_created_beside_the_existing_ones(imported, tmp_path):
    header, rows = read_register(imported / REGISTER)
    new = {**rows[row_index(rows, "GRT")], "local-authority-code": "NEWX", "gss-code": ""}
    new["nice-name"] = "Newtown"
    new["official-name"] = "Newtown Town Council"
    path = write_register(tmp_path / "register.csv", header, [*rows, new])

    output = run_import(str(path))

    assert "1 created, 0 updated, 470 unchanged" in output
    assert Council.objects.get(code="NEWX").slug == "newtown"


def test_a_register_served_over_http_can_be_imported(tmp_path, shared_data):
    header, rows = read_register(shared_data / REGISTER)
    small = [rows[row_index(rows, code)] for code in ("CRF", "GRT", "ABC")]
    write_register(tmp_path / "file.csv", header, small)
    (tmp_path / "welsh.tsv").write_text((shared_data / WELSH).read_text(encoding="utf-8"))

    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        output = run_import(f"{base}/file.csv", "--welsh-names", f"{base}/welsh.tsv")
        with pytest.raises(CommandError, match=r"missing\.csv.*404"):
            run_import(f"{base}/missing.csv")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    assert "3 created" in output
    assert set(Council.objects.values_list("code", flat=True)) == {"CRF", "GRT", "ABC"}
    assert Council.objects.get(code="CRF").name_cy == "Caerdydd"


# --- Malformed files change nothing ---------------------------------------------------------


def _break(rows: list[dict[str, str]], how: str) -> tuple[int, str]:
    """Break the register in one way; return the 0-based index of the bad row and its column."""
    bad = row_index(rows, "KEN")
    if how == "bad date":
        rows[bad]["start-date"] = "1998-02-31"
        return bad, "start-date"
    if how == "duplicate code":
        rows[bad]["local-authority-code"] = "CRF"
        return bad, "local-authority-code"
    if how == "empty code":
        rows[bad]["local-authority-code"] = "  "
        return bad, "local-authority-code"
    if how == "unknown nation":
        rows[bad]["nation"] = "Atlantis"
        return bad, "nation"
    if how == "long region":
        rows[bad]["region"] = "R" * 61
        return bad, "region"
    if how == "ends before it starts":
        rows[bad]["start-date"] = "1998-04-01"
        rows[bad]["end-date"] = "1990-01-01"
        return bad, "end-date"
    if how == "empty name":
        rows[bad]["nice-name"] = ""
        return bad, "nice-name"
    if how == "bad population":
        rows[bad]["pop-2020"] = "about a million"
        return bad, "pop-2020"
    raise AssertionError(how)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("bad date", "'1998-02-31' is not a date"),
        ("duplicate code", "duplicate code 'CRF'"),
        ("empty code", "the code is empty"),
        ("unknown nation", "'Atlantis' is not one of"),
        ("long region", "longer than 60 characters"),
        ("ends before it starts", "before the start date"),
        ("empty name", "the name is empty"),
        ("bad population", "'about a million' is not a population"),
    ],
)
def test_a_malformed_row_is_named_and_nothing_changes(imported, tmp_path, how, message):
    header, rows = read_register(imported / REGISTER)
    # A good change early in the file must not be written either.
    rows[row_index(rows, "GRT")]["official-name"] = "Changed before the bad row"
    bad, column = _break(rows, how)
    assert bad > row_index(rows, "GRT")
    path = write_register(tmp_path / "broken.csv", header, rows)
    before = snapshot()

    with pytest.raises(CommandError) as excinfo:
        run_import(str(path))

    text = str(excinfo.value)
    assert f"Row {bad + 2}, column '{column}'" in text  # row 1 is the header
    assert message in text
    assert "Nothing was changed" in text
    assert snapshot() == before
    assert Council.objects.get(code="GRT").name == "Guildford Borough Council"


def test_a_missing_column_is_named_and_nothing_changes(imported, tmp_path):
    header, rows = read_register(imported / REGISTER)
    rows[row_index(rows, "GRT")]["official-name"] = "Changed"
    path = write_register(tmp_path / "broken.csv", [c for c in header if c != "nation"], rows)
    before = snapshot()

    with pytest.raises(CommandError, match=r"Row 1 \(header\): missing column\(s\) nation"):
        run_import(str(path))

    assert snapshot() == before


def test_malformed_welsh_names_change_nothing(imported, tmp_path):
    header, rows = read_register(imported / REGISTER)
    rows[row_index(rows, "GRT")]["official-name"] = "Changed"
    path = write_register(tmp_path / "register.csv", header, rows)
    welsh = tmp_path / "welsh.tsv"
    welsh.write_text("principal-local-authority\tname-cy\nCRF\tCaerdydd\n", encoding="utf-8")
    before = snapshot()

    with pytest.raises(CommandError, match="official-name-cy"):
        run_import(str(path), "--welsh-names", str(welsh))

    assert snapshot() == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("CRF\tCaerdydd\tCyngor Dinas Caerdydd", "row 3, column 'principal-local-authority'"),
        ("\tCaerdydd\tCyngor", "row 3, column 'principal-local-authority': the code is empty"),
        (f"SWA\t{'A' * 121}\tCyngor", "row 3, column 'name-cy': longer than 120"),
    ],
)
def test_a_malformed_welsh_names_row_is_named(imported, tmp_path, line, message):
    welsh = tmp_path / "welsh.tsv"
    welsh.write_text(
        "principal-local-authority\tname-cy\tofficial-name-cy\n"
        f"CRF\tCaerdydd Newydd\tCyngor Dinas Caerdydd\n{line}\n",
        encoding="utf-8",
    )
    before = snapshot()

    with pytest.raises(CommandError, match=f"Welsh names, {message}"):
        run_import(str(imported / REGISTER), "--welsh-names", str(welsh))

    assert snapshot() == before


def test_a_file_that_does_not_exist_gives_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError) as excinfo:
        run_import(str(missing))

    assert str(missing) in str(excinfo.value)
    assert "No such file or directory" in str(excinfo.value)
    assert Council.objects.count() == 0


def test_an_empty_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")

    with pytest.raises(CommandError, match="missing column"):
        run_import(str(path))


def test_the_command_exits_non_zero_with_the_message_on_stderr(tmp_path):
    """What a person running ``manage.py import_councils`` in a shell sees."""
    missing = tmp_path / "nowhere.csv"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "pipeline.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "import_councils", str(missing)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode != 0
    assert f"Cannot read {missing}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
