"""A milestone or a status report shows on its project's page only: a change to one retires
that project's cached pages (``core.pagecache``), not every page. A benefit shows on its
project's page, its council's page and the national figures (home page, benefits page), which
depend on the support and totals tags."""

from django.core.exceptions import ObjectDoesNotExist

from core import pagecache
from projects.scopes import SUPPORT, TOTALS, council_benefits_tag, council_tag, project_tag

# Milestones, reports and schedules of every project: what the portfolios show of delivery.
DELIVERY = "delivery"


def _project(row) -> list[str]:
    return [project_tag(row.project_id), DELIVERY]


def _benefit(row) -> list[str] | None:
    try:
        adoption = row.adoption  # at hand when saved through the service
    except ObjectDoesNotExist:
        return None  # cannot tell: every page retires
    return [
        project_tag(adoption.project_id),
        council_tag(adoption.council_id),
        council_benefits_tag(adoption.council_id),
        SUPPORT,
        TOTALS,
    ]


SCOPES = {
    "delivery.milestone": _project,
    "delivery.statusreport": _project,
    "delivery.reportschedule": _project,
    "delivery.benefit": _benefit,
}


def register() -> None:
    for label, tags in SCOPES.items():
        pagecache.register_scope(label, tags)
