"""Emails about projects, sent after the transaction commits.

Services call the functions at the bottom from ``transaction.on_commit``; each enqueues a
django-tasks task (run at once in dev and tests, by workers in production). Emails are rendered
in each recipient's chosen language.

Updates, new projects in followed areas and dormancy nudges become ``Notification`` rows: sent
at once for people who chose that, otherwise gathered by ``send_digests``.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django_tasks import task

from accounts.models import NotificationFrequency
from councils.models import Membership, MembershipStatus

from .models import (
    DemandSignal,
    Follow,
    Notification,
    NotificationKind,
    Pledge,
    PledgeState,
    Project,
    State,
    TagFollow,
    TeamMembership,
    TeamStatus,
    Update,
)

User = get_user_model()


def _plain_text(name: str, context: dict) -> str:
    """A text email template rendered without HTML escaping (``O'Brien``, not ``O&#x27;Brien``);
    the bodies said ``autoescape off`` themselves, the subjects did not."""
    return get_template(name).template.render(Context(context, autoescape=False))


def _send(user, template: str, context: dict) -> None:
    context = {**context, "user": user, "base_url": settings.PIPELINE_BASE_URL}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        # One line, or send_mail refuses it (a title sent with a line break was a 500).
        subject = " ".join(_plain_text(f"emails/{template}_subject.txt", context).split())
        body = _plain_text(f"emails/{template}.txt", context)
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


# --- pledges and teams: straight to the person concerned ------------------------------------


@task()
def send_pledge_email(pledge_id: int, state: str) -> None:
    pledge = Pledge.objects.select_related(
        "project__owner", "project__lead_council", "council", "pledged_by"
    ).get(pk=pledge_id)
    context = {"pledge": pledge, "project": pledge.project, "state": state}
    if state in (PledgeState.OFFERED, PledgeState.WITHDRAWN):
        # The owner hears of new and withdrawn offers.
        _send(pledge.project.owner, f"pledge_{state}", context)
    elif state in (PledgeState.ACCEPTED, PledgeState.DECLINED, PledgeState.FULFILLED):
        # The person who pledged hears what the project decided.
        _send(pledge.pledged_by, f"pledge_{state}", context)


def pledge_changed(pledge_id: int, state: str) -> None:
    send_pledge_email.enqueue(pledge_id, str(state))


@task()
def send_team_email(membership_id: int, status: str) -> None:
    membership = TeamMembership.objects.select_related("project__owner", "user", "council").get(
        pk=membership_id
    )
    context = {"membership": membership, "project": membership.project}
    if status == TeamStatus.REQUESTED:
        _send(membership.project.owner, "team_requested", context)
    elif status in (TeamStatus.ACTIVE, TeamStatus.DECLINED):
        _send(membership.user, f"team_{status}", context)


def team_changed(membership_id: int, status: str) -> None:
    send_team_email.enqueue(membership_id, str(status))


@task()
def send_membership_email(membership_id: int, status: str) -> None:
    """The person hears that their request to join a council was approved or refused."""
    membership = Membership.objects.select_related("user", "council").get(pk=membership_id)
    _send(membership.user, f"membership_{status}", {"membership": membership})


def membership_decided(membership_id: int, status: str) -> None:
    send_membership_email.enqueue(membership_id, str(status))


# --- notifications: at once or in a digest -------------------------------------------------


def deliver(users, *, kind: str, project: Project, update: Update | None = None) -> int:
    """Record a notification for each person who wants one; email at once those who chose so."""
    count = 0
    for user in users:
        if user.notification_frequency == NotificationFrequency.NEVER:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user, kind=kind, project=project, update=update
                )
        except IntegrityError:
            continue  # already told of this
        if user.notification_frequency == NotificationFrequency.IMMEDIATE:
            _send(
                user,
                "notification",
                {"notification": notification, "project": project, "update": update},
            )
            Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
        count += 1
    return count


def _partner_council_member_ids(project: Project) -> set[int]:
    from councils.models import Council

    from .selectors import partner_q

    partners = Council.objects.filter(partner_q(project_ref=project.pk)).exclude(
        pk=project.lead_council_id
    )
    return set(
        Membership.objects.filter(
            council__in=partners, status=MembershipStatus.VERIFIED
        ).values_list("user_id", flat=True)
    )


@task()
def send_update_notifications(update_id: int) -> None:
    update = Update.objects.select_related("project", "author").get(pk=update_id)
    project = update.project
    ids = set(Follow.objects.filter(project=project).values_list("user_id", flat=True))
    ids |= _partner_council_member_ids(project)
    ids.discard(update.author_id)
    deliver(
        User.objects.filter(pk__in=ids, is_active=True),
        kind=NotificationKind.UPDATE,
        project=project,
        update=update,
    )


def update_posted(update_id: int) -> None:
    send_update_notifications.enqueue(update_id)


@task()
def send_project_published_email(project_id: int, previous_state: str) -> None:
    project = Project.objects.select_related("owner", "lead_council").get(pk=project_id)
    if previous_state == State.DRAFT:
        # The lead council's members hear that their council has published a project.
        members = (
            Membership.objects.filter(
                council=project.lead_council, status=MembershipStatus.VERIFIED
            )
            .exclude(user=project.owner)
            .select_related("user")
        )
        for membership in members:
            _send(membership.user, "project_published", {"project": project})
        # People and councils following its service areas hear of a new project.
        follows = TagFollow.objects.filter(area__in=project.service_areas.all())
        ids = set(follows.filter(user__isnull=False).values_list("user_id", flat=True))
        ids |= set(
            Membership.objects.filter(
                council__in=follows.filter(council__isnull=False).values("council_id"),
                status=MembershipStatus.VERIFIED,
            ).values_list("user_id", flat=True)
        )
        ids.discard(project.owner_id)
        deliver(
            User.objects.filter(pk__in=ids, is_active=True),
            kind=NotificationKind.NEW_PROJECT,
            project=project,
        )
    # Councils that said "we need this too" hear it is now seeking support.
    needing = DemandSignal.objects.filter(project=project).values("council_id")
    ids = set(
        Membership.objects.filter(
            council__in=needing, status=MembershipStatus.VERIFIED
        ).values_list("user_id", flat=True)
    )
    ids.discard(project.owner_id)
    deliver(
        User.objects.filter(pk__in=ids, is_active=True),
        kind=NotificationKind.SEEKING_SUPPORT,
        project=project,
    )


def project_published(project_id: int, previous_state: str = State.DRAFT) -> None:
    send_project_published_email.enqueue(project_id, str(previous_state))


# --- digests --------------------------------------------------------------------------------


def nudge_dormant_owners(frequencies: list[str]) -> int:
    """Owners of projects with no update for 90 days get a nudge in their next email."""
    projects = (
        Project.objects.visible()
        .dormant()
        .filter(dormancy_nudged_at__isnull=True, owner__notification_frequency__in=frequencies)
        .select_related("owner")
    )
    count = 0
    for project in projects:
        Notification.objects.filter(
            user=project.owner, kind=NotificationKind.DORMANT, project=project
        ).delete()
        Notification.objects.create(
            user=project.owner, kind=NotificationKind.DORMANT, project=project
        )
        Project.objects.filter(pk=project.pk).update(dormancy_nudged_at=timezone.now())
        count += 1
    return count


def send_digests(frequency: str) -> tuple[int, int]:
    """One email per person with everything new since their last digest. Returns (people, items).

    Running it again sends nothing: every item sent is marked, inside the same transaction as
    the choice of what to send.
    """
    frequencies = [frequency]
    if frequency == NotificationFrequency.DAILY:
        frequencies.append(NotificationFrequency.IMMEDIATE)  # their nudges go out daily
    nudge_dormant_owners(frequencies)
    people = items = 0
    waiting = (
        Notification.objects.filter(sent_at__isnull=True, user__is_active=True)
        .filter(
            Q(user__notification_frequency=frequency)
            | Q(kind=NotificationKind.DORMANT, user__notification_frequency__in=frequencies)
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in list(waiting):
        # One transaction per person: a failed email leaves only that person's items unsent.
        with transaction.atomic():
            notifications = list(
                Notification.objects.select_for_update(of=("self",))
                .filter(user_id=user_id, sent_at__isnull=True)
                .select_related("user", "project__lead_council", "update__author")
                .order_by("created_at", "pk")
            )
            if not notifications:
                continue
            _send(
                notifications[0].user,
                "digest",
                {"notifications": notifications, "frequency": frequency},
            )
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
                sent_at=timezone.now()
            )
        people += 1
        items += len(notifications)
    return people, items
