"""The closing-time race: the server's clock decides, at the last moment before the commit.

A submission that started before the closing time but reaches its last check after it (held up
by a lock someone else holds on the call, or by slow checks) is refused and leaves nothing
behind: no state change, no email. The races run for real on PostgreSQL, each thread on its own
connection; the exact boundary is a unit test with a frozen clock.
"""

import datetime
import threading
import time
from unittest import mock

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from core.errors import Conflict
from funding.eligibility import application_shortfalls
from funding.models import Application, ApplicationState, Call
from funding.services import applications as services
from mail.models import Delivery
from tests.threads import run_at_once

from .applying import eligible

CLOSING_IN = datetime.timedelta(seconds=3)


def _closing_soon(w) -> datetime.datetime:
    closes_at = timezone.now() + CLOSING_IN
    Call.objects.filter(pk=w.call.pk).update(closes_at=closes_at)
    return closes_at


def _sleep_until(moment: datetime.datetime) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()))


def _nothing_submitted(w) -> None:
    application = Application.objects.get(pk=w.application.pk)
    assert application.state == ApplicationState.DRAFT
    assert application.submitted_at is None
    assert not Delivery.objects.filter(kind="application").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_submission_held_up_past_the_closing_time_by_a_lock_is_refused():
    """Someone holds the call's row (the funder editing it, another submission) across the
    closing time; a submission that started before it waits, then finds the clock past it."""
    w = eligible()
    closes_at = _closing_soon(w)
    locked = threading.Event()
    connection.close()  # the threads open their own

    def holder() -> None:
        with transaction.atomic():
            Call.objects.select_for_update().get(pk=w.call.pk)
            locked.set()
            _sleep_until(closes_at + datetime.timedelta(seconds=1))

    def submitter():
        assert locked.wait(timeout=30)
        started = timezone.now()
        assert started < closes_at, "the submission must start before the closing time"
        application = Application.objects.get(pk=w.application.pk)
        services.application_submit(actor=w.approver, application=application)

    results = run_at_once(2, lambda i: holder() if i == 0 else submitter())
    assert results[0] is None
    refusal = results[1]
    assert isinstance(refusal, Conflict), refusal
    assert refusal.code == "call_closed"
    assert refusal.message.endswith("; your application was not submitted.")
    _nothing_submitted(w)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_wait_ending_before_the_closing_time_is_accepted():
    """The control for the race above: a lock released in time lets the submission through."""
    w = eligible()
    Call.objects.filter(pk=w.call.pk).update(
        closes_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    locked = threading.Event()
    connection.close()

    def holder() -> None:
        with transaction.atomic():
            Call.objects.select_for_update().get(pk=w.call.pk)
            locked.set()
            time.sleep(1)

    def submitter():
        assert locked.wait(timeout=30)
        application = Application.objects.get(pk=w.application.pk)
        return services.application_submit(actor=w.approver, application=application).state

    results = run_at_once(2, lambda i: holder() if i == 0 else submitter())
    assert results == [None, ApplicationState.SUBMITTED]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_submit_once():
    w = eligible()
    connection.close()

    def submit(index: int):
        application = Application.objects.get(pk=w.application.pk)
        return services.application_submit(actor=w.approver, application=application).state

    results = run_at_once(4, submit)
    assert results.count(ApplicationState.SUBMITTED) == 1, results
    refusals = [r for r in results if isinstance(r, Conflict)]
    assert len(refusals) == 3 and all("cannot be submitted again" in r.message for r in refusals)
    # One email per person: the owner and the partner's officer.
    assert Delivery.objects.filter(kind="application").count() == 2


@pytest.mark.django_db
def test_checks_slowed_past_the_closing_time_are_refused_by_the_last_check():
    """The eligibility checks pass, but take until after the closing time: the clock is read
    again after them, and it has the last word."""
    w = eligible()
    closes_at = _closing_soon(w)

    def slow_checks(*args, **kwargs):
        found = application_shortfalls(*args, **kwargs)
        _sleep_until(closes_at + datetime.timedelta(milliseconds=200))
        return found

    assert timezone.now() < closes_at
    with (
        mock.patch.object(services, "application_shortfalls", slow_checks),
        pytest.raises(Conflict) as refused,
    ):
        services.application_submit(actor=w.approver, application=w.application)
    time_text = timezone.localtime(closes_at).strftime("%H:%M")
    assert refused.value.message.startswith(f"This call closed at {time_text} on ")
    assert refused.value.message.endswith("; your application was not submitted.")
    _nothing_submitted(w)


@pytest.mark.django_db
def test_exactly_at_the_closing_time_is_too_late_and_a_moment_before_is_not():
    w = eligible()
    closes_at = datetime.datetime(2026, 3, 4, 12, 0, tzinfo=datetime.UTC)
    Call.objects.filter(pk=w.call.pk).update(
        opens_at=closes_at - datetime.timedelta(days=28), closes_at=closes_at
    )
    with time_machine.travel(closes_at, tick=False), pytest.raises(Conflict) as refused:
        services.application_submit(actor=w.approver, application=w.application)
    assert refused.value.message == (
        "This call closed at 12:00 on 4 March 2026; your application was not submitted."
    )
    _nothing_submitted(w)
    just_before = closes_at - datetime.timedelta(microseconds=1)
    with time_machine.travel(just_before, tick=False):
        submitted = services.application_submit(actor=w.approver, application=w.application)
    assert submitted.state == ApplicationState.SUBMITTED
    assert submitted.submitted_at == just_before
