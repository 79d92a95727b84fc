"""Every web route and method (GET and POST), for every kind of person: what each one gets.

The routes come from the URL configuration (``pipeline.urls``), so a new page fails
``test_every_web_route_has_rows`` until it gets a row in ``MATRIX`` (or a reason in
``EXCLUDED``). The people and objects are those of ``tests/security/world.py``: anonymous, a
person whose membership is pending, a verified member of an unrelated council, a member of the
owning council, a member of the pledging council, the owner and an organiser.

Outcomes: ``ok`` 200; ``login`` a redirect to the sign-in page; ``done`` any other redirect;
``403``, ``404``, ``405``. A ``*`` means the database changed (a write happened): so ``done*``
is a form that was accepted, and ``done`` without it a redirect with a message that changed
nothing (a refusal or a no-op). A refusal can never carry a ``*``.
"""

import datetime
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from councils.models import Membership
from projects.models import (
    Adoption,
    DemandSignal,
    Follow,
    Need,
    Pledge,
    PledgeDecisionRecord,
    PledgeEvent,
    Project,
    TagFollow,
    TeamMembership,
    Update,
)
from tests.factories.accounts import PASSWORD
from tests.worlds import module_world

from .world import APPROVER_ROLES, ROLES, make_world

# Whole trees that are not Pipeline's own pages, or are tested elsewhere.
EXCLUDED_PREFIXES = {
    "cms-admin/": "Wagtail's admin (staff only; its own permission system and tests)",
    "documents/": "Wagtail documents (served with Wagtail's collection privacy)",
    "api/": "the REST API: tests/api/test_permission_matrix.py and tests/security/",
    "static/": "static files",
    "media/": "uploaded media",
    "accounts/social/": "allauth's old addresses: permanent redirects to the 3rdparty/ pages",
}
# Single routes left out, each with the reason.
EXCLUDED = {
    **dict.fromkeys(
        (
            "account_login",
            "account_logout",
            "account_inactive",
            "account_signup",
            "account_reauthenticate",
            "account_email",
            "account_email_verification_sent",
            "account_change_password",
            "account_set_password",
            "account_reset_password",
            "account_confirm_login_code",
            "account_confirm_email",
            "account_reset_password_from_key_done",
            "account_reset_password_from_key",
            "account_reset_password_done",
        ),
        "allauth's own account page: public by design; flows tested in tests/accounts",
    ),
    "usersessions_list": "allauth's sessions list: its address leads to Sessions and tokens "
    "(sessions_redirect), so the view is never reached",
    "wagtailcore_authenticate_with_password": "Wagtail page serving (page privacy)",
    "wagtailcore_login": "Wagtail page serving (page privacy sign-in)",
    "wagtail_serve": "Wagtail page serving: CMS pages, tested in tests/cms",
}


def _owner_passkey(w):
    """A passkey record of the owner's, for the routes that name one (a stored row, not a
    WebAuthn ceremony: these rows are about who may reach the page)."""
    from allauth.mfa.models import Authenticator

    key, _ = Authenticator.objects.get_or_create(
        user=w.users["owner"],
        type=Authenticator.Type.WEBAUTHN,
        defaults={"data": {"name": "Owner's key", "credential": {}}},
    )
    return key


# URL arguments for each route, from the world.
KWARGS = {
    "mfa_remove_webauthn": lambda w: {"pk": _owner_passkey(w).pk},
    "mfa_edit_webauthn": lambda w: {"pk": _owner_passkey(w).pk},
    "accounts:api_token_revoke": lambda w: {"pk": w.token.pk},
    "accounts:session_end": lambda w: {"pk": w.owner_session.pk},
    "councils:membership_approve": lambda w: {"pk": w.pending_membership.pk},
    "councils:membership_refuse": lambda w: {"pk": w.pending_membership.pk},
    "councils:membership_role": lambda w: {"pk": w.lead_membership.pk},
    "councils:membership_leave": lambda w: {"pk": w.lead_membership.pk},
    "projects:area_follow": lambda w: {"slug": w.area.slug},
    "projects:area_feed": lambda w: {"slug": w.area.slug},
    "projects:area_feed_atom": lambda w: {"slug": w.area.slug},
    "projects:team_action": lambda w: {"pk": w.team_request.pk, "action": "approve"},
    "projects:pledge_detail": lambda w: {"pk": w.offered.pk},
    "projects:pledge_confirmation": lambda w: {"pk": w.offered.pk},
    "projects:pledge_action": lambda w: {"pk": w.offered.pk, "action": "accept"},
    "projects:pledge_action@withdraw": lambda w: {"pk": w.to_withdraw.pk, "action": "withdraw"},
    "projects:pledge_action@withdraw_conditional": lambda w: {
        "pk": w.conditional.pk,
        "action": "withdraw",
    },
    "projects:pledge_action@accept_conditional": lambda w: {
        "pk": w.conditional.pk,
        "action": "accept",
    },
    "projects:pledge_action@fulfil": lambda w: {"pk": w.accepted.pk, "action": "fulfil"},
    "projects:pledge_action@approve": lambda w: {"pk": w.waiting.pk, "action": "approve"},
    "projects:pledge_action@refuse": lambda w: {"pk": w.waiting.pk, "action": "refuse"},
    "projects:pledge_action@decision": lambda w: {"pk": w.offered.pk, "action": "decision"},
    "projects:pledge_detail@waiting": lambda w: {"pk": w.waiting.pk},
    "projects:pledge_detail@proposed": lambda w: {"pk": w.proposed.pk},
    "projects:pledge_amend": lambda w: {"pk": w.offered.pk},
    "projects:pledge_amend_check": lambda w: {"pk": w.offered.pk},
    "projects:pledge_action@accept_change": lambda w: {"pk": w.proposed.pk, "action": "accept"},
    "projects:pledge_action@decline_change": lambda w: {"pk": w.proposed.pk, "action": "decline"},
    "projects:pledge_action@withdraw_change": lambda w: {
        "pk": w.proposed.pk,
        "action": "withdraw",
    },
    "councils:limits": lambda w: {"slug": w.partner.slug},
    # Leadshire has no sign-in provider here: its routes do not exist (tests/sso has them).
    "openid_connect_login": lambda w: {"provider_id": f"council-{w.lead.slug}"},
    "openid_connect_callback": lambda w: {"provider_id": f"council-{w.lead.slug}"},
    "projects:tasks": lambda w: {"slug": w.draft.slug},
    "projects:check": lambda w: {"slug": w.draft.slug},
    "projects:detail@draft": lambda w: {"slug": w.draft.slug},
    "projects:edit": lambda w: {"slug": w.project.slug, "section": "about"},
    "projects:need_remove": lambda w: {"slug": w.project.slug, "pk": w.spare_need.pk},
    "projects:need_met": lambda w: {"slug": w.project.slug, "pk": w.spare_need.pk},
    "projects:adopt": lambda w: {"slug": w.live.slug},
    "delivery:milestone_done": lambda w: {"slug": w.project.slug, "pk": w.milestone.pk},
    "delivery:benefit_edit": lambda w: {"slug": w.live.slug, "council": w.partner.slug},
    "portfolio:council": lambda w: {"slug": w.lead.slug},
    "funding:apply": lambda w: {"slug": w.bid_call.slug},
    "funding:application": lambda w: {"pk": w.bid.pk},
    "funding:application_edit": lambda w: {"pk": w.bid.pk},
    "funding:application_submit": lambda w: {"pk": w.bid.pk},
    "funding:application_withdraw": lambda w: {"pk": w.bid.pk},
    "portfolio:council_csv": lambda w: {"slug": w.lead.slug},
    "funding:assessment": lambda w: {"slug": w.call.slug},
    "funding:moderation": lambda w: {"slug": w.call.slug},
    "funding:publish": lambda w: {"slug": w.call.slug},
    "funding:assess": lambda w: {"pk": w.application.pk},
    "funding:assess_conflict": lambda w: {"pk": w.application.pk},
    "funding:shortlist": lambda w: {"pk": w.application.pk},
    "funding:decide": lambda w: {"pk": w.application.pk},
    "funding:tranche_release": lambda w: {"pk": w.application.pk, "position": 1},
    "funding:partners": lambda w: {"pk": w.partners_bid.pk},
    "funding:partner_invite": lambda w: {"pk": w.partners_bid.pk},
    "funding:partner_remove": lambda w: {"pk": w.partners_bid.pk, "council": w.partner.slug},
    "funding:partner_decide": lambda w: {"pk": w.partners_bid.pk, "council": w.partner.slug},
    "funding:partner_decide@accept": lambda w: {
        "pk": w.partners_bid.pk,
        "council": w.partner.slug,
    },
    "funding:partner_decide@withdraw": lambda w: {
        "pk": w.partners_confirmed_bid.pk,
        "council": w.partner.slug,
    },
    "councils:commitment_remove": lambda w: {"slug": w.lead.slug, "pk": w.signed.pk},
    "funding:similar": lambda w: {"slug": w.call.slug},
    "funding:combine_suggest": lambda w: {"slug": w.call.slug},
    "funding:combine_suggestion": lambda w: {"pk": w.combine_suggestion.pk},
    "funding:call": lambda w: {"slug": w.open_call.slug},
    "funding:call@draft": lambda w: {"slug": w.draft_call.slug},
    "funding:call_edit": lambda w: {"slug": w.open_call.slug},
    "funding:call_publish": lambda w: {"slug": w.draft_call.slug},
    "funding:call_new": lambda w: {"slug": w.funder.slug},
    "funding:funder": lambda w: {"slug": w.funder.slug},
    "funding:funder_join": lambda w: {"slug": w.funder.slug},
    "funding:funder_members": lambda w: {"slug": w.funder.slug},
    "funding:funder_membership_approve": lambda w: {
        "slug": w.funder.slug,
        "pk": w.funder_request.pk,
    },
    "funding:funder_membership_refuse": lambda w: {
        "slug": w.funder.slug,
        "pk": w.funder_request.pk,
    },
    "funding:funder_membership_role": lambda w: {
        "slug": w.funder.slug,
        "pk": w.funder_membership.pk,
    },
    "funding:funder_membership_remove": lambda w: {
        "slug": w.funder.slug,
        "pk": w.funder_membership.pk,
    },
}


def _kwargs(key: str, route: str, w) -> dict:
    if key in KWARGS:
        return KWARGS[key](w)
    params = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))
    if not params:
        return {}
    assert params == {"slug"}, f"say in KWARGS how to fill {params} for {key}"
    return {"slug": w.lead.slug if key.startswith("councils:") else w.project.slug}


# What each form POSTs: valid input, so a refusal can only be about who is asking.
BODIES = {
    "set_language": lambda w: {"language": "cy", "next": "/projects/"},
    "accounts:profile_edit": lambda w: {
        "first_name": "Grace",
        "last_name": "Hopper",
        "job_title": "Engineer",
        "notification_frequency": "weekly",
        "language": "en-gb",
    },
    "accounts:api_tokens": lambda w: {"name": "Report script", "access": "read", "expires": "30"},
    "accounts:security": lambda w: {"name": "Report script", "access": "read", "expires": "30"},
    # Valid only for the pledger (everyone's password is the same; the email is their own).
    "accounts:account_delete": lambda w: {
        "password": PASSWORD,
        "confirmation": w.users["pledger"].email,
    },
    "councils:join": lambda w: {"council": w.partner.pk, "message": "I work there"},
    "councils:join_this": lambda w: {"message": "I work here"},
    "councils:members": lambda w: {"domain": "leadshire.gov.uk"},
    "councils:membership_refuse": lambda w: {"reason": "Not from this council"},
    "councils:membership_role": lambda w: {"role": "admin"},
    "projects:new": lambda w: {
        "lead_council": w.lead.pk,
        "title": "Another idea",
        "summary": "Worth sharing",
        "description": "",
    },
    "projects:edit": lambda w: {
        "lead_council": w.lead.pk,
        "title": "Shared waste collection, renamed",
        "summary": "Bin rounds planned together",
        "description": "",
    },
    "projects:needs": lambda w: {"kind": "money", "amount": "2500", "description": "Hosting"},
    "projects:need_met": lambda w: {"met": "1"},
    "projects:manage": lambda w: {"action": "phase", "phase": "alpha"},
    "projects:pledge": lambda w: {
        "council": w.partner.pk,
        "towards": "money",
        "amount": "250",
        "note": "Happy to help",
    },
    "projects:pledge_action": lambda w: {"note": "Thank you"},
    "projects:pledge_action@fulfil": lambda w: {"note": "Received"},
    "projects:pledge_amend": lambda w: {"amount": "600", "note": "Budget grew"},
    "projects:pledge_action@withdraw_change": lambda w: {"reason": "A mistake"},
    "projects:pledge_action@withdraw": lambda w: {"reason": "Budget cut"},
    "projects:pledge_action@withdraw_conditional": lambda w: {"reason": "Budget cut"},
    "projects:pledge_action@accept_conditional": lambda w: {"note": "Thank you"},
    "projects:pledge_action@approve": lambda w: {"note": "Delegated decision 12"},
    "projects:pledge_action@refuse": lambda w: {"reason": "Not in this year's budget"},
    "projects:pledge_action@decision": lambda w: {
        "title": "Delegated decision 2026/041",
        "date_day": "1",
        "date_month": "3",
        "date_year": "2026",
        "url": "https://partnerton.gov.uk/decisions/41",
    },
    "councils:limits": lambda w: {"money_limit": "2500", "half_days_limit": "3.5"},
    "projects:team_action": lambda w: {"note": "Welcome"},
    "projects:join": lambda w: {"role": "designer", "message": "Count me in"},
    "projects:update_new": lambda w: {"title": "Alpha", "body": "We started alpha."},
    "delivery:milestone_new": lambda w: {
        "title": "Beta assessment",
        "phase": "beta",
        "planned_on_day": "31",
        "planned_on_month": "3",
        "planned_on_year": "2027",
    },
    "delivery:milestone_done": lambda w: {
        "done_on_day": "1",
        "done_on_month": "3",
        "done_on_year": "2026",
    },
    "delivery:report_new": lambda w: {
        "rating": "on_track",
        "happened": "Research done",
        "money_spent": "1200",
        "days_used": "4.5",
        "next_steps": "Prototype",
    },
    "delivery:benefit_edit": lambda w: {
        "cashable_savings": "12,500.50",
        "hours_saved": "400",
        "confidence": "low",
    },
    "projects:adopt": lambda w: {
        "council": w.partner.pk,
        "adopted_on_day": "1",
        "adopted_on_month": "3",
        "adopted_on_year": "2026",
        "note": "",
    },
    "projects:demand": lambda w: {"council": w.partner.pk},
    "projects:demand_withdraw": lambda w: {"council": w.partner.pk},
    "projects:area_follow": lambda w: {"action": "follow"},
    "projects:follow": lambda w: {"action": "follow"},
    "funding:assess_conflict": lambda w: {"reason": "I used to work there"},
    "funding:shortlist": lambda w: {"shortlisted": "1"},
    "funding:decide": lambda w: {"outcome": "not_fund", "feedback": "Not this round"},
    "funding:partner_invite": lambda w: {
        "council": w.elsewhere.code,
        "contribution": "User research",
        "message": "Join us",
    },
    "funding:partner_decide": lambda w: {"action": "decline", "reason": "No budget this year"},
    "funding:partner_decide@accept": lambda w: {"action": "accept", "contribution": "Research"},
    "funding:partner_decide@withdraw": lambda w: {"action": "withdraw", "reason": "Budget cut"},
    "councils:commitments": lambda w: {
        "commitment": w.charter.pk,
        "signed_on_day": "1",
        "signed_on_month": "3",
        "signed_on_year": "2024",
        "evidence_url": "",
    },
    "funding:call_edit": lambda w: {"description": "Now with answers to common questions."},
    "funding:call_new": lambda w: _call_form(),
    "funding:funder_membership_refuse": lambda w: {"reason": "Not one of our staff"},
    "funding:funder_membership_role": lambda w: {"role": "assessor"},
    "funding:apply": lambda w: {"project": w.project.pk},
    "funding:application_edit": lambda w: {
        "summary": "Bin rounds planned together",
        "amount": "45,000",
        "phase": "alpha",
    },
    "funding:application_withdraw": lambda w: {"reason": "Merged with another bid"},
    "funding:combine_suggest": lambda w: {
        "first": w.application.pk,
        "second": w.combine_third.pk,
        "continuing": str(w.application.pk),
    },
    "funding:combine_suggestion": lambda w: {"action": "agree"},
}


def _call_form() -> dict:
    """A valid new call: opening next year, one question, one criterion."""
    year = str(datetime.date.today().year + 1)
    management = {"TOTAL_FORMS": "1", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0"}
    return {
        "title": "Round 2",
        "summary": "Money for shared services",
        "language": "en",
        "budget": "500000",
        "max_award": "80000",
        **{f"opens_on_{k}": v for k, v in (("day", "1"), ("month", "4"), ("year", year))},
        "opens_time": "9:00",
        **{f"closes_on_{k}": v for k, v in (("day", "30"), ("month", "4"), ("year", year))},
        "closes_time": "12:00",
        "min_partners": "2",
        **{f"questions-{k}": v for k, v in management.items()},
        "questions-0-text": "What problem will you solve?",
        "questions-0-word_limit": "250",
        "questions-0-required": "on",
        **{f"criteria-{k}": v for k, v in management.items()},
        "criteria-0-title": "Need",
        "criteria-0-weight": "1",
    }


QUERY = {
    "search": {"q": "waste"},
    "funding:combine_suggest": lambda w: {"first": w.application.pk, "second": w.combine_third.pk},
}


def _pledge_answers(client, w) -> None:
    """Answers waiting for Check your answers, as the pledge form leaves them."""
    session = client.session
    session[f"pledge-draft:{w.project.pk}"] = {
        "council": str(w.partner.pk),
        "towards": "money",
        "amount": "250",
        "role": "",
        "note": "Happy to help",
        "private_note": "",
    }
    session.save()


def _amend_answers(client, w) -> None:
    """A changed amount waiting for Check your answers, as the change form leaves it."""
    session = client.session
    session[f"amend-draft:{w.offered.pk}"] = {
        "amount": "600",
        "note": "Budget grew",
        "private_note": "",
    }
    session.save()


def _demand_said(client, w) -> None:
    DemandSignal.objects.create(project=w.project, council=w.partner, recorded_by=w.joiner)


def _partner_adopted(client, w) -> None:
    Adoption.objects.create(
        project=w.live,
        council=w.partner,
        adopted_on=datetime.date(2026, 3, 1),
        recorded_by=w.users["pledger"],
    )


# What a person has done before the request (in the same rolled-back transaction).
SETUP = {
    "delivery:benefit_edit": _partner_adopted,
    "projects:pledge_check": _pledge_answers,
    "projects:pledge_amend_check": _amend_answers,
    "projects:demand_withdraw": _demand_said,
}


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def web_routes() -> dict[str, str]:
    """URL name → route, for every web route not excluded above."""
    routes = {}
    for route, name in _walk(get_resolver().url_patterns):
        if route.lstrip("^").startswith(tuple(EXCLUDED_PREFIXES)):
            continue
        assert name, f"route {route} has no name"
        if name in EXCLUDED:
            continue
        routes[name] = route
    return routes


def outcome(response, changed: bool) -> str:
    if response.status_code in (301, 302, 303):
        text = "login" if response["Location"].startswith("/accounts/login/") else "done"
    elif response.status_code == 200:
        text = "ok"
    else:
        text = str(response.status_code)
    return text + ("*" if changed else "")


def snapshot() -> tuple:
    """Everything a web write could change."""
    from allauth.usersessions.models import UserSession
    from django.contrib.auth import get_user_model
    from wagtail.models import APIToken

    from councils.models import Council, CouncilCommitment, CouncilDomain
    from delivery.models import Benefit, Milestone, ReportSchedule, StatusReport
    from funding.models import (
        Answer,
        Application,
        ApplicationPartner,
        Assessment,
        Call,
        CallQuestion,
        CombineSuggestion,
        Criterion,
        Decision,
        FunderMembership,
        Score,
    )

    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (
            Council,
            Project,
            Need,
            Pledge,
            PledgeEvent,
            PledgeDecisionRecord,
            TeamMembership,
            Membership,
            CouncilDomain,
            Follow,
            TagFollow,
            Update,
            Adoption,
            DemandSignal,
            APIToken,
            UserSession,
            Milestone,
            StatusReport,
            ReportSchedule,
            Benefit,
            Call,
            Application,
            Assessment,
            Score,
            Decision,
            ApplicationPartner,
            CouncilCommitment,
            FunderMembership,
            Call,
            CallQuestion,
            Criterion,
            Application,
            Answer,
            ApplicationPartner,
            CombineSuggestion,
        )
    ) + (list(get_user_model().objects.order_by("pk").values("pk", "first_name", "job_title")),)


# A module-wide world, built once; each case runs in a savepoint that is rolled back.
world = module_world(make_world)


def client_for(role: str, w) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(w.users[role])
    return client


def request(w, role: str, key: str, method: str, route: str, client=None):
    name = key.split("@")[0]
    url = reverse(name, kwargs=_kwargs(key, route, w))
    client = client or client_for(role, w)
    if method == "GET":
        query = QUERY.get(name, {})
        return client.get(url, query(w) if callable(query) else query)
    body = BODIES.get(key) or BODIES.get(name) or (lambda w: {})
    return client.post(url, body(w))


L, OK7, OK6 = "login", "ok ok ok ok ok ok ok", "login ok ok ok ok ok ok"
NOT_POST = "login 405 405 405 405 405 405"
MANAGERS_ONLY = "login 403 403 403 403 ok ok"  # the owner and organisers
MANAGERS_WRITE = "login 403 403 403 403 done* done*"

# (URL name[@variant], method) → outcome for each role, in the order of ROLES:
#  anonymous pending other lead_member pledger owner organiser
MATRIX: dict[tuple[str, str], str] = {
    ("set_language", "GET"): "done done done done done done done",
    ("set_language", "POST"): "done done done done done done done",
    ("healthz", "GET"): OK7,
    ("healthz", "POST"): "405 405 405 405 405 405 405",
    ("healthz_live", "GET"): OK7,
    ("healthz_live", "POST"): "405 405 405 405 405 405 405",
    ("healthz_ready", "GET"): OK7,
    ("healthz_ready", "POST"): "405 405 405 405 405 405 405",
    ("search", "GET"): OK7,
    ("search", "POST"): OK7,
    # Files at fixed addresses: the same for everyone, and read only.
    ("robots_txt", "GET"): OK7,
    ("robots_txt", "POST"): "405 405 405 405 405 405 405",
    ("sitemap", "GET"): OK7,
    ("sitemap", "POST"): OK7,
    ("security_txt", "GET"): OK7,
    ("security_txt", "POST"): "405 405 405 405 405 405 405",
    ("security_policy", "GET"): OK7,
    ("security_policy", "POST"): "405 405 405 405 405 405 405",
    ("favicon", "GET"): "done done done done done done done",
    ("favicon", "POST"): "405 405 405 405 405 405 405",
    ("dashboard", "GET"): OK6,
    ("dashboard", "POST"): OK6,
    # --- accounts
    ("accounts:profile", "GET"): OK6,
    ("accounts:profile", "POST"): OK6,
    ("accounts:profile_edit", "GET"): OK6,
    ("accounts:profile_edit", "POST"): "login done* done* done* done* done* done*",
    # allauth's sessions address: to Sessions and tokens (which asks to sign in).
    ("sessions_redirect", "GET"): "done done done done done done done",
    ("sessions_redirect", "POST"): "done done done done done done done",
    ("accounts:security", "GET"): OK6,
    ("accounts:security", "POST"): "login ok* ok* ok* ok* ok* ok*",
    # The former tokens page: its address leads to Sessions and tokens; its form still works.
    ("accounts:api_tokens", "GET"): "login done done done done done done",
    ("accounts:api_tokens", "POST"): "login ok* ok* ok* ok* ok* ok*",
    # Only the token's owner can revoke it; to anyone else it does not exist.
    ("accounts:api_token_revoke", "GET"): NOT_POST,
    ("accounts:api_token_revoke", "POST"): "login 404 404 404 404 done* 404",
    # Only the owner's own browser can be signed out by them; to anyone else it is gone.
    ("accounts:session_end", "GET"): NOT_POST,
    ("accounts:session_end", "POST"): "login done done done done done* done",
    ("accounts:sessions_end_others", "GET"): NOT_POST,
    ("accounts:sessions_end_others", "POST"): "login done done done done done* done",
    # Each person's own data, to them alone.
    ("accounts:my_data", "GET"): OK6,
    ("accounts:my_data", "POST"): NOT_POST,
    # Only the person who types their own email and password; everyone else sees the form
    # again with its errors (the owner and organisers also with why they cannot yet).
    ("accounts:account_delete", "GET"): OK6,
    ("accounts:account_delete", "POST"): "login ok ok ok done* ok ok",
    # --- single sign-on (sso/): starting is a POST; a GET goes back to the sign-in page.
    # A council without a provider has no routes. allauth's social sign-up form and
    # connections page are not used: they go to the sign-in page.
    ("openid_connect_login", "GET"): "login login login login login login login",
    ("openid_connect_login", "POST"): "404 404 404 404 404 404 404",
    ("openid_connect_callback", "GET"): "404 404 404 404 404 404 404",
    ("openid_connect_callback", "POST"): "404 404 404 404 404 404 404",
    ("socialaccount_signup", "GET"): "login login login login login login login",
    ("socialaccount_signup", "POST"): "login login login login login login login",
    ("socialaccount_connections", "GET"): "login login login login login login login",
    ("socialaccount_connections", "POST"): "login login login login login login login",
    ("socialaccount_login_cancelled", "GET"): OK7,
    ("socialaccount_login_cancelled", "POST"): "405 405 405 405 405 405 405",
    # allauth's "could not sign you in" page says so with its status too.
    ("socialaccount_login_error", "GET"): "401 401 401 401 401 401 401",
    ("socialaccount_login_error", "POST"): "405 405 405 405 405 405 405",
    # --- two-factor authentication (allauth's MFA, templates/mfa/). Changing what protects an
    # account asks for the password (or a code) again first: "done" is that redirect, as these
    # clients were signed in without it. Pages about an authenticator a person lacks are 404
    # (no one here but the organiser and the approver has an authenticator app or recovery
    # codes); the owner's passkey is the world's only one. The code prompt at sign-in belongs to
    # a sign-in under way, so without one it sends people on.
    ("mfa_index", "GET"): OK6,
    ("mfa_index", "POST"): "login 405 405 405 405 405 405",
    ("mfa_authenticate", "GET"): "login done done done done done done",
    ("mfa_authenticate", "POST"): "login done done done done done done",
    ("mfa_reauthenticate", "GET"): "login done done done done done ok",
    ("mfa_reauthenticate", "POST"): "login done done done done done ok",
    ("mfa_activate_totp", "GET"): "login done done done done done done",
    ("mfa_activate_totp", "POST"): "login done done done done done done",
    ("mfa_deactivate_totp", "GET"): "login 404 404 404 404 404 done",
    ("mfa_deactivate_totp", "POST"): "login 404 404 404 404 404 done",
    ("mfa_view_recovery_codes", "GET"): "login 404 404 404 404 404 404",
    ("mfa_view_recovery_codes", "POST"): "login 405 405 405 405 405 405",
    ("mfa_generate_recovery_codes", "GET"): "login done done done done done done",
    ("mfa_generate_recovery_codes", "POST"): "login done done done done done done",
    ("mfa_download_recovery_codes", "GET"): "login 404 404 404 404 404 404",
    ("mfa_download_recovery_codes", "POST"): "login 404 404 404 404 404 404",
    ("mfa_list_webauthn", "GET"): OK6,
    ("mfa_list_webauthn", "POST"): "login 405 405 405 405 405 405",
    ("mfa_add_webauthn", "GET"): "login done done done done done done",
    ("mfa_add_webauthn", "POST"): "login done done done done done done",
    ("mfa_reauthenticate_webauthn", "GET"): "login done done done done done done",
    ("mfa_reauthenticate_webauthn", "POST"): "login done done done done done done",
    # Someone else's key: the password first, then 404 (tests/accounts/test_mfa.py).
    ("mfa_remove_webauthn", "GET"): "login done done done done done done",
    ("mfa_remove_webauthn", "POST"): "login done done done done done done",
    ("mfa_edit_webauthn", "GET"): "login done done done done done done",
    ("mfa_edit_webauthn", "POST"): "login done done done done done done",
    # --- councils
    ("councils:directory", "GET"): OK7,
    ("councils:directory", "POST"): OK7,
    ("councils:detail", "GET"): OK7,
    ("councils:detail", "POST"): OK7,
    ("councils:pledges_csv", "GET"): OK7,
    ("councils:pledges_csv", "POST"): OK7,
    ("councils:feed", "GET"): OK7,
    ("councils:feed", "POST"): OK7,
    ("councils:feed_atom", "GET"): OK7,
    ("councils:feed_atom", "POST"): OK7,
    # Anyone signed in may ask to join a council (to Partnerton here); its members are told no.
    ("councils:join", "GET"): OK6,
    ("councils:join", "POST"): "login done* done* done* ok done* done*",
    ("councils:join_this", "GET"): OK6,
    ("councils:join_this", "POST"): "login ok done* ok done* ok done*",
    # Council admins (here only the organiser: nobody else is a Leadshire admin).
    ("councils:members", "GET"): "login 403 403 403 403 403 ok",
    ("councils:members", "POST"): "login 403 403 403 403 403 done*",
    ("councils:membership_approve", "GET"): NOT_POST,
    ("councils:membership_approve", "POST"): "login 403 403 403 403 403 done*",
    ("councils:membership_refuse", "GET"): "login 403 403 403 403 403 ok",
    ("councils:membership_refuse", "POST"): "login 403 403 403 403 403 done*",
    # Partnerton's delegated limits: its admins (none here) and organisers.
    ("councils:limits", "GET"): "login 403 403 403 403 403 ok",
    ("councils:limits", "POST"): "login 403 403 403 403 403 done*",
    ("councils:membership_role", "GET"): NOT_POST,
    ("councils:membership_role", "POST"): "login 403 403 403 403 403 done*",
    # The member leaves, or an admin removes them.
    ("councils:membership_leave", "GET"): NOT_POST,
    ("councils:membership_leave", "POST"): "login 403 403 done* 403 403 done*",
    # --- projects: reading
    ("projects:list", "GET"): OK7,
    ("projects:list", "POST"): OK7,
    ("projects:detail", "GET"): OK7,
    ("projects:detail", "POST"): OK7,
    # A draft: its lead council and organisers only; to everyone else it does not exist.
    ("projects:detail@draft", "GET"): "404 404 404 ok 404 ok ok",
    ("projects:detail@draft", "POST"): "404 404 404 ok 404 ok ok",
    ("projects:pledge_detail", "GET"): OK7,
    ("projects:pledge_detail", "POST"): OK7,
    # A pledge awaiting approval: the pledging council and organisers only.
    ("projects:pledge_detail@waiting", "GET"): "404 404 404 404 ok 404 ok",
    ("projects:pledge_detail@waiting", "POST"): "404 404 404 404 ok 404 ok",
    ("projects:pledge_confirmation", "GET"): OK6,
    ("projects:pledge_confirmation", "POST"): OK6,
    ("projects:areas", "GET"): OK7,
    ("projects:areas", "POST"): OK7,
    ("projects:feed", "GET"): OK7,
    ("projects:feed", "POST"): OK7,
    ("projects:feed_atom", "GET"): OK7,
    ("projects:feed_atom", "POST"): OK7,
    ("projects:area_feed", "GET"): OK7,
    ("projects:area_feed", "POST"): OK7,
    ("projects:area_feed_atom", "GET"): OK7,
    ("projects:area_feed_atom", "POST"): OK7,
    ("projects:updates_feed", "GET"): OK7,
    ("projects:updates_feed", "POST"): OK7,
    ("projects:updates_feed_atom", "GET"): OK7,
    ("projects:updates_feed_atom", "POST"): OK7,
    # --- projects: proposing and managing (verified members propose for their own council)
    ("projects:new", "GET"): "login 403 ok ok ok ok 403",
    ("projects:new", "POST"): "login 403 ok done* ok done* 403",
    ("projects:tasks", "GET"): "login 404 404 403 404 ok ok",
    ("projects:tasks", "POST"): "login 404 404 403 404 ok ok",
    ("projects:check", "GET"): "login 404 404 403 404 ok ok",
    ("projects:check", "POST"): "login 404 404 403 404 done* done*",
    ("projects:edit", "GET"): MANAGERS_ONLY,
    ("projects:edit", "POST"): MANAGERS_WRITE,
    ("projects:needs", "GET"): MANAGERS_ONLY,
    ("projects:needs", "POST"): MANAGERS_WRITE,
    ("projects:need_remove", "GET"): NOT_POST,
    ("projects:need_remove", "POST"): MANAGERS_WRITE,
    ("projects:need_met", "GET"): NOT_POST,
    ("projects:need_met", "POST"): MANAGERS_WRITE,
    ("projects:manage", "GET"): MANAGERS_ONLY,
    ("projects:manage", "POST"): MANAGERS_WRITE,
    # --- pledging: verified members of a council other than the lead one
    ("projects:pledge", "GET"): "login 403 ok 403 ok 403 403",
    # The form keeps the answers for Check your answers, which makes the pledge.
    ("projects:pledge", "POST"): "login 403 ok 403 done 403 403",
    ("projects:pledge_check", "GET"): "login 403 ok 403 ok 403 403",
    ("projects:pledge_check", "POST"): "login 403 ok 403 done* 403 403",
    ("projects:pledge_action", "GET"): MANAGERS_ONLY,
    ("projects:pledge_action", "POST"): MANAGERS_WRITE,
    ("projects:pledge_action@fulfil", "GET"): MANAGERS_ONLY,
    ("projects:pledge_action@fulfil", "POST"): MANAGERS_WRITE,
    # Withdrawing is for the pledging council (and organisers), not the project's owner.
    ("projects:pledge_action@withdraw", "GET"): "login 403 403 403 ok 403 ok",
    ("projects:pledge_action@withdraw", "POST"): "login 403 403 403 done* 403 done*",
    # A conditional pledge waiting for other councils: its council may withdraw it as any offer;
    # nobody may accept it until Pipeline makes it an offer.
    ("projects:pledge_action@withdraw_conditional", "GET"): "login 403 403 403 ok 403 ok",
    ("projects:pledge_action@withdraw_conditional", "POST"): "login 403 403 403 done* 403 done*",
    ("projects:pledge_action@accept_conditional", "GET"): "login 403 403 403 403 ok ok",
    # The managers are answered on the form ("This pledge is conditional…"), and nothing changes.
    ("projects:pledge_action@accept_conditional", "POST"): "login 403 403 403 403 ok ok",
    # Sign-off of a pledge over Partnerton's limit: its approvers only (not even organisers);
    # to anyone outside Partnerton the pledge does not exist.
    ("projects:pledge_action@approve", "GET"): "login 404 404 404 403 404 403",
    ("projects:pledge_action@approve", "POST"): "login 404 404 404 403 404 403",
    ("projects:pledge_action@refuse", "GET"): "login 404 404 404 403 404 403",
    ("projects:pledge_action@refuse", "POST"): "login 404 404 404 403 404 403",
    # The council's decision behind an offer within Partnerton's limit: the pledger who made it
    # (and Partnerton's approvers); not the lead council, nor organisers.
    ("projects:pledge_action@decision", "GET"): "login 403 403 403 ok 403 403",
    ("projects:pledge_action@decision", "POST"): "login 403 403 403 done* 403 403",
    # Changing a pledge's amount: the pledging council proposes (a form, then Check your
    # answers, which writes), the project's managers accept or decline the change, and the
    # pledging council may withdraw its proposal.
    ("projects:pledge_amend", "GET"): "login 403 403 403 ok 403 ok",
    ("projects:pledge_amend", "POST"): "login 403 403 403 done 403 done",
    ("projects:pledge_amend_check", "GET"): "login 403 403 403 ok 403 ok",
    ("projects:pledge_amend_check", "POST"): "login 403 403 403 done* 403 done*",
    ("projects:pledge_detail@proposed", "GET"): OK7,
    ("projects:pledge_detail@proposed", "POST"): OK7,
    ("projects:pledge_action@accept_change", "GET"): MANAGERS_ONLY,
    ("projects:pledge_action@accept_change", "POST"): MANAGERS_WRITE,
    ("projects:pledge_action@decline_change", "GET"): MANAGERS_ONLY,
    ("projects:pledge_action@decline_change", "POST"): MANAGERS_WRITE,
    ("projects:pledge_action@withdraw_change", "GET"): "login 403 403 403 ok 403 ok",
    ("projects:pledge_action@withdraw_change", "POST"): "login 403 403 403 done* 403 done*",
    # --- teams, follows, updates, adoption and demand
    # The owner leads the team already: told so, not offered it.
    ("projects:join", "GET"): "login ok ok ok ok 403 ok",
    ("projects:join", "POST"): "login done* done* done* done* 403 done*",
    ("projects:team", "GET"): MANAGERS_ONLY,
    ("projects:team", "POST"): MANAGERS_ONLY,
    # Deciding a request: refused with a message (no change) to all but the managers.
    ("projects:team_action", "GET"): NOT_POST,
    ("projects:team_action", "POST"): "login done done done done done* done*",
    ("projects:follow", "GET"): NOT_POST,
    ("projects:follow", "POST"): "login done* done done* done* done* done*",
    ("projects:area_follow", "GET"): NOT_POST,
    ("projects:area_follow", "POST"): "login done* done* done* done* done* done*",
    ("projects:update_new", "GET"): MANAGERS_ONLY,
    ("projects:update_new", "POST"): MANAGERS_WRITE,
    # Delivery: milestones and status reports, by the project's team (here its owner).
    ("delivery:milestone_new", "GET"): MANAGERS_ONLY,
    ("delivery:milestone_new", "POST"): MANAGERS_WRITE,
    ("delivery:milestone_done", "GET"): MANAGERS_ONLY,
    ("delivery:milestone_done", "POST"): MANAGERS_WRITE,
    ("delivery:report_new", "GET"): MANAGERS_ONLY,
    ("delivery:report_new", "POST"): MANAGERS_WRITE,
    # Benefits: the adopting council (Partnerton adopted the live project) and organisers; the
    # lead council does not report for others. The national page is public.
    ("delivery:benefit_edit", "GET"): "login 403 403 403 ok 403 ok",
    ("delivery:benefit_edit", "POST"): "login 403 403 403 done* 403 done*",
    ("benefits", "GET"): OK7,
    ("benefits", "POST"): OK7,
    # Portfolios: a council's is public (its visible projects only), like the council's page;
    # the national one is for organisers (sign in first; 403 for anyone else).
    ("portfolio:council", "GET"): OK7,
    ("portfolio:council", "POST"): OK7,
    ("portfolio:council_csv", "GET"): OK7,
    ("portfolio:council_csv", "POST"): OK7,
    ("portfolio:national", "GET"): "login 403 403 403 403 403 ok",
    ("portfolio:national", "POST"): "login 403 403 403 403 403 ok",
    ("portfolio:national_csv", "GET"): "login 403 403 403 403 403 ok",
    ("portfolio:national_csv", "POST"): "login 403 403 403 403 403 ok",
    # Partner councils record adoption (of a live project) and demand (of an idea/discovery).
    # Each is offered only to verified members of a council other than the lead one; the
    # others are told why not.
    ("projects:adopt", "GET"): "login 403 ok 403 ok 403 403",
    ("projects:adopt", "POST"): "login 403 ok 403 done* 403 403",
    ("projects:demand", "GET"): "login 403 ok 403 ok 403 403",
    ("projects:demand", "POST"): "login 403 ok 403 done* 403 403",
    # Taking it back: members of the council that said so (and organisers); refused to others
    # with a message.
    ("projects:demand_withdraw", "GET"): NOT_POST,
    ("projects:demand_withdraw", "POST"): "login done done done done* done done*",
    # --- funding: assessment and moderation. Nobody here belongs to the call's funder
    # (tests/funding/test_assessment_permissions.py has the funder's roles); organisers read
    # the moderation board, and act on nothing.
    ("funding:assessment", "GET"): "login 403 403 403 403 403 403",
    ("funding:assessment", "POST"): "login 403 403 403 403 403 403",
    ("funding:assess", "GET"): "login 403 403 403 403 403 403",
    ("funding:assess", "POST"): "login 403 403 403 403 403 403",
    ("funding:assess_conflict", "GET"): "login 403 403 403 403 403 403",
    ("funding:assess_conflict", "POST"): "login 403 403 403 403 403 403",
    ("funding:moderation", "GET"): "login 403 403 403 403 403 ok",
    ("funding:moderation", "POST"): "login 403 403 403 403 403 ok",
    ("funding:shortlist", "GET"): NOT_POST,
    ("funding:shortlist", "POST"): "login 403 403 403 403 403 403",
    ("funding:decide", "GET"): "login 403 403 403 403 403 403",
    ("funding:decide", "POST"): "login 403 403 403 403 403 403",
    ("funding:publish", "GET"): "login 403 403 403 403 403 403",
    ("funding:publish", "POST"): "login 403 403 403 403 403 403",
    # Releasing a tranche of an award: the funder's moderators only (nobody here).
    ("funding:tranche_release", "GET"): "login 403 403 403 403 403 403",
    ("funding:tranche_release", "POST"): "login 403 403 403 403 403 403",
    # --- funding: a bid's partner councils. Leadshire's draft bid, Partnerton invited. The
    # lead's page is for the bid's own side (Leadshire's members, the project's team,
    # organisers); Partnerton's members are told to use their own page (403); to anyone else a
    # draft bid does not exist (404). Leadshire's members invite (Elsewhere) and remove.
    ("funding:partners", "GET"): "login 404 404 ok 403 ok ok",
    ("funding:partners", "POST"): "login 405 405 405 405 405 405",
    ("funding:partner_invite", "GET"): "login 404 404 ok 403 ok 403",
    ("funding:partner_invite", "POST"): "login 404 404 done* 403 done* 403",
    ("funding:partner_remove", "GET"): NOT_POST,
    ("funding:partner_remove", "POST"): "login 404 404 done* 403 done* 403",
    # Partnerton's answer: any verified member declines; only its approver (with a second
    # factor) confirms, or withdraws a confirmation (on the bid where it confirmed). The lead's
    # side is pointed back to its own page (403).
    ("funding:partner_decide", "GET"): "login 404 404 403 ok 403 403",
    ("funding:partner_decide", "POST"): "login 404 404 403 done* 403 403",
    ("funding:partner_decide@accept", "GET"): "login 404 404 403 ok 403 403",
    ("funding:partner_decide@accept", "POST"): "login 404 404 403 403 403 403",
    ("funding:partner_decide@withdraw", "GET"): "login 404 404 403 ok 403 403",
    ("funding:partner_decide@withdraw", "POST"): "login 404 404 403 403 403 403",
    # The signed-in person's councils' invitations (none for most here).
    ("funding:invitations", "GET"): OK6,
    ("funding:invitations", "POST"): "login 405 405 405 405 405 405",
    # --- councils' commitments: Leadshire's admins (here only the organiser).
    ("councils:commitments", "GET"): "login 403 403 403 403 403 ok",
    ("councils:commitments", "POST"): "login 403 403 403 403 403 done*",
    ("councils:commitment_remove", "GET"): NOT_POST,
    ("councils:commitment_remove", "POST"): "login 403 403 403 403 403 done*",
    # --- funding: calls and funders are public; a draft call only for its funder's members
    # and organisers. None of the roles belongs to the funder, so its admin powers are the
    # organiser's here (tests/funding/test_calls_permissions.py has the funder's own roles).
    ("funding:calls", "GET"): OK7,
    ("funding:calls", "POST"): OK7,
    ("funding:call", "GET"): OK7,
    ("funding:call", "POST"): OK7,
    ("funding:call@draft", "GET"): "404 404 404 404 404 404 ok",
    ("funding:call@draft", "POST"): "404 404 404 404 404 404 ok",
    ("funding:funders", "GET"): OK7,
    ("funding:funders", "POST"): OK7,
    ("funding:funder", "GET"): OK7,
    ("funding:funder", "POST"): OK7,
    # Anyone signed in may ask to join a funder.
    ("funding:funder_join", "GET"): OK6,
    ("funding:funder_join", "POST"): "login done* done* done* done* done* done*",
    ("funding:call_new", "GET"): "login 403 403 403 403 403 ok",
    ("funding:call_new", "POST"): "login 403 403 403 403 403 done*",
    # The open call: only its description and decision date may still change.
    ("funding:call_edit", "GET"): "login 403 403 403 403 403 ok",
    ("funding:call_edit", "POST"): "login 403 403 403 403 403 done*",
    # Publishing the draft: to anyone outside the funder it does not exist.
    ("funding:call_publish", "GET"): NOT_POST,
    ("funding:call_publish", "POST"): "login 404 404 404 404 404 done*",
    ("funding:funder_members", "GET"): "login 403 403 403 403 403 ok",
    ("funding:funder_members", "POST"): "login 403 403 403 403 403 ok",
    ("funding:funder_membership_approve", "GET"): NOT_POST,
    ("funding:funder_membership_approve", "POST"): "login 403 403 403 403 403 done*",
    ("funding:funder_membership_refuse", "GET"): "login 403 403 403 403 403 ok",
    ("funding:funder_membership_refuse", "POST"): "login 403 403 403 403 403 done*",
    ("funding:funder_membership_role", "GET"): NOT_POST,
    ("funding:funder_membership_role", "POST"): "login 403 403 403 403 403 done*",
    ("funding:funder_membership_remove", "GET"): NOT_POST,
    ("funding:funder_membership_remove", "POST"): "login 403 403 403 403 403 done*",
    # --- funding applications. Partnerton's draft bid (``bid``): the pledger is on its
    # project's team; Partnerton's approver (APPROVER) commits it. Leadshire's owner may apply
    # to the call with Leadshire's projects; the pledger and the approver are shown
    # Partnerton's bid instead of a form; anyone else is told who may apply.
    ("funding:apply", "GET"): "login 403 403 403 ok ok 403",
    ("funding:apply", "POST"): "login 403 403 403 ok done* 403",
    # A draft: Partnerton's verified members and the project's team, and organisers.
    ("funding:application", "GET"): "404 404 404 404 ok 404 ok",
    ("funding:application", "POST"): "404 404 404 404 ok 404 ok",
    # Editing: the team in the lead council (organisers see it, but do not write it).
    ("funding:application_edit", "GET"): "login 404 404 404 ok 404 403",
    ("funding:application_edit", "POST"): "login 404 404 404 done* 404 403",
    # Submitting and withdrawing: an approver or admin of Partnerton, with a second factor.
    ("funding:application_submit", "GET"): NOT_POST,
    ("funding:application_submit", "POST"): "login 404 404 404 403 404 403",
    ("funding:application_withdraw", "GET"): "login 404 404 404 403 404 403",
    ("funding:application_withdraw", "POST"): "login 404 404 404 403 404 403",
    # --- similar bids and combining: organisers see the clusters and suggest (the funder's
    # moderators too: tests/funding/test_combining_permissions.py). The suggestion that
    # Partnerton's bid join Leadshire's is seen by the two lead councils' verified members and
    # organisers, and does not exist for anyone else; only an officer with authority for a
    # lead council (Partnerton's approver, APPROVER) agrees.
    ("funding:similar", "GET"): "login 403 403 403 403 403 ok",
    ("funding:similar", "POST"): "login 403 403 403 403 403 ok",
    ("funding:combine_suggest", "GET"): "login 403 403 403 403 403 ok",
    ("funding:combine_suggest", "POST"): "login 403 403 403 403 403 done*",
    ("funding:combine_suggestion", "GET"): "login 404 404 ok ok ok ok",
    ("funding:combine_suggestion", "POST"): "login 404 404 403 403 403 403",
}
VARIANTS = {key for key, _ in MATRIX if "@" in key}
assert all(len(row.split()) == len(ROLES) for row in MATRIX.values())

# The approver, a second member of the pledging council, gets what the pledger gets except:
APPROVER: dict[tuple[str, str], str] = {
    ("accounts:account_delete", "POST"): "ok",  # the email typed is the pledger's
    ("projects:pledge_action@approve", "GET"): "ok",
    ("projects:pledge_action@approve", "POST"): "done*",
    ("projects:pledge_action@refuse", "GET"): "ok",
    ("projects:pledge_action@refuse", "POST"): "done*",
    ("projects:pledge_action@decision", "GET"): "ok",
    ("projects:pledge_action@decision", "POST"): "done*",
    ("funding:partner_decide@accept", "POST"): "done*",
    ("funding:partner_decide@withdraw", "POST"): "done*",
    # Enrolled, as approvers must be: asked for a code, and able to turn the app off.
    ("mfa_reauthenticate", "GET"): "ok",
    ("mfa_reauthenticate", "POST"): "ok",
    ("mfa_deactivate_totp", "GET"): "done",
    ("mfa_deactivate_totp", "POST"): "done",
    # Partnerton's approver commits its bid, but is not on the project's team.
    ("funding:application_edit", "GET"): "403",
    ("funding:application_edit", "POST"): "403",
    ("funding:application_submit", "POST"): "done*",
    ("funding:application_withdraw", "GET"): "ok",
    ("funding:application_withdraw", "POST"): "done*",
    ("funding:combine_suggestion", "POST"): "done*",
}


def expected_row(key: str, method: str) -> list[str]:
    """The outcome for each of ``APPROVER_ROLES``."""
    row = MATRIX[(key, method)].split()
    return [*row, APPROVER.get((key, method), row[ROLES.index("pledger")])]


def test_every_web_route_has_rows():
    routes = web_routes()
    wanted = {(name, method) for name in routes for method in ("GET", "POST")}
    missing = sorted(wanted - set(MATRIX))
    stale = sorted(key for key in set(MATRIX) - wanted if key[0].split("@")[0] not in routes)
    assert not missing, (
        "These web routes and methods have no row in MATRIX (or reason in EXCLUDED); add "
        f"one saying what each role gets: {missing}"
    )
    assert not stale, f"MATRIX has rows for routes that no longer exist: {stale}"


def test_exclusions_name_real_routes():
    names = {name for _, name in _walk(get_resolver().url_patterns)}
    assert not sorted(set(EXCLUDED) - names), "EXCLUDED names routes that do not exist"


@pytest.mark.parametrize(("key", "method"), sorted(MATRIX), ids=lambda v: str(v))
def test_web_matrix(world, key, method, django_db_blocker):
    routes = web_routes()
    route = routes[key.split("@")[0]]
    expected = expected_row(key, method)
    got = []
    with django_db_blocker.unblock():
        for role in APPROVER_ROLES:
            with transaction.atomic():
                client = client_for(role, world)
                if role != "anonymous" and key.split("@")[0] in SETUP:
                    SETUP[key.split("@")[0]](client, world)
                before = snapshot()
                response = request(world, role, key, method, route, client)
                got.append(outcome(response, snapshot() != before))
                transaction.set_rollback(True)
    mismatches = [
        f"{role}: expected {want}, got {have}"
        for role, want, have in zip(APPROVER_ROLES, expected, got, strict=True)
        if want != have
    ]
    assert not mismatches, f"{method} {key}: " + "; ".join(mismatches) + f"\nrow: {' '.join(got)}"


POST_WRITERS = {
    key: row.split().index(next(o for o in row.split() if o.endswith("*")))
    for (key, method), row in MATRIX.items()
    if method == "POST" and "*" in row
}


@pytest.mark.parametrize("key", sorted(POST_WRITERS))
def test_web_writes_need_the_csrf_token(world, key, django_db_blocker):
    """The same write, from a browser that enforces CSRF, without the token: 403, no change."""
    role = ROLES[POST_WRITERS[key]]
    name = key.split("@")[0]
    url = reverse(name, kwargs=_kwargs(key, web_routes()[name], world))
    with django_db_blocker.unblock(), transaction.atomic():
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.users[role])
        if name in SETUP:
            SETUP[name](client, world)
        before = snapshot()
        body = BODIES.get(key) or BODIES.get(name) or (lambda w: {})
        response = client.post(url, body(world))
        assert response.status_code == 403, (key, role, response.status_code)
        assert snapshot() == before
        transaction.set_rollback(True)
