"""A ``.env`` file for settings, as operators expect: read by ``manage.py`` and the WSGI entry
point (gunicorn) before the settings module is chosen, so it may name that too.

``DJANGO_ENV_FILE`` names the file (default: ``.env`` beside ``manage.py``; empty: read none).
Variables already in the environment win over the file. The test suite reads none: pytest
starts Django without either entry point.
"""

import os
from pathlib import Path

from dotenv import load_dotenv

DEFAULT = Path(__file__).resolve().parent.parent.parent / ".env"


def load_env_file() -> Path | None:
    """Load the file into ``os.environ``; returns its path, or None when there is none."""
    named = os.environ.get("DJANGO_ENV_FILE")
    if named == "":
        return None
    path = Path(named) if named else DEFAULT
    if not path.is_file():
        if named:  # asked for by name: a typo must not start the site with other settings
            raise FileNotFoundError(f"DJANGO_ENV_FILE names {path}, which is not a file")
        return None
    load_dotenv(path, override=False)
    return path
