"""The funding tables refuse what no service should write: the invariants live in the database."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from funding.models import ApplicationState, CallStatus
from tests.factories import ApplicationFactory, CallFactory, CouncilCommitmentFactory

pytestmark = pytest.mark.django_db


def refused(**changes) -> None:
    call = CallFactory()
    for field, value in changes.items():
        setattr(call, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        call.save()


def test_a_call_awards_no_more_than_its_budget():
    refused(max_award=600_000_00)


def test_a_call_closes_after_it_opens():
    call = CallFactory()
    call.closes_at = call.opens_at
    with pytest.raises(IntegrityError), transaction.atomic():
        call.save()


def test_a_published_call_says_when():
    refused(status=CallStatus.PUBLISHED, published_at=None)


def test_a_call_is_open_only_between_its_times():
    call = CallFactory()
    assert call.is_open()
    assert not call.is_open(call.closes_at)
    assert not call.is_open(call.opens_at - datetime.timedelta(seconds=1))


def test_one_live_bid_per_project_per_call():
    first = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(call=first.call, project=first.project)
    first.state = ApplicationState.WITHDRAWN
    first.save()
    ApplicationFactory(call=first.call, project=first.project)  # a fresh bid after withdrawing


def test_a_council_records_a_commitment_once():
    signed = CouncilCommitmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CouncilCommitmentFactory(council=signed.council, commitment=signed.commitment)
