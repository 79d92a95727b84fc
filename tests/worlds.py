"""One world of objects per test module, for the matrices that ask many questions of it.

Building a matrix's world takes about half a second, and a matrix has hundreds of cases. The
world is built once per module (per test process) inside a transaction that is rolled back at
the end; each test runs in a savepoint of it (pytest-django's ``django_db``), so what a case
writes is undone before the next one reads the world.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction


@contextmanager
def rolled_back() -> Iterator[None]:
    """A transaction that is rolled back whatever happens inside it: the world's lifetime."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def module_world(build: Callable[[], Any]):
    """A module-scoped fixture that returns ``build()``, made once for the module."""

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), rolled_back():
            yield build()

    return world
