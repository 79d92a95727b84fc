"""The owner's nudge when a status report is overdue, sent once per overdue period.

The scheduler runs ``nudge_overdue_reports_task`` daily. Each nudge is one ``mail`` delivery
keyed on the project and the due date it is about, so running twice (or two schedulers at once)
sends it once, and filing a report moves the due date so the next overdue period nudges again.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_lazy
from django_tasks import task

from accounts.models import NotificationFrequency
from mail.messages import MessageKind, register
from mail.models import Delivery
from mail.services import delivery_add
from projects.models import Project

from .selectors import projects_with_overdue_reports


def nudge_overdue_reports() -> int:
    """Queue a nudge to each owner whose project's report is overdue; how many were new."""
    count = 0
    for project, due in projects_with_overdue_reports():
        if project.owner.notification_frequency == NotificationFrequency.NEVER:
            continue
        with transaction.atomic():
            count += delivery_add(
                key=f"report-overdue:{project.pk}:{due.isoformat()}",
                user_id=project.owner_id,
                kind="report_overdue",
                params={"project": project.pk, "due": due.isoformat()},
            )
    return count


@task()
def nudge_overdue_reports_task(scheduled_for: str = "") -> int:
    return nudge_overdue_reports()


def _text(name: str, context: dict) -> str:
    # Plain text: no HTML escaping of names such as O'Brien.
    return get_template(name).template.render(Context(context, autoescape=False))


def _build_report_overdue(delivery: Delivery) -> tuple[str, str]:
    project = Project.objects.select_related("owner", "lead_council").get(
        pk=delivery.params["project"]
    )
    context = {
        "project": project,
        "due": datetime.date.fromisoformat(delivery.params["due"]),
        "user": delivery.user,
        "base_url": settings.PIPELINE_BASE_URL,
    }
    with translation.override(delivery.user.language or settings.LANGUAGE_CODE):
        subject = " ".join(_text("emails/report_overdue_subject.txt", context).split())
        body = _text("emails/report_overdue.txt", context)
    return subject, body


register(
    "report_overdue",
    MessageKind(gettext_lazy("Status report overdue"), _build_report_overdue),
)
