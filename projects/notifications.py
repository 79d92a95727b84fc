"""Emails about projects and pledges, sent after the transaction commits.

Services call these from ``transaction.on_commit``; each enqueues a django-tasks task (run at
once in dev and tests, by workers in production). Each email is rendered in the recipient's
chosen language.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from councils.models import Membership, MembershipStatus

from .models import Pledge, PledgeState, Project

User = get_user_model()


def _send(user, template: str, context: dict) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}.txt", context)
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


@task()
def send_pledge_email(pledge_id: int, state: str) -> None:
    pledge = Pledge.objects.select_related(
        "project__owner", "project__lead_council", "council", "pledged_by"
    ).get(pk=pledge_id)
    context = {
        "pledge": pledge,
        "project": pledge.project,
        "base_url": settings.WAGTAILADMIN_BASE_URL,
        "state": state,
    }
    if state in (PledgeState.OFFERED, PledgeState.WITHDRAWN):
        # The owner hears of new and withdrawn offers.
        _send(pledge.project.owner, f"pledge_{state}", context)
    elif state in (PledgeState.ACCEPTED, PledgeState.DECLINED, PledgeState.FULFILLED):
        # The person who pledged hears what the project decided.
        _send(pledge.pledged_by, f"pledge_{state}", context)


def pledge_changed(pledge_id: int, state: str) -> None:
    send_pledge_email.enqueue(pledge_id, str(state))


@task()
def send_project_published_email(project_id: int) -> None:
    project = Project.objects.select_related("owner", "lead_council").get(pk=project_id)
    context = {"project": project, "base_url": settings.WAGTAILADMIN_BASE_URL}
    members = (
        Membership.objects.filter(council=project.lead_council, status=MembershipStatus.VERIFIED)
        .exclude(user=project.owner)
        .select_related("user")
    )
    for membership in members:
        _send(membership.user, "project_published", context)


def project_published(project_id: int) -> None:
    send_project_published_email.enqueue(project_id)
