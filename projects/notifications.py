"""Emails about projects, recorded in the same transaction as the change that causes them.

Services call the functions in the first sections from inside their transaction (the outbox
rule): a pledge, a team decision or a moderation writes one ``mail`` delivery (one email to one
person, keyed on the event and the person) and its task; an update or a publication writes one
fan-out task, which on a worker records a ``Notification`` per person who wants to hear and a
delivery per person who chose "at once". Everything else waits for ``send_digests``. A rolled
back change sends nothing; a committed one is sent by the workers even if the server stops.

Each email is built when it is sent (on a worker), in the recipient's language, by the message
kinds registered at the bottom.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_tasks import task

from accounts.models import NotificationFrequency
from councils.models import Membership, MembershipStatus
from mail.messages import Gone, MessageKind, register
from mail.models import Delivery, DeliveryStatus
from mail.services import deliveries_add, deliveries_enqueue, deliveries_supersede, delivery_add

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


def _render(user, template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of an email to this person, in their language."""
    context = {**context, "user": user, "base_url": settings.PIPELINE_BASE_URL}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        # One line, or send_mail refuses it (a title sent with a line break was a 500).
        subject = " ".join(_plain_text(f"emails/{template}_subject.txt", context).split())
        body = _plain_text(f"emails/{template}.txt", context)
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


# --- pledges, teams and moderation: straight to the person concerned ------------------------
# A pledge reaches each state once and a team request is decided once, so (object, state) names
# the event; a project may be hidden and restored many times, so its change time does.


def pledge_changed(pledge: Pledge, state: str, *, from_state: str = "") -> None:
    """The owner hears of new and withdrawn offers; the pledger of the project's decisions.

    A pledge waiting for sign-off is news only inside the pledging council: its approvers hear
    that it waits, the pledger hears their answer, and the owner hears of it only once it is
    approved (an offer like any other) and never of one refused or withdrawn while it waited.
    """
    from councils.selectors import council_approver_ids

    if state == PledgeState.PENDING:
        for approver_id in council_approver_ids(council=pledge.council):
            delivery_add(
                key=f"pledge:{pledge.pk}:pending:{approver_id}",
                user_id=approver_id,
                kind="pledge",
                params={"pledge": pledge.pk, "state": "pending"},
            )
        return
    if pledge.amends_id and from_state in ("", PledgeState.PENDING, PledgeState.PROPOSED):
        _amendment_changed(pledge, state, from_state=from_state)
        return
    if from_state == PledgeState.PENDING:
        if state in (PledgeState.OFFERED, PledgeState.CONDITIONAL):
            # Signed off: the pledger hears, then the owner below.
            delivery_add(
                key=f"pledge:{pledge.pk}:approved",
                user_id=pledge.pledged_by_id,
                kind="pledge",
                params={"pledge": pledge.pk, "state": "approved"},
            )
        elif state == PledgeState.WITHDRAWN:
            return
    if state in (PledgeState.OFFERED, PledgeState.CONDITIONAL, PledgeState.WITHDRAWN):
        recipient = pledge.project.owner_id
    elif state in (
        PledgeState.ACCEPTED,
        PledgeState.DECLINED,
        PledgeState.FULFILLED,
        PledgeState.REFUSED,
    ):
        recipient = pledge.pledged_by_id
    else:
        return
    delivery_add(
        key=f"pledge:{pledge.pk}:{state}",
        user_id=recipient,
        kind="pledge",
        params={"pledge": pledge.pk, "state": str(state)},
    )


def pledge_condition_settled(pledge: Pledge, state: str) -> None:
    """Both sides hear when Pipeline settles a conditional pledge: its condition met (it is now
    an offer to accept or decline) or lapsed. Once each, as the pledge moves once."""
    event = "condition_met" if state == PledgeState.OFFERED else "lapsed"
    for user_id in (pledge.pledged_by_id, pledge.project.owner_id):
        delivery_add(
            key=f"pledge:{pledge.pk}:{event}:{user_id}",
            user_id=user_id,
            kind="pledge",
            params={"pledge": pledge.pk, "state": event},
        )


def _amendment_changed(amendment: Pledge, state: str, *, from_state: str) -> None:
    """A proposed change: the owner hears of it once it reaches them (at once, or when signed
    off) and if it is withdrawn; the proposer hears the owner's answer. An amendment is proposed,
    decided and withdrawn once each, so (amendment, what happened) names the event."""
    sends: list[tuple[str, int]] = []
    if state == PledgeState.PROPOSED:
        if from_state == PledgeState.PENDING:
            sends.append(("approved", amendment.pledged_by_id))
        sends.append(("proposed", amendment.project.owner_id))
    elif from_state == PledgeState.PROPOSED:
        if state == PledgeState.DECLINED:
            sends.append(("amendment_declined", amendment.pledged_by_id))
        elif state == PledgeState.WITHDRAWN:
            sends.append(("amendment_withdrawn", amendment.project.owner_id))
        else:  # it took its original's place
            sends.append(("amendment_accepted", amendment.pledged_by_id))
    elif state == PledgeState.REFUSED:
        sends.append(("refused", amendment.pledged_by_id))
    for what, recipient in sends:
        delivery_add(
            key=f"pledge:{amendment.pk}:{what}",
            user_id=recipient,
            kind="pledge",
            params={"pledge": amendment.pk, "state": what},
        )


def team_changed(membership: TeamMembership, status: str) -> None:
    """The owner hears of a request to join; the person of the owner's decision."""
    if status == TeamStatus.REQUESTED:
        recipient = membership.project.owner_id
    elif status in (TeamStatus.ACTIVE, TeamStatus.DECLINED):
        recipient = membership.user_id
    else:
        return
    delivery_add(
        key=f"team:{membership.pk}:{status}",
        user_id=recipient,
        kind="team",
        params={"membership": membership.pk, "status": str(status)},
    )


def project_moderated(project: Project, template: str) -> None:
    """The owner hears that organisers hid (with the reason) or restored their project."""
    delivery_add(
        key=f"{template}:{project.pk}:{project.updated_at.isoformat()}",
        user_id=project.owner_id,
        kind="moderation",
        params={"project": project.pk, "template": template},
    )


def membership_decided(membership_id: int, status: str) -> None:
    """The person hears that their request to join a council was approved or refused (in the
    same transaction as the decision, like every other email)."""
    delivery_add(
        key=f"membership:{membership_id}:{status}",
        user_id=Membership.objects.values_list("user_id", flat=True).get(pk=membership_id),
        kind="membership",
        params={"membership": membership_id, "status": str(status)},
    )


# --- updates and publications: a fan-out task per event ------------------------------------


def update_posted(update: Update) -> None:
    notify_update.enqueue(update.pk)


def project_published(project: Project, previous_state: str = State.DRAFT) -> None:
    notify_project_published.enqueue(project.pk, str(previous_state))


def _notify(
    user_ids: set[int], *, kind: str, project: Project, update: Update | None = None
) -> list[int]:
    """A notification for each person who wants one, not told of this before, and a delivery
    for each who chose "at once" (returned, to queue once the fan-out has written everything).
    The caller holds the event's row locked, so a fan-out run twice records nothing twice."""
    people = dict(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .exclude(notification_frequency=NotificationFrequency.NEVER)
        .values_list("pk", "notification_frequency")
    )
    told = set(
        Notification.objects.filter(
            user_id__in=list(people), kind=kind, project=project, update=update
        ).values_list("user_id", flat=True)
    )
    new = sorted(set(people) - told)
    event = f"{kind}:{project.pk}:{update.pk if update else ''}"
    deliveries = deliveries_add(
        {"key": f"notification:{event}:{user_id}", "user_id": user_id, "kind": "notification"}
        for user_id in new
        if people[user_id] == NotificationFrequency.IMMEDIATE
    )
    delivery_for = {d.user_id: d.pk for d in deliveries}
    Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            kind=kind,
            project=project,
            update=update,
            delivery_id=delivery_for.get(user_id),
        )
        for user_id in new
    )
    return list(delivery_for.values())


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
def notify_update(update_id: int) -> int:
    """Followers and members of partner councils hear of an update. Returns emails queued."""
    with transaction.atomic():
        update = (
            Update.objects.select_for_update(of=("self",))
            .select_related("project")
            .filter(pk=update_id)
            .first()
        )
        if update is None:
            return 0  # deleted since: nothing to tell
        project = update.project
        ids = set(Follow.objects.filter(project=project).values_list("user_id", flat=True))
        ids |= _partner_council_member_ids(project)
        ids.discard(update.author_id)
        queued = _notify(ids, kind=NotificationKind.UPDATE, project=project, update=update)
        deliveries_enqueue(queued)
        return len(queued)


@task()
def notify_project_published(project_id: int, previous_state: str) -> int:
    """Who hears that a project is seeking support. Returns emails queued."""
    with transaction.atomic():
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("owner", "lead_council")
            .filter(pk=project_id)
            .first()
        )
        if project is None:
            return 0
        queued: list[int] = []
        if previous_state == State.DRAFT:
            # The lead council's members hear that their council has published a project.
            members = (
                Membership.objects.filter(
                    council=project.lead_council, status=MembershipStatus.VERIFIED
                )
                .exclude(user=project.owner)
                .values_list("user_id", flat=True)
            )
            queued += [
                d.pk
                for d in deliveries_add(
                    {
                        "key": f"project-published:{project.pk}:{user_id}",
                        "user_id": user_id,
                        "kind": "project_published",
                        "params": {"project": project.pk},
                    }
                    for user_id in members
                )
            ]
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
            queued += _notify(ids, kind=NotificationKind.NEW_PROJECT, project=project)
        # Councils that said "we need this too" hear it is now seeking support.
        needing = DemandSignal.objects.filter(project=project).values("council_id")
        ids = set(
            Membership.objects.filter(
                council__in=needing, status=MembershipStatus.VERIFIED
            ).values_list("user_id", flat=True)
        )
        ids.discard(project.owner_id)
        queued += _notify(ids, kind=NotificationKind.SEEKING_SUPPORT, project=project)
        deliveries_enqueue(queued)
        return len(queued)


# --- dormancy and digests (the scheduler runs these) ----------------------------------------


def nudge_dormant_owners() -> int:
    """Owners of projects with no update for 90 days get a nudge in their next digest, once
    per quiet spell (an update clears ``dormancy_nudged_at``). Each project is locked and
    checked again first, so two runs at once nudge it once; an earlier nudge's row is reused."""
    count = 0
    candidates = list(
        Project.objects.visible()
        .no_recent_update()
        .filter(dormancy_nudged_at__isnull=True)
        .exclude(owner__notification_frequency=NotificationFrequency.NEVER)
        .values_list("pk", flat=True)
    )
    for pk in candidates:
        with transaction.atomic():
            project = (
                Project.objects.visible()
                .no_recent_update()
                .select_for_update(of=("self",), skip_locked=True)
                .filter(pk=pk, dormancy_nudged_at__isnull=True)
                .first()
            )
            if project is None:
                continue  # updated, or nudged by another run, since
            now = timezone.now()
            Notification.objects.update_or_create(
                user_id=project.owner_id,
                kind=NotificationKind.DORMANT,
                project=project,
                update=None,
                defaults={"created_at": now, "sent_at": None, "delivery": None},
            )
            Project.objects.filter(pk=pk).update(dormancy_nudged_at=now)
        count += 1
    return count


def _digest_frequencies(frequency: str) -> list[str]:
    if frequency == NotificationFrequency.DAILY:
        # People who chose "at once" get in the daily digest what could not go at once: nudges,
        # and emails that failed for good.
        return [NotificationFrequency.DAILY, NotificationFrequency.IMMEDIATE]
    return [frequency]


def send_digests(frequency: str, *, run_key: str | None = None) -> tuple[int, int]:
    """Plan one digest per person with news waiting: a delivery each, holding its
    notifications, queued ``MAIL_BATCH_SIZE`` to a task (one SMTP connection each), all in one
    transaction. Returns (people, items).

    Running it again plans nothing new: every waiting notification is locked and taken by one
    digest. A notification whose email failed for good is taken too, and that failed email is
    marked as not needed, so a Retry cannot send it a second time.
    """
    run_key = run_key or timezone.now().isoformat()
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                sent_at__isnull=True,
                user__is_active=True,
                user__notification_frequency__in=_digest_frequencies(frequency),
            )
            .filter(Q(delivery__isnull=True) | Q(delivery__status=DeliveryStatus.FAILED))
            .order_by("user_id", "pk")
            .values_list("pk", "user_id", "delivery_id")
        )
        earlier = {delivery_id for _pk, _user, delivery_id in waiting if delivery_id}
        still_failed = set(
            Delivery.objects.select_for_update()
            .filter(pk__in=earlier, status=DeliveryStatus.FAILED)
            .values_list("pk", flat=True)
        )
        by_user: dict[int, list[int]] = {}
        for pk, user_id, delivery_id in waiting:
            if delivery_id is None or delivery_id in still_failed:
                by_user.setdefault(user_id, []).append(pk)
        digests = deliveries_add(
            {
                "key": f"digest:{frequency}:{run_key}:{user_id}",
                "user_id": user_id,
                "kind": "digest",
                "params": {"frequency": frequency},
            }
            for user_id in by_user
        )
        items = 0
        superseded: list[int] = []
        for digest in digests:
            taken = Notification.objects.filter(pk__in=by_user[digest.user_id])
            superseded += [d for d in taken.values_list("delivery_id", flat=True) if d]
            items += taken.update(delivery=digest)
        deliveries_supersede(superseded, reason=str(gettext_lazy("Included in a later digest.")))
        deliveries_enqueue([d.pk for d in digests], batch_size=settings.MAIL_BATCH_SIZE)
    return len(digests), items


@task()
def send_digests_task(frequency: str, scheduled_for: str = "") -> list[int]:
    return list(send_digests(frequency, run_key=scheduled_for or None))


@task()
def nudge_dormant_owners_task(scheduled_for: str = "") -> int:
    return nudge_dormant_owners()


# --- what each email says (built on a worker when it is sent) -------------------------------


def _build_pledge(delivery: Delivery) -> tuple[str, str]:
    pledge = Pledge.objects.select_related(
        "project__owner", "project__lead_council", "council", "pledged_by", "amends"
    ).get(pk=delivery.params["pledge"])
    state = delivery.params["state"]
    context = {"pledge": pledge, "project": pledge.project, "state": state}
    return _render(delivery.user, f"pledge_{state}", context)


def _build_team(delivery: Delivery) -> tuple[str, str]:
    membership = TeamMembership.objects.select_related("project__owner", "user", "council").get(
        pk=delivery.params["membership"]
    )
    context = {"membership": membership, "project": membership.project}
    return _render(delivery.user, f"team_{delivery.params['status']}", context)


def _build_moderation(delivery: Delivery) -> tuple[str, str]:
    project = Project.objects.select_related("owner", "lead_council").get(
        pk=delivery.params["project"]
    )
    return _render(delivery.user, delivery.params["template"], {"project": project})


def _build_membership(delivery: Delivery) -> tuple[str, str]:
    membership = Membership.objects.select_related("user", "council").get(
        pk=delivery.params["membership"]
    )
    return _render(
        delivery.user, f"membership_{delivery.params['status']}", {"membership": membership}
    )


def _build_published(delivery: Delivery) -> tuple[str, str]:
    project = Project.objects.select_related("owner", "lead_council").get(
        pk=delivery.params["project"]
    )
    return _render(delivery.user, "project_published", {"project": project})


def _notifications(delivery: Delivery) -> list[Notification]:
    notifications = list(
        Notification.objects.filter(delivery=delivery)
        .select_related("project__lead_council", "update__author", "update__project")
        .order_by("created_at", "pk")
    )
    if not notifications:
        raise Gone(gettext_lazy("What this email was about has been deleted."))
    return notifications


def _build_notification(delivery: Delivery) -> tuple[str, str]:
    notification = _notifications(delivery)[0]
    context = {
        "notification": notification,
        "project": notification.project,
        "update": notification.update,
    }
    return _render(delivery.user, "notification", context)


def _build_digest(delivery: Delivery) -> tuple[str, str]:
    context = {
        "notifications": _notifications(delivery),
        "frequency": delivery.params["frequency"],
    }
    return _render(delivery.user, "digest", context)


def _notifications_sent(delivery: Delivery) -> None:
    Notification.objects.filter(delivery=delivery).update(sent_at=delivery.sent_at)


register("pledge", MessageKind(gettext_lazy("Pledge"), _build_pledge))
register("team", MessageKind(gettext_lazy("Maker team"), _build_team))
register("moderation", MessageKind(gettext_lazy("Moderation"), _build_moderation))
register("membership", MessageKind(gettext_lazy("Council membership"), _build_membership))
register("project_published", MessageKind(gettext_lazy("Project published"), _build_published))
register(
    "notification",
    MessageKind(gettext_lazy("Notification"), _build_notification, _notifications_sent),
)
register("digest", MessageKind(gettext_lazy("Digest"), _build_digest, _notifications_sent))
