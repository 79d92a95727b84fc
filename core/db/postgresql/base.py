"""Django's PostgreSQL backend, reading timestamps with psycopg's compiled loader.

Django registers its own ``timestamptz`` loader, a subclass of psycopg's pure-Python one
(Django ticket #36960), so every timestamp in every row is parsed by a regular expression in
Python, about ten times slower than psycopg's compiled loader. Django's loader exists to stamp
each value with the connection's time zone; when that zone is UTC, as ours always is
(``USE_TZ``, with no ``TIME_ZONE`` for the database), the compiled loader returns the very same
values (aware, in ``datetime.UTC``), so each cursor is given that one instead.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.types.datetime import TimestamptzLoader


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def _reads_utc(self) -> bool:
        return settings.USE_TZ and self.timezone is datetime.UTC and self.timezone_name == "UTC"

    def create_cursor(self, name=None):
        cursor = super().create_cursor(name)
        if self._reads_utc:
            # Registered by psycopg's public class, the adapters map picks the compiled one.
            cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        return cursor
