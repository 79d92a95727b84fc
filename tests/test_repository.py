"""The repository itself: its licence and the files a contributor or operator looks for, and a
Makefile whose every declared target does something and is listed by ``make help``."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "--no-print-directory", *args],  # noqa: S607 - make from PATH, as people run it
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def phony_targets() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^\.PHONY:(.*)$", makefile, flags=re.MULTILINE).group(1).split()


def test_the_licence_is_the_mit_text_pyproject_names():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 Pipeline contributors\n")
    assert "Permission is hereby granted, free of charge" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in licence
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("CONTRIBUTING.md", "make check"),
        ("CHANGELOG.md", "## Unreleased"),
        ("SECURITY.md", "/.well-known/security.txt"),
    ],
)
def test_the_files_people_look_for_are_there(name, says):
    assert says in (ROOT / name).read_text()


def test_every_declared_make_target_does_something():
    idle = {}
    for target in phony_targets():
        result = make("--dry-run", "--always-make", target)  # as if nothing were built yet
        if result.returncode != 0 or "Nothing to be done" in result.stdout + result.stderr:
            idle[target] = (result.stdout + result.stderr).strip()[-200:]
    assert not idle


def test_make_help_lists_every_target_with_what_it_does():
    result = make("help")

    assert result.returncode == 0, result.stderr
    listed = dict(re.findall(r"^  make (\S+)\s+(.+)$", result.stdout, flags=re.MULTILINE))
    assert sorted(listed) == sorted(phony_targets())
    assert all(listed.values())
