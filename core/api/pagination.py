from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class StableCursorPagination(CursorPagination):
    """Cursor pages: no COUNT(*), and deep pages are as fast as the first.

    The ordering comes from the view (``get_cursor_ordering``), so a listing's ``sort`` filter and
    its cursor always agree. Responses carry ``next`` and ``previous`` links.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-pk",)

    def get_ordering(self, request, queryset, view):
        getter = getattr(view, "get_cursor_ordering", None)
        if getter is not None:
            return tuple(getter())
        return self.ordering

    def paginate_queryset(self, queryset, request, view=None):
        """A cursor whose position does not fit the sort key (``p=not-a-date`` on a date, a
        word on a number, a NUL) is a 404, like any unreadable cursor: it was a 500."""
        self._queryset = queryset
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        """Convert the position as the database will, before any query runs."""
        if "\x00" in position:
            raise NotFound(self.invalid_cursor_message)
        name = self.ordering[0].lstrip("-")
        query = self._queryset.query
        model = self._queryset.model
        if name in query.annotations:
            field = query.annotations[name].output_field
        else:
            try:
                field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            except FieldDoesNotExist:
                return
        try:
            value = field.to_python(position)
            field.run_validators(value)  # e.g. a number past the column's range
            field.get_prep_value(value)
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc


@dataclass(frozen=True)
class CursorPage:
    """One page of a web listing: its rows, and Previous and Next links (query strings)."""

    object_list: list
    previous_url: str | None
    next_url: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.previous_url or self.next_url)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def cursor_page(
    request: HttpRequest, queryset: QuerySet, *, ordering: tuple[str, ...], page_size: int
) -> CursorPage:
    """The API's cursor pages for an HTML listing: no COUNT(*), and the last page costs what the
    first does. An unreadable or forged ``cursor`` is a 404, like a page number past the end."""
    paginator = StableCursorPagination()
    paginator.ordering = tuple(ordering)
    paginator.page_size = page_size
    paginator.page_size_query_param = None
    try:
        rows = paginator.paginate_queryset(queryset, Request(request))
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    return CursorPage(
        object_list=rows,
        previous_url=_query_only(paginator.get_previous_link()),
        next_url=_query_only(paginator.get_next_link()),
    )


def _query_only(url: str | None) -> str | None:
    return f"?{urlsplit(url).query}" if url else None
