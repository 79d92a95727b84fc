"""How a project's page shows its delivery without ``projects`` importing this app: the page's
template loads this library and includes ``delivery/_project_section.html``."""

from django import template

from projects.models import Project

from ..selectors import ProjectDelivery, project_delivery

register = template.Library()


@register.simple_tag
def delivery_for(project: Project) -> ProjectDelivery:
    """``{% delivery_for project as delivery %}``: milestones, latest report, next due date."""
    return project_delivery(project=project)
