"""Database helpers (and, in ``postgresql``, our PostgreSQL backend)."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable


def first_match(queryset: QuerySet) -> Model | None:
    """The row a query on a unique key finds, or None.

    ``QuerySet.first()`` orders by the model's ordering; with related rows selected, Django
    spends longer matching that ordering against every selected column (milliseconds for a
    pledge with its eight relations) than the database spends finding the one row."""
    return next(iter(queryset.order_by()[:1]), None)


class KeyRow(SimpleNamespace):
    """A row read as plain values, named by field (and ``pk``): what a listing's filters, order
    and cursor read, and what its cards and rows are then found and versioned by."""

    @property
    def pk(self):
        return self.id


class _KeyRows(ValuesListIterable):
    def __iter__(self):
        queryset = self.queryset
        names = [
            *queryset._fields,
            *(f for f in queryset.query.annotation_select if f not in queryset._fields),
        ]
        for values in super().__iter__():
            yield KeyRow(**dict(zip(names, values, strict=True)))


def key_rows(queryset: QuerySet, *fields: str) -> QuerySet:
    """``queryset`` read as ``KeyRow``s of ``fields`` (``id`` among them) and of any annotation
    added later (a sort key): it filters, orders and slices as before. A page of 51 projects
    built as model instances cost 0.7 ms more than as values, two thirds of its query."""
    rows = queryset.values_list(*fields)
    rows._iterable_class = _KeyRows
    return rows
