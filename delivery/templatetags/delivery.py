"""How a project's page, a council's page and the home page show delivery and benefits without
``projects``, ``councils`` or ``cms`` importing this app (it sits above them): their templates
load this library and include this app's templates."""

from django import template

from core import pagecache
from councils.models import Council
from projects.models import PledgeState, Project
from projects.scopes import SUPPORT, council_benefits_tag

from ..selectors import (
    BenefitTotals,
    CouncilBenefits,
    ProjectBenefits,
    ProjectDelivery,
    benefit_savings_chart,
    benefits_by_project,
    council_benefits,
    national_benefit_totals,
    project_benefits,
    project_delivery,
)

register = template.Library()


@register.simple_tag
def delivery_for(project: Project, version: str | None = None) -> ProjectDelivery:
    """``{% delivery_for project parts_versions.page as delivery %}``: milestones, latest
    report, next due date (kept while nothing about the project changes)."""
    return project_delivery(project=project, version=version)


@register.simple_tag(takes_context=True)
def benefits_for(context, project: Project) -> ProjectBenefits:
    """``{% benefits_for project as benefits %}``: each adopting council's benefits, the
    totals, and the adoptions the reader may record benefits for."""
    request = context.get("request")
    return project_benefits(project=project, user=getattr(request, "user", None))


@register.simple_tag
def council_benefits_for(council: Council, version: str | None = None) -> CouncilBenefits:
    """``{% council_benefits_for council parts_versions.benefits as benefits %}``: what the
    council reported, kept until an adoption or a benefit of the council changes."""
    if version is None:
        version = pagecache.part_version(council_benefits_tag(council.pk))
    return pagecache.cached_part(
        f"council-benefits:{council.pk}", version, lambda: council_benefits(council=council)
    )


def _national() -> dict:
    rows = benefits_by_project()
    return {"totals": national_benefit_totals(), "rows": rows[:5]}


@register.simple_tag
def national_benefits() -> dict:
    """``{% national_benefits as benefits %}``: the national totals and a chart of the five
    projects saving most, kept in the cache until a benefit (or other support) changes."""
    figures = pagecache.cached_part("benefit-figures", pagecache.part_version(SUPPORT), _national)
    totals: BenefitTotals = figures["totals"]
    return {"totals": totals, "chart": benefit_savings_chart(figures["rows"], top=5)}


@register.filter
def thousands(value) -> str:
    """A whole number with thousands separated: 25000 → '25,000'."""
    return f"{int(value or 0):,}"


@register.filter
def committed_for(pledge, project: Project) -> str:
    """``pledge|committed_for:project``: the phase an accepted pledge is committed for when it
    is toward a need for a phase the project has not reached yet ("beta"); else empty. It falls
    due when the project enters that phase."""
    need = pledge.need
    if pledge.state != PledgeState.ACCEPTED or need is None or not need.is_for_later(project.phase):
        return ""
    return need.phase_display
