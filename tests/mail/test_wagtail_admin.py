"""Organisers see failed emails, with the error, in the Wagtail admin and send them again."""

import pytest
from django.core import mail
from django.test import override_settings

from mail.models import Delivery, DeliveryStatus
from projects.models import PledgeState
from tests.factories import OrganiserFactory, UserFactory, make_pledge, published_project

pytestmark = pytest.mark.django_db

EMAILS = "/cms-admin/deliveries/"


@pytest.fixture
def failed():
    """An acceptance email the mail server refused for good."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        make_pledge(published_project(title="Parking permits"), state=PledgeState.ACCEPTED)
    delivery = Delivery.objects.get(params__state="accepted")
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=8, last_error="SMTPDataError: (554, b'Rejected')"
    )
    return delivery


def test_organisers_see_failed_emails_with_the_error_and_send_them_again(client, failed):
    client.force_login(OrganiserFactory())

    dashboard = client.get("/cms-admin/").content.decode()
    assert "Emails that could not be sent" in dashboard
    listing = client.get(f"{EMAILS}?status=failed").content.decode()
    assert failed.user.email in listing
    assert "SMTPDataError: (554, b&#x27;Rejected&#x27;)" in listing
    retry = f"{EMAILS}retry/{failed.pk}/"
    assert retry in listing

    mail.outbox.clear()
    response = client.post(retry)

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT  # the immediate backend sent it at once
    assert [m.to for m in mail.outbox] == [[failed.user.email]]
    assert "Parking permits" in mail.outbox[0].subject
    assert retry not in client.get(EMAILS).content.decode()  # sent: nothing to retry


def test_sending_again_what_was_sent_is_refused_with_a_message(client, failed):
    Delivery.objects.filter(pk=failed.pk).update(status=DeliveryStatus.PENDING)
    client.force_login(OrganiserFactory())
    response = client.post(f"{EMAILS}retry/{failed.pk}/")
    assert response.status_code == 200
    assert "Only a failed email can be sent again" in response.content.decode()


def test_people_who_are_not_organisers_cannot_see_or_retry_emails(client, failed):
    client.force_login(UserFactory())
    assert client.get(EMAILS).status_code in (302, 403)
    assert client.post(f"{EMAILS}retry/{failed.pk}/").status_code in (302, 403)
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
