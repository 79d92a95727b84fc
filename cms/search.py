"""Site search: one query typed once, run against pages, projects and councils.

Uses Wagtail's search backend (the database backend: full text on PostgreSQL, FTS5 on SQLite).
Projects are searched within ``Project.objects.visible()``, so hidden and draft projects are
never found. Pages are searched in the reader's language (``cms.selectors``), so a page and its
Welsh version are never both found.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from wagtail.models import Site
from wagtail.search.backends import get_search_backend

from councils.models import Council
from projects.selectors import project_list

from .selectors import site_pages_in_reader_language

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class ResultType:
    key: str
    label: str
    singular: str


RESULT_TYPES = (
    ResultType("projects", _("Projects"), _("Project")),
    ResultType("councils", _("Councils"), _("Council")),
    ResultType("pages", _("Pages"), _("Page")),
)
RESULT_TYPE_KEYS = tuple(t.key for t in RESULT_TYPES)


def _pages(site: Site | None):
    """Pages of the site in every language, one version of each (the reader's where it has one)."""
    return site_pages_in_reader_language(site.root_page if site else None).specific()


def search_results(query: str, *, site: Site | None = None) -> dict:
    """{type key: lazy search results}. Nothing is fetched until a result set is sliced."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    backend = get_search_backend()
    return {
        "projects": backend.search(query, project_list()),
        "councils": backend.search(query, Council.objects.all()),
        "pages": backend.search(query, _pages(site)),
    }
