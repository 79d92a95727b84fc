"""Who hears of what, and when: at once, in a digest, and what a failed email becomes."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import NotificationFrequency
from mail.models import Delivery, DeliveryStatus
from mail.services import delivery_retry
from projects.models import Follow, Notification, NotificationKind, Project
from projects.notifications import nudge_dormant_owners
from projects.services.people import update_post
from tests.factories import OrganiserFactory, UserFactory, published_project
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db


def test_an_at_once_email_that_failed_for_good_goes_in_the_next_daily_digest():
    project = published_project(title="Bins")
    reader = UserFactory(notification_frequency=NotificationFrequency.IMMEDIATE)
    Follow.objects.create(user=reader, project=project)
    update_post(actor=project.owner, project=project, title="Alpha done", body="a")
    at_once = Delivery.objects.get(kind="notification")
    Delivery.objects.filter(pk=at_once.pk).update(
        status=DeliveryStatus.FAILED, sent_at=None, last_error="SMTPDataError: 554"
    )
    Notification.objects.update(sent_at=None)
    mail.outbox.clear()

    call_command("send_digests", "daily")

    assert [m.to for m in mail.outbox] == [[reader.email]]
    assert "Alpha done" in mail.outbox[0].body
    at_once.refresh_from_db()
    # No longer failed, so nobody can send it a second time with Send again.
    assert at_once.status == DeliveryStatus.CANCELLED
    assert at_once.last_error == "Included in a later digest."
    with pytest.raises(Exception, match="Only a failed email"):
        delivery_retry(actor=OrganiserFactory(), delivery=at_once)
    mail.outbox.clear()
    call_command("send_digests", "daily")
    assert mail.outbox == []


def test_an_email_an_organiser_is_sending_again_is_left_out_of_the_digest():
    project = published_project()
    reader = UserFactory(notification_frequency=NotificationFrequency.IMMEDIATE)
    Follow.objects.create(user=reader, project=project)
    update_post(actor=project.owner, project=project, title="News", body="a")
    Delivery.objects.update(status=DeliveryStatus.PENDING, sent_at=None)  # being retried
    Notification.objects.update(sent_at=None)
    mail.outbox.clear()
    call_command("send_digests", "daily")
    assert mail.outbox == []


def _dormant_project() -> Project:
    project = published_project()
    Project.objects.filter(pk=project.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=120)
    )
    return project


def test_a_second_quiet_spell_reuses_the_nudge_instead_of_deleting_it():
    project = _dormant_project()
    assert nudge_dormant_owners() == 1
    first = Notification.objects.get(kind=NotificationKind.DORMANT)
    Notification.objects.filter(pk=first.pk).update(sent_at=timezone.now())
    # An update ends the quiet spell; 120 days later another begins.
    Project.objects.filter(pk=project.pk).update(
        dormancy_nudged_at=None, last_activity_at=timezone.now() - datetime.timedelta(days=120)
    )

    assert nudge_dormant_owners() == 1

    again = Notification.objects.get(kind=NotificationKind.DORMANT)
    assert again.pk == first.pk and again.sent_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_nudge_runs_at_once_nudge_each_owner_once():
    projects = [_dormant_project() for _ in range(5)]

    counts = run_at_once(4, lambda _index: nudge_dormant_owners())

    assert sum(counts) == 5
    assert Notification.objects.filter(kind=NotificationKind.DORMANT).count() == 5
    assert all(p.owner.notifications.count() == 1 for p in projects)
