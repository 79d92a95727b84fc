"""How a project's page shows its delivery without ``projects`` importing this app: the page's
template loads this library and includes ``delivery/_project_section.html``."""

from django import template

from projects.models import PledgeState, Project

from ..selectors import ProjectDelivery, project_delivery

register = template.Library()


@register.simple_tag
def delivery_for(project: Project) -> ProjectDelivery:
    """``{% delivery_for project as delivery %}``: milestones, latest report, next due date."""
    return project_delivery(project=project)


@register.filter
def committed_for(pledge, project: Project) -> str:
    """``pledge|committed_for:project``: the phase an accepted pledge is committed for when it
    is toward a need for a phase the project has not reached yet ("beta"); else empty. It falls
    due when the project enters that phase."""
    need = pledge.need
    if pledge.state != PledgeState.ACCEPTED or need is None or not need.is_for_later(project.phase):
        return ""
    return need.phase_display
