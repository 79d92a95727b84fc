"""The security log (logger ``pipeline.security``): one JSON object per event, with who, from
where and what, and never a password, token or email address."""

import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.models import APIToken

from councils import services as council_services
from councils.models import MembershipStatus
from tests.factories import CouncilFactory, MembershipFactory, OrganiserFactory, verified_member
from tests.factories.accounts import PASSWORD, UserFactory

from .helpers import token_for
from .world import make_world

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def events(caplog, name: str | None = None) -> list[dict]:
    found = [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "pipeline.security"
    ]
    return [e for e in found if name is None or e["event"] == name]


@pytest.fixture(autouse=True)
def _capture(caplog):
    caplog.set_level(logging.INFO, logger="pipeline.security")


def test_the_security_logger_is_configured_in_settings():
    assert settings.LOGGING["loggers"]["pipeline.security"]["level"] == "INFO"
    assert logging.getLogger("pipeline.security").isEnabledFor(logging.INFO)


def test_a_failed_sign_in_is_logged_without_the_address_or_password(caplog):
    UserFactory(email="ben@example.org")
    Client(REMOTE_ADDR="192.0.2.10").post(
        LOGIN, {"login": "ben@example.org", "password": "hunter2-wrong"}
    )

    [event] = events(caplog, "login_failed")
    assert event["ip"] == "192.0.2.10"
    assert event["email_domain"] == "example.org"
    assert len(event["email_hash"]) == 16
    assert event["path"] == LOGIN and event["method"] == "POST"
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "ben@example.org" not in logged and "hunter2" not in logged
    [record] = [r for r in caplog.records if r.name == "pipeline.security"]
    assert record.levelno == logging.WARNING


def test_failed_token_exchanges_are_logged_as_failed_sign_ins(caplog):
    user = UserFactory()
    APIClient().post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": "wrong", "name": "Script"},
        format="json",
    )
    assert len(events(caplog, "login_failed")) == 1


def test_a_refused_api_action_is_logged_with_who_and_what(caplog):
    w = make_world()
    outsider = w.users["other"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(outsider)}")

    response = client.post(f"/api/v1/pledges/{w.offered.pk}/accept/", {}, format="json")

    assert response.status_code == 403
    [event] = events(caplog, "action_refused")
    assert event["user_id"] == outsider.pk
    assert event["path"] == f"/api/v1/pledges/{w.offered.pk}/accept/"
    assert event["code"] == "permission_denied"
    assert event["reason"]


def test_a_session_write_without_csrf_is_logged_as_refused(caplog):
    user = verified_member()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.post("/api/v1/follows/", {"project": "x"}, format="json")
    [event] = events(caplog, "action_refused")
    assert "CSRF" in event["reason"] and event["user_id"] == user.pk


def test_refusals_on_web_pages_are_logged(caplog):
    w = make_world()
    client = Client()
    client.force_login(w.users["pledger"])

    # A team request decided by someone who does not manage the project (message + redirect).
    client.post(reverse("projects:team_action", args=[w.team_request.pk, "approve"]))
    # A membership approved by someone who is not the council's admin (403 page).
    client.post(reverse("councils:membership_approve", args=[w.pending_membership.pk]))

    refused = events(caplog, "action_refused")
    assert [e["path"] for e in refused] == [
        f"/projects/team/{w.team_request.pk}/approve/",
        f"/councils/memberships/{w.pending_membership.pk}/approve/",
    ]
    assert {e["user_id"] for e in refused} == {w.users["pledger"].pk}


def test_token_creation_and_revocation_are_logged(caplog):
    user = verified_member()
    client = Client()
    client.force_login(user)
    client.post(
        reverse("accounts:security"),
        {"name": "Finance report", "access": "read", "expires": "30"},
    )
    token = APIToken.objects.get(user=user)
    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    APIClient().post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": PASSWORD, "name": "Script"},
        format="json",
    )

    created = events(caplog, "api_token_created")
    revoked = events(caplog, "api_token_revoked")
    assert [e["owner_id"] for e in created] == [user.pk, user.pk]
    assert created[0]["token_id"] == token.pk and created[0]["prefix"] == token.prefix
    assert [e["token_id"] for e in revoked] == [token.pk]
    assert revoked[0]["user_id"] == user.pk
    plaintexts = {t.prefix for t in APIToken.objects.all()}
    assert all(len(p) < 20 for p in plaintexts)  # only the public prefix is ever logged


def test_membership_decisions_are_logged(caplog):
    council = CouncilFactory(code="LDS")
    organiser = OrganiserFactory()
    waiting = [
        MembershipFactory(council=council, status=MembershipStatus.PENDING) for _ in range(2)
    ]
    council_services.membership_approve(actor=organiser, membership=waiting[0])
    council_services.membership_refuse(actor=organiser, membership=waiting[1], reason="Unknown")

    approved, refused = events(caplog, "membership_approved"), events(caplog, "membership_refused")
    assert approved[0]["actor_id"] == organiser.pk
    assert approved[0]["member_id"] == waiting[0].user_id
    assert approved[0]["council"] == "LDS"
    assert refused[0]["membership_id"] == waiting[1].pk


def test_every_record_is_one_json_object_with_a_time(caplog):
    UserFactory(email="x@example.org")
    Client().post(LOGIN, {"login": "x@example.org", "password": "nope"})
    for record in caplog.records:
        if record.name == "pipeline.security":
            data = json.loads(record.getMessage())
            assert set(data) >= {"event", "at"}
            assert "\n" not in record.getMessage()
