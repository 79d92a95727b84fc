"""Database helpers (and, in ``postgresql``, our PostgreSQL backend)."""

from __future__ import annotations

from django.db.models import Model, QuerySet


def first_match(queryset: QuerySet) -> Model | None:
    """The row a query on a unique key finds, or None.

    ``QuerySet.first()`` orders by the model's ordering; with related rows selected, Django
    spends longer matching that ordering against every selected column (milliseconds for a
    pledge with its eight relations) than the database spends finding the one row."""
    return next(iter(queryset.order_by()[:1]), None)
