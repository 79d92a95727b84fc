from rest_framework.pagination import CursorPagination


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
