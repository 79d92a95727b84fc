"""A milestone or a status report shows on its project's page only: a change to one retires
that project's cached pages (``core.pagecache``), not every page."""

from core import pagecache
from projects.scopes import project_tag


def _project(row) -> list[str]:
    return [project_tag(row.project_id)]


SCOPES = {
    "delivery.milestone": _project,
    "delivery.statusreport": _project,
    "delivery.reportschedule": _project,
}


def register() -> None:
    for label, tags in SCOPES.items():
        pagecache.register_scope(label, tags)
