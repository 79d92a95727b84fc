"""Email deliveries: the outbox rule, exactly one email per person per event, retries with
backoff against a real SMTP server, and bad input that fails one message and nothing else."""

import datetime

import pytest
from django.core import mail
from django.db import OperationalError, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bench.smtp import free_port
from core.errors import Conflict, NotAllowed
from mail import services
from mail.models import Delivery, DeliveryStatus
from mail.tasks import send_deliveries
from projects.models import Notification, PledgeState, Project
from projects.notifications import pledge_changed, send_digests
from projects.services import pledge_accept, pledge_offer
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


def _offer(project, council=None):
    council = council or CouncilFactory()
    return pledge_offer(
        actor=verified_member(council), project=project, council=council, kind="money", amount=500
    )


# --- the outbox rule --------------------------------------------------------------------------


def test_a_rolled_back_pledge_leaves_no_email_and_no_task(database_queue):
    project = published_project()

    with pytest.raises(RuntimeError), transaction.atomic():
        _offer(project)
        raise RuntimeError("the request failed after the pledge was written")

    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__startswith="mail.").exists()
    assert mail.outbox == []


def test_a_pledge_offered_and_accepted_queues_its_emails_and_nothing_else(database_queue):
    """The ledger's rows stay out of Wagtail's reference index, whose upkeep queued two tasks
    more for every pledge written, each for a worker to run."""
    project, council = published_project(), CouncilFactory()
    pledger = verified_member(council)
    DBTaskResult.objects.all().delete()  # the set-up's own

    pledge = pledge_offer(actor=pledger, project=project, council=council, kind="money", amount=500)
    pledge_accept(actor=project.owner, pledge=pledge)

    tasks = DBTaskResult.objects.order_by("enqueued_at")
    assert [t.task_path for t in tasks] == ["mail.tasks.send_deliveries"] * 2
    assert sorted(Delivery.objects.values_list("user", flat=True)) == sorted(
        [project.owner.pk, pledge.pledged_by.pk]
    )


def test_a_committed_pledge_queues_one_email_that_a_worker_sends_once(database_queue):
    project = published_project()
    _offer(project)

    # The request sent nothing: the email and its task are rows, waiting for a worker.
    assert mail.outbox == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.user) == (DeliveryStatus.PENDING, project.owner)
    task = DBTaskResult.objects.get(task_path__startswith="mail.")
    assert task.task_path == "mail.tasks.send_deliveries"
    assert task.args_kwargs["args"] == [[delivery.pk]]

    # A worker runs it; a duplicate of the task (or a retry) finds it sent and sends nothing.
    for _ in range(2):
        send_deliveries.call([delivery.pk])
    assert [m.to for m in mail.outbox] == [[project.owner.email]]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None


def test_the_same_event_records_one_email(database_queue):
    pledge = make_pledge(published_project())
    before = Delivery.objects.count()
    pledge_changed(pledge, PledgeState.OFFERED)  # the event again, e.g. a re-run
    assert Delivery.objects.count() == before


# --- sending over SMTP --------------------------------------------------------------------------


def _deliveries(count: int, **kwargs) -> list[Delivery]:
    """Pledge emails to ``count`` project owners, recorded but not yet sent."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        for _ in range(count):
            make_pledge(published_project(), **kwargs)
    return list(Delivery.objects.order_by("pk"))


def test_a_batch_is_sent_over_one_smtp_connection(smtp):
    deliveries = _deliveries(5)

    outcome = services.deliveries_send([d.pk for d in deliveries])

    assert outcome == {"sent": 5}
    assert smtp.recorder.connections == 1
    assert sorted(m.to[0] for m in smtp.recorder.messages) == sorted(
        d.user.email for d in deliveries
    )
    # The Message-ID is the delivery's own, so a copy sent again is recognisably the same.
    ids = {m.message_id for m in smtp.recorder.messages}
    assert len(ids) == 5 and all(i.startswith("<delivery.") for i in ids)


def test_a_database_lost_mid_batch_sends_each_email_once(smtp, monkeypatch):
    """The database goes away: before the first message is begun, at the commit of the second
    (which landed; only its answer was lost) and at the commit of the third (which did not land,
    with the server holding all of it but the final dot). Each arrives once."""
    deliveries = _deliveries(3)
    first, second, third = (d.pk for d in deliveries)
    failures = {"before": 1, "landed": 1, "not landed": 1}
    original_build_kind = services.message_kind

    def message_kind(name):
        if failures["before"] and Delivery.objects.filter(pk=first, attempts=0).exists():
            failures["before"] -= 1
            raise OperationalError("terminating connection due to administrator command")
        return original_build_kind(name)

    original_prepare = services._prepare

    def prepare(pk, connection):
        if pk == second and failures["landed"]:
            failures["landed"] -= 1
            original_prepare(pk, connection)
            raise OperationalError("server closed the connection unexpectedly")
        if pk == third and failures["not landed"]:
            failures["not landed"] -= 1
            with transaction.atomic():  # undone, as a commit that never reached the server
                original_prepare(pk, connection)
                raise OperationalError("server closed the connection unexpectedly")
        return original_prepare(pk, connection)

    monkeypatch.setattr(services, "message_kind", message_kind)
    monkeypatch.setattr(services, "_prepare", prepare)
    monkeypatch.setattr(services.db_connection, "close", lambda: None)  # the test's transaction
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)

    outcome = services.deliveries_send([d.pk for d in deliveries])

    assert failures == {"before": 0, "landed": 0, "not landed": 0}
    assert outcome == {"sent": 3}
    assert sorted(m.to[0] for m in smtp.recorder.messages) == sorted(
        d.user.email for d in deliveries
    )
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # The third's first try closed its connection without the final dot (the server kept
    # nothing: one message each, above), so its retry opened a second.
    assert smtp.recorder.connections == 2


def test_a_message_refused_at_its_final_dot_is_recorded_unsent_and_retried(smtp):
    reader = UserFactory(notification_frequency="daily")
    Notification.objects.create(user=reader, kind="new_project", project=published_project())
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        send_digests("daily")
    delivery = Delivery.objects.get(kind="digest")
    smtp.recorder.reply = "452 4.3.1 Insufficient system storage"  # the answer to the dot

    assert services.deliveries_send([delivery.pk]) == {"retrying": 1}

    delivery.refresh_from_db()
    assert (delivery.status, delivery.sent_at, delivery.attempts) == (
        DeliveryStatus.PENDING,
        None,
        1,
    )
    assert "452" in delivery.last_error
    # Its news is not marked told, so nothing is lost if it is never sent.
    assert Notification.objects.get(delivery=delivery).sent_at is None
    assert smtp.recorder.messages == []

    smtp.recorder.reply = None
    delivery.next_attempt_at = timezone.now()
    delivery.save()
    assert services.deliveries_send([delivery.pk]) == {"sent": 1}
    assert Notification.objects.get(delivery=delivery).sent_at is not None
    assert [m.to for m in smtp.recorder.messages] == [[reader.email]]


def test_temporary_refusals_are_retried_with_backoff_then_fail_for_organisers(smtp, settings):
    settings.MAIL_MAX_ATTEMPTS = 4
    settings.MAIL_RETRY_SECONDS = 60
    smtp.recorder.reply = "451 4.3.0 Mailbox busy, try again later"
    (delivery,) = _deliveries(1)

    delays = []
    for _ in range(3):
        before = timezone.now()
        assert services.deliveries_send([delivery.pk]) == {"retrying": 1}
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        delays.append((delivery.next_attempt_at - before).total_seconds())
    # 60 s, 120 s, 240 s (give or take the 10% jitter): exponential.
    assert [round(d / 60) for d in delays] == [1, 2, 4]
    assert "451" in delivery.last_error

    assert services.deliveries_send([delivery.pk]) == {"failed": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 4)
    assert smtp.recorder.messages == []


def test_a_permanent_refusal_fails_at_once(smtp):
    smtp.recorder.reply = "550 5.1.1 No such mailbox"
    (delivery,) = _deliveries(1)
    assert services.deliveries_send([delivery.pk]) == {"failed": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "550" in delivery.last_error


def test_no_server_postpones_the_whole_batch_as_one_retry(settings, database_queue):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    deliveries = _deliveries(3)
    DBTaskResult.objects.all().delete()

    assert services.deliveries_send([d.pk for d in deliveries]) == {"retrying": 3}

    for delivery in Delivery.objects.all():
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert "Connection refused" in delivery.last_error
    retry = DBTaskResult.objects.get()
    assert sorted(retry.args_kwargs["args"][0]) == sorted(d.pk for d in deliveries)
    assert retry.run_after > timezone.now()


# --- bad input --------------------------------------------------------------------------------

BROKEN = {"emails/pledge_offered.txt": "{% load i18n %}{% if %}broken{% endif %}"}


def _templates_with(overrides: dict, settings) -> list:
    template_settings = [dict(settings.TEMPLATES[0])]
    template_settings[0]["APP_DIRS"] = False
    template_settings[0]["OPTIONS"] = {
        **template_settings[0]["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", overrides),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    return template_settings


def test_a_template_error_fails_that_email_only_and_the_queue_goes_on(smtp, settings):
    _deliveries(1, state=PledgeState.ACCEPTED)  # an offer's email, then an acceptance's
    offered, accepted = Delivery.objects.order_by("pk")
    settings.TEMPLATES = _templates_with(BROKEN, settings)

    outcome = services.deliveries_send([offered.pk, accepted.pk])

    assert outcome == {"failed": 1, "sent": 1}
    offered.refresh_from_db()
    assert (offered.status, offered.params["state"]) == (DeliveryStatus.FAILED, "offered")
    assert "TemplateSyntaxError" in offered.last_error
    assert [m.to for m in smtp.recorder.messages] == [[accepted.user.email]]


def test_an_email_about_a_deleted_project_is_cancelled_not_retried(smtp):
    project = published_project()
    reader = UserFactory(notification_frequency="daily")
    Notification.objects.create(user=reader, kind="new_project", project=project)
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        send_digests("daily")
    digest = Delivery.objects.get(kind="digest")
    Project.objects.filter(pk=project.pk).delete()  # its notifications go with it

    assert services.deliveries_send([digest.pk]) == {"cancelled": 1}
    digest.refresh_from_db()
    assert digest.status == DeliveryStatus.CANCELLED
    assert digest.last_error == "What this email was about has been deleted."
    assert services.deliveries_send([digest.pk]) == {"skipped": 1}  # and never again
    assert smtp.recorder.messages == []


def test_an_email_to_a_deleted_person_ends_quietly(smtp, database_queue):
    pledge = make_pledge(published_project(), state=PledgeState.ACCEPTED)
    person = UserFactory()
    services.delivery_add(
        key="test:deleted-person",
        user_id=person.pk,
        kind="pledge",
        params={"pledge": pledge.pk, "state": "accepted"},
    )
    delivery = Delivery.objects.get(user=person)
    person.delete()
    assert services.deliveries_send([delivery.pk]) == {"skipped": 1}
    assert not Delivery.objects.filter(key="test:deleted-person").exists()


# --- Retry ------------------------------------------------------------------------------------


def test_only_organisers_retry_and_only_failed_emails():
    (delivery,) = _deliveries(1)
    with pytest.raises(NotAllowed):
        services.delivery_retry(actor=UserFactory(), delivery=delivery)
    with pytest.raises(Conflict, match="Only a failed email"):
        services.delivery_retry(actor=OrganiserFactory(), delivery=delivery)


def test_stranded_deliveries_are_queued_again(database_queue):
    (delivery,) = _deliveries(1)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1)
    )
    DBTaskResult.objects.all().delete()  # its task was lost

    assert services.deliveries_requeue_stale() == 1
    assert DBTaskResult.objects.get().args_kwargs["args"] == [[delivery.pk]]
    assert services.deliveries_requeue_stale() == 0  # not again while it waits in the queue
