"""Every route and method of /api/v1/, for every kind of person: the status each one gets.

The routes come from the URL configuration (``pipeline.api.urls``), not from this file, so a new
route or method fails ``test_every_route_and_method_has_a_row`` until it gets a row below.

Who is who, on one published project led by Leadshire with a pledge from Partnerton:

- anonymous: no credentials
- other: a verified member of Elsewhere, a council with nothing to do with the project (token)
- owner: the project's owner, a verified member of Leadshire (token)
- lead_member: a verified member of Leadshire who is not the owner or an admin (session + CSRF)
- pledger: a verified member of Partnerton, whose pledges these are (session + CSRF)
- organiser: LocalGov Digital staff (token)
- approver: a verified approver of Partnerton, which has a delegated limit of £500 and a pledge
  over it awaiting approval (token). The approver gets what the pledger gets except where
  ``APPROVER`` says otherwise.

Every role follows the project, and someone else has asked to join its maker team.
"""

import re
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from wagtail.models import APIToken

from councils.models import Council
from delivery.models import Benefit, Milestone, ReportSchedule, StatusReport
from funding.models import (
    Answer,
    Application,
    ApplicationPartner,
    Assessment,
    Call,
    CombineSuggestion,
    Decision,
    PartnerState,
    Score,
)
from pipeline.api import urls as api_urls
from projects.models import (
    Follow,
    Need,
    Pledge,
    PledgeDecisionRecord,
    PledgeEvent,
    PledgeState,
    Project,
    TeamMembership,
    TeamStatus,
    Update,
)
from tests.factories import (
    AdoptionFactory,
    ApplicationFactory,
    ApplicationPartnerFactory,
    BenefitFactory,
    CouncilFactory,
    MilestoneFactory,
    NeedFactory,
    OrganiserFactory,
    ProjectFactory,
    UserFactory,
    approver,
    make_pledge,
    published_project,
    verified_member,
)
from tests.factories.accounts import PASSWORD
from tests.funding.applying import add_matrix_bid
from tests.funding.combining_world import add_matrix_combining
from tests.worlds import module_world

from .conftest import assert_error, send, session_client, token_client

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other", "owner", "lead_member", "pledger", "organiser")
TOKEN_ROLES = {"other", "owner", "organiser"}
SESSION_ROLES = {"lead_member", "pledger"}
assert set(ROLES) - {"anonymous"} == TOKEN_ROLES | SESSION_ROLES

EVERYONE_200 = (200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = (401, 200, 200, 200, 200, 200)
# The schema (YAML/JSON OpenAPI) and the Swagger page (HTML) render errors their own way.
NOT_JSON = {"schema", "docs"}

# (URL name, method) → the status for each role, in the order of ROLES:
#                                  anonymous other owner lead_member pledger organiser
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    # Where everything is.
    ("root", "GET"): EVERYONE_200,
    ("root", "HEAD"): EVERYONE_200,
    ("root", "OPTIONS"): EVERYONE_200,
    ("projects_csv", "GET"): EVERYONE_200,
    ("projects_csv", "HEAD"): EVERYONE_200,
    ("projects_csv", "OPTIONS"): EVERYONE_200,
    ("pledges_csv", "GET"): EVERYONE_200,
    ("pledges_csv", "HEAD"): EVERYONE_200,
    ("pledges_csv", "OPTIONS"): EVERYONE_200,
    ("project-list", "GET"): EVERYONE_200,
    ("project-list", "HEAD"): EVERYONE_200,
    ("project-list", "OPTIONS"): EVERYONE_200,
    ("project-list", "POST"): (401, 403, 201, 201, 403, 201),
    ("project-detail", "GET"): EVERYONE_200,
    ("project-detail", "HEAD"): EVERYONE_200,
    ("project-detail", "OPTIONS"): EVERYONE_200,
    ("project-detail", "PATCH"): (401, 403, 200, 403, 403, 200),
    ("project-needs", "GET"): EVERYONE_200,
    ("project-needs", "HEAD"): EVERYONE_200,
    ("project-needs", "OPTIONS"): EVERYONE_200,
    ("project-needs", "POST"): (401, 403, 201, 403, 403, 201),
    ("project-remove-need", "DELETE"): (401, 403, 204, 403, 403, 204),
    ("project-remove-need", "OPTIONS"): EVERYONE_200,
    # Marking a need met (the spare need) and reopening one (the met need): the managers.
    ("project-need-met", "POST"): (401, 403, 200, 403, 403, 200),
    ("project-need-met", "OPTIONS"): EVERYONE_200,
    ("project-need-reopen", "POST"): (401, 403, 200, 403, 403, 200),
    ("project-need-reopen", "OPTIONS"): EVERYONE_200,
    ("project-phase", "POST"): (401, 403, 200, 403, 403, 200),
    ("project-phase", "OPTIONS"): EVERYONE_200,
    ("project-state", "POST"): (401, 403, 200, 403, 403, 200),
    ("project-state", "OPTIONS"): EVERYONE_200,
    ("pledge-list", "GET"): EVERYONE_200,
    ("pledge-list", "HEAD"): EVERYONE_200,
    ("pledge-list", "OPTIONS"): EVERYONE_200,
    ("pledge-list", "POST"): (401, 403, 403, 403, 201, 201),
    ("pledge-detail", "GET"): EVERYONE_200,
    ("pledge-detail", "HEAD"): EVERYONE_200,
    ("pledge-detail", "OPTIONS"): EVERYONE_200,
    ("pledge-accept", "POST"): (401, 403, 200, 403, 403, 200),
    ("pledge-accept", "OPTIONS"): EVERYONE_200,
    ("pledge-decline", "POST"): (401, 403, 200, 403, 403, 200),
    ("pledge-decline", "OPTIONS"): EVERYONE_200,
    ("pledge-fulfil", "POST"): (401, 403, 200, 403, 403, 200),
    ("pledge-fulfil", "OPTIONS"): EVERYONE_200,
    ("pledge-withdraw", "POST"): (401, 403, 403, 403, 200, 200),
    ("pledge-withdraw", "OPTIONS"): EVERYONE_200,
    # Proposing a changed amount (within Partnerton's limit): whoever may pledge for it. The
    # owner's answer goes through accept and decline on the amendment (tests/api/test_amendments).
    ("pledge-amend", "POST"): (401, 403, 403, 403, 201, 201),
    ("pledge-amend", "OPTIONS"): EVERYONE_200,
    # Sign-off of the pledge awaiting approval: Partnerton's approvers only. Outside
    # Partnerton (the lead council too) it does not exist; organisers see it but do not sign.
    ("pledge-approve", "POST"): (401, 404, 404, 404, 403, 403),
    ("pledge-approve", "OPTIONS"): EVERYONE_200,
    ("pledge-refuse", "POST"): (401, 404, 404, 404, 403, 403),
    ("pledge-refuse", "OPTIONS"): EVERYONE_200,
    # The council's decision behind an offer within Partnerton's limit: its pledger (and its
    # approvers), nobody else, organisers included.
    ("pledge-decision", "POST"): (401, 403, 403, 403, 200, 403),
    ("pledge-decision", "OPTIONS"): EVERYONE_200,
    ("project-team", "GET"): EVERYONE_200,
    ("project-team", "HEAD"): EVERYONE_200,
    ("project-team", "OPTIONS"): EVERYONE_200,
    # Anyone signed in may ask to join; the owner decides (and leads the team already: 409).
    ("project-team", "POST"): (401, 201, 409, 201, 201, 201),
    ("project-updates", "GET"): EVERYONE_200,
    ("project-updates", "HEAD"): EVERYONE_200,
    ("project-updates", "OPTIONS"): EVERYONE_200,
    ("project-updates", "POST"): (401, 403, 201, 403, 403, 201),
    # Milestones and status reports (delivery): public reads, writes by the project's team.
    ("project-milestones", "GET"): EVERYONE_200,
    ("project-milestones", "HEAD"): EVERYONE_200,
    ("project-milestones", "OPTIONS"): EVERYONE_200,
    ("project-milestones", "POST"): (401, 403, 201, 403, 403, 201),
    ("project-milestone", "GET"): EVERYONE_200,
    ("project-milestone", "HEAD"): EVERYONE_200,
    ("project-milestone", "OPTIONS"): EVERYONE_200,
    ("project-milestone", "PATCH"): (401, 403, 200, 403, 403, 200),
    ("project-milestone-done", "POST"): (401, 403, 200, 403, 403, 200),
    ("project-milestone-done", "OPTIONS"): EVERYONE_200,
    ("project-reports", "GET"): EVERYONE_200,
    ("project-reports", "HEAD"): EVERYONE_200,
    ("project-reports", "OPTIONS"): EVERYONE_200,
    ("project-reports", "POST"): (401, 403, 201, 403, 403, 201),
    # Benefits adopting councils report: public reads; recording by the adopting council
    # (Partnerton adopted the project) and organisers, not by the lead council.
    ("benefit-list", "GET"): EVERYONE_200,
    ("benefit-list", "HEAD"): EVERYONE_200,
    ("benefit-list", "OPTIONS"): EVERYONE_200,
    ("benefit-list", "POST"): (401, 403, 403, 403, 201, 201),
    ("benefit-detail", "GET"): EVERYONE_200,
    ("benefit-detail", "HEAD"): EVERYONE_200,
    ("benefit-detail", "OPTIONS"): EVERYONE_200,
    ("benefit-summary", "GET"): EVERYONE_200,
    ("benefit-summary", "HEAD"): EVERYONE_200,
    ("benefit-summary", "OPTIONS"): EVERYONE_200,
    ("benefits_csv", "GET"): EVERYONE_200,
    ("benefits_csv", "HEAD"): EVERYONE_200,
    ("benefits_csv", "OPTIONS"): EVERYONE_200,
    ("benefits_summary_csv", "GET"): EVERYONE_200,
    ("benefits_summary_csv", "HEAD"): EVERYONE_200,
    ("benefits_summary_csv", "OPTIONS"): EVERYONE_200,
    # On a request to join from someone who is none of the roles.
    ("team-membership-approve", "POST"): (401, 403, 200, 403, 403, 200),
    ("team-membership-approve", "OPTIONS"): EVERYONE_200,
    ("team-membership-decline", "POST"): (401, 403, 200, 403, 403, 200),
    ("team-membership-decline", "OPTIONS"): EVERYONE_200,
    # The person themselves, or the owner removing them.
    ("team-membership-leave", "POST"): (401, 403, 200, 403, 403, 200),
    ("team-membership-leave", "OPTIONS"): EVERYONE_200,
    # Your own follows: signed in only. Every role already follows the project.
    ("follows", "GET"): SIGNED_IN_200,
    ("follows", "HEAD"): SIGNED_IN_200,
    ("follows", "OPTIONS"): SIGNED_IN_200,
    ("follows", "POST"): (401, 201, 201, 201, 201, 201),
    ("follow", "DELETE"): (401, 204, 204, 204, 204, 204),
    ("follow", "OPTIONS"): SIGNED_IN_200,
    ("council-list", "GET"): EVERYONE_200,
    ("council-list", "HEAD"): EVERYONE_200,
    ("council-list", "OPTIONS"): EVERYONE_200,
    ("council-detail", "GET"): EVERYONE_200,
    ("council-detail", "HEAD"): EVERYONE_200,
    ("council-detail", "OPTIONS"): EVERYONE_200,
    # Leadshire's delegated limits: its admins (none here but organisers).
    ("council-limits", "POST"): (401, 403, 403, 403, 403, 200),
    ("council-limits", "OPTIONS"): EVERYONE_200,
    # Funding calls: public reads (an open call here; drafts: tests/funding/test_calls_api.py).
    ("call-list", "GET"): EVERYONE_200,
    ("call-list", "HEAD"): EVERYONE_200,
    ("call-list", "OPTIONS"): EVERYONE_200,
    ("call-detail", "GET"): EVERYONE_200,
    ("call-detail", "HEAD"): EVERYONE_200,
    ("call-detail", "OPTIONS"): EVERYONE_200,
    ("tags", "GET"): EVERYONE_200,
    ("tags", "HEAD"): EVERYONE_200,
    ("tags", "OPTIONS"): EVERYONE_200,
    ("stats", "GET"): EVERYONE_200,
    ("stats", "HEAD"): EVERYONE_200,
    ("stats", "OPTIONS"): EVERYONE_200,
    # A bid's partner councils (funding): Leadshire's draft bid with Partnerton invited. The
    # bid's own side reads every row; Partnerton's members read their own invitation; to
    # anyone else a draft bid does not exist. The lead invites (Elsewhere) and removes; any
    # verified member of Partnerton declines; only its approver (with a second factor)
    # confirms or, on a bid where it is confirmed, withdraws. Organisers read but do not act.
    ("application-partners", "GET"): (404, 404, 200, 200, 200, 200),
    ("application-partners", "HEAD"): (404, 404, 200, 200, 200, 200),
    ("application-partners", "OPTIONS"): EVERYONE_200,
    ("application-partners", "POST"): (401, 404, 201, 201, 403, 403),
    ("application-partner", "GET"): (404, 404, 200, 200, 200, 200),
    ("application-partner", "HEAD"): (404, 404, 200, 200, 200, 200),
    ("application-partner", "OPTIONS"): EVERYONE_200,
    ("application-partner", "DELETE"): (401, 404, 204, 204, 403, 403),
    ("application-partner-accept", "POST"): (401, 404, 403, 403, 403, 403),
    ("application-partner-accept", "OPTIONS"): EVERYONE_200,
    ("application-partner-decline", "POST"): (401, 404, 403, 403, 200, 403),
    ("application-partner-decline", "OPTIONS"): EVERYONE_200,
    ("application-partner-withdraw", "POST"): (401, 404, 403, 403, 403, 403),
    ("application-partner-withdraw", "OPTIONS"): EVERYONE_200,
    # The consortium builder's suggestions: the lead council's verified members.
    ("application-suggestions", "GET"): (404, 404, 200, 200, 403, 403),
    ("application-suggestions", "HEAD"): (404, 404, 200, 200, 403, 403),
    ("application-suggestions", "OPTIONS"): EVERYONE_200,
    # The token exchange ignores who is calling: the email and password are the credentials.
    ("token", "POST"): (201, 201, 201, 201, 201, 201),
    ("token", "OPTIONS"): EVERYONE_200,
    ("schema", "GET"): EVERYONE_200,
    ("schema", "HEAD"): EVERYONE_200,
    ("docs", "GET"): EVERYONE_200,
    ("docs", "HEAD"): EVERYONE_200,
    # Funding: assessment and moderation. Nobody here belongs to the call's funder
    # (tests/funding/test_assessment_permissions.py has the funder's roles); organisers read
    # the moderation board and act on nothing.
    ("call-assessment", "GET"): (401, 403, 403, 403, 403, 403),
    ("call-assessment", "HEAD"): (401, 403, 403, 403, 403, 403),
    ("call-assessment", "OPTIONS"): SIGNED_IN_200,
    ("application-assessment", "GET"): (401, 403, 403, 403, 403, 403),
    ("application-assessment", "HEAD"): (401, 403, 403, 403, 403, 403),
    ("application-assessment", "POST"): (401, 403, 403, 403, 403, 403),
    ("application-assessment", "OPTIONS"): SIGNED_IN_200,
    ("application-assessment-conflict", "POST"): (401, 403, 403, 403, 403, 403),
    ("application-assessment-conflict", "OPTIONS"): SIGNED_IN_200,
    ("call-moderation", "GET"): (401, 403, 403, 403, 403, 200),
    ("call-moderation", "HEAD"): (401, 403, 403, 403, 403, 200),
    ("call-moderation", "OPTIONS"): SIGNED_IN_200,
    ("application-shortlist", "POST"): (401, 403, 403, 403, 403, 403),
    ("application-shortlist", "OPTIONS"): SIGNED_IN_200,
    ("application-decision", "POST"): (401, 403, 403, 403, 403, 403),
    ("application-decision", "OPTIONS"): SIGNED_IN_200,
    ("call-decisions-publish", "POST"): (401, 403, 403, 403, 403, 403),
    ("call-decisions-publish", "OPTIONS"): SIGNED_IN_200,
    # Releasing a tranche of an award by hand: the funder's moderators only.
    ("application-tranche-release", "POST"): (401, 403, 403, 403, 403, 403),
    ("application-tranche-release", "OPTIONS"): SIGNED_IN_200,
    # Funding applications: the open data is public. Partnerton's draft bid (``bid``) is seen
    # by Partnerton's members (the pledger works on its project; the approver, see APPROVER,
    # commits it) and organisers, and does not exist for anyone else. The owner of Leadshire's
    # project may start a bid with it; nobody else here works on a Leadshire project.
    ("application-list", "GET"): EVERYONE_200,
    ("application-list", "HEAD"): EVERYONE_200,
    ("application-list", "OPTIONS"): EVERYONE_200,
    ("application-list", "POST"): (401, 403, 201, 403, 403, 403),
    ("application-detail", "GET"): (404, 404, 404, 404, 200, 200),
    ("application-detail", "HEAD"): (404, 404, 404, 404, 200, 200),
    ("application-detail", "OPTIONS"): EVERYONE_200,
    ("application-detail", "PATCH"): (401, 404, 404, 404, 200, 403),
    ("application-submit", "POST"): (401, 404, 404, 404, 403, 403),
    ("application-submit", "OPTIONS"): EVERYONE_200,
    ("application-withdraw", "POST"): (401, 404, 404, 404, 403, 403),
    ("application-withdraw", "OPTIONS"): EVERYONE_200,
    ("applications_csv", "GET"): EVERYONE_200,
    ("applications_csv", "HEAD"): EVERYONE_200,
    ("applications_csv", "OPTIONS"): EVERYONE_200,
    # Similar bids and combining: organisers (and the funder's moderators, in
    # tests/funding/test_combining_permissions.py) see the clusters and suggest. A suggestion
    # (Partnerton's bid to join Leadshire's) is seen by the two lead councils' verified
    # members and organisers, and does not exist for anyone else; only an officer with
    # authority for a lead council answers (the approver, see APPROVER).
    ("call-similar", "GET"): (401, 403, 403, 403, 403, 200),
    ("call-similar", "HEAD"): (401, 403, 403, 403, 403, 200),
    ("call-similar", "OPTIONS"): SIGNED_IN_200,
    ("call-combine-suggestions", "POST"): (401, 403, 403, 403, 403, 201),
    ("call-combine-suggestions", "OPTIONS"): SIGNED_IN_200,
    ("combine-suggestion", "GET"): (401, 404, 200, 200, 200, 200),
    ("combine-suggestion", "HEAD"): (401, 404, 200, 200, 200, 200),
    ("combine-suggestion", "OPTIONS"): SIGNED_IN_200,
    ("combine-suggestion-answer", "POST"): (401, 404, 403, 403, 403, 403),
    ("combine-suggestion-answer", "OPTIONS"): SIGNED_IN_200,
}
assert all(len(statuses) == len(ROLES) for statuses in MATRIX.values())

MATRIX_ROLES = (*ROLES, "approver")
APPROVER = {
    ("pledge-approve", "POST"): 200,
    ("pledge-refuse", "POST"): 200,
    ("application-partner-accept", "POST"): 200,
    ("application-partner-withdraw", "POST"): 200,
    # Partnerton's approver commits its bid, but is not on the project's team.
    ("application-detail", "PATCH"): 403,
    ("application-submit", "POST"): 200,
    ("application-withdraw", "POST"): 200,
    # Partnerton's approver agrees for its bid.
    ("combine-suggestion-answer", "POST"): 200,
}


def statuses_for(key: tuple[str, str]) -> tuple[int, ...]:
    """The row for each of ``MATRIX_ROLES``: the approver as the pledger unless ``APPROVER``
    says otherwise."""
    row = MATRIX[key]
    return (*row, APPROVER.get(key, row[ROLES.index("pledger")]))


# What each write sends. Bodies are valid, so a refusal can only be about who is asking.
BODIES = {
    ("project-list", "POST"): lambda w: {
        "lead_council": w.lead.code,
        "title": "A new shared project",
        "summary": "Something councils need",
    },
    ("project-detail", "PATCH"): lambda w: {"summary": "A clearer summary"},
    ("project-needs", "POST"): lambda w: {"kind": "time", "role": "designer", "days": "2.5"},
    ("project-phase", "POST"): lambda w: {"phase": "discovery"},
    ("project-state", "POST"): lambda w: {"state": "in_delivery"},
    ("pledge-list", "POST"): lambda w: {
        "project": w.project.slug,
        "council": w.partner.code,
        "kind": "money",
        "amount_pence": 25_000,
    },
    ("pledge-accept", "POST"): lambda w: {"note": "Thank you"},
    ("pledge-decline", "POST"): lambda w: {"note": "Not this time"},
    ("pledge-fulfil", "POST"): lambda w: {"note": "Received"},
    ("pledge-withdraw", "POST"): lambda w: {"reason": "Budget cut"},
    ("pledge-amend", "POST"): lambda w: {"amount_pence": 1_500, "note": "More budget"},
    ("pledge-approve", "POST"): lambda w: {"note": "Delegated decision 12"},
    ("pledge-refuse", "POST"): lambda w: {"reason": "Not in this year's budget"},
    ("pledge-decision", "POST"): lambda w: {
        "title": "Delegated decision 2026/041",
        "date": "2026-03-01",
        "url": "https://partnerton.gov.uk/decisions/41",
    },
    ("council-limits", "POST"): lambda w: {"money_limit_pence": 250_000, "days_limit": "3.5"},
    ("project-team", "POST"): lambda w: {"role": "developer", "message": "I can help"},
    ("project-updates", "POST"): lambda w: {"title": "Alpha done", "body": "We tested it."},
    ("project-milestones", "POST"): lambda w: {
        "title": "Beta assessment",
        "phase": "beta",
        "planned_on": "2027-03-31",
    },
    ("project-milestone", "PATCH"): lambda w: {"planned_on": "2027-04-30"},
    ("project-milestone-done", "POST"): lambda w: {"evidence_url": "https://example.gov.uk/a"},
    ("project-reports", "POST"): lambda w: {
        "rating": "at_risk",
        "happened": "Research done",
        "money_spent_pence": 120_000,
        "days_used": "4.5",
        "next_steps": "Prototype",
    },
    ("benefit-list", "POST"): lambda w: {
        "project": w.project.slug,
        "council": w.partner.code,
        "cashable_savings_pence": 1_250_050,
        "confidence": "medium",
    },
    ("application-partners", "POST"): lambda w: {
        "council": w.other.code,
        "contribution": "User research",
        "message": "Join us",
    },
    ("application-partner-accept", "POST"): lambda w: {"contribution": "Two researchers"},
    ("application-partner-decline", "POST"): lambda w: {"reason": "No budget this year"},
    ("application-partner-withdraw", "POST"): lambda w: {"reason": "Budget cut"},
    ("team-membership-approve", "POST"): lambda w: {"note": "Welcome"},
    ("team-membership-decline", "POST"): lambda w: {"note": "Team is full"},
    ("follows", "POST"): lambda w: {"project": w.second_project.slug},
    ("application-list", "POST"): lambda w: {"call": w.bid_call.slug, "project": w.project.slug},
    ("application-detail", "PATCH"): lambda w: {"amount_requested_pence": 45_000_00},
    ("application-submit", "POST"): lambda w: {},
    ("application-withdraw", "POST"): lambda w: {"reason": "Merged with another bid"},
    ("token", "POST"): lambda w: {
        "email": w.owner.email,
        "password": PASSWORD,
        "name": "Finance report script",
    },
    ("application-assessment", "POST"): lambda w: {
        "scores": [{"criterion": w.call.criteria.first().pk, "score": 3}]
    },
    ("application-assessment-conflict", "POST"): lambda w: {"reason": "I used to work there"},
    ("application-shortlist", "POST"): lambda w: {"shortlisted": True},
    ("application-decision", "POST"): lambda w: {"outcome": "not_fund", "feedback": "Not now"},
    ("call-decisions-publish", "POST"): lambda w: {},
    ("application-tranche-release", "POST"): lambda w: {"note": "Paid early"},
    ("call-combine-suggestions", "POST"): lambda w: {
        "continuing": w.application.pk,
        "absorbed": w.combine_third.pk,
    },
    ("combine-suggestion-answer", "POST"): lambda w: {"action": "agree"},
}

# The object a route's ``pk`` is, by the route name's prefix (fulfilling needs an accepted
# pledge). A new kind of object needs a line here and the object in make_world.
PK_FOR_ROUTE = {
    "pledge-approve": "waiting",
    "pledge-refuse": "waiting",
    "pledge-fulfil": "accepted",
    "pledge-": "offered",
    "team-membership-": "join_request",
    "project-milestone": "milestone",
    "benefit-": "benefit",
    # Partnerton is invited to ``partners_application`` and confirmed in
    # ``partners_confirmed_application``.
    "application-partner-withdraw": "partners_confirmed_application",
    "application-partner": "partners_application",
    "application-suggestions": "partners_application",
    # A closed call's submitted bid for assessment and decisions; Partnerton's draft otherwise.
    "application-assessment": "application",
    "application-shortlist": "application",
    "application-decision": "application",
    "application-tranche-release": "application",
    "application-": "bid",
    "combine-suggestion": "combine_suggestion",
}


def _served_methods(callback) -> set[str]:
    """The methods a view answers (other than with 405): its actions, HEAD with GET, OPTIONS."""
    actions = getattr(callback, "actions", None)
    if actions:
        methods = set(actions)
        if "get" in methods:
            methods.add("head")
        methods.add("options")
    else:
        cls = getattr(callback, "cls", None) or callback.view_class
        allowed = callback.view_initkwargs.get("http_method_names", cls.http_method_names)
        methods = {m for m in allowed if hasattr(cls, m) or (m == "head" and hasattr(cls, "get"))}
    return {m.upper() for m in methods}


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern), pattern


def served_routes() -> dict[tuple[str, str], str]:
    """(URL name, method) → route, for every route and method the API serves."""
    served: dict[tuple[str, str], str] = {}
    for route, pattern in _walk(api_urls.urlpatterns):
        assert pattern.name, f"API route {route} has no name"
        for method in _served_methods(pattern.callback):
            key = (pattern.name, method)
            assert key not in served, f"{key} is served by two routes: {served[key]}, {route}"
            served[key] = route
    return served


def test_every_route_and_method_has_a_row():
    served = served_routes()
    missing = sorted(set(served) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(served))
    assert not missing, (
        "These API routes and methods have no row in MATRIX; add one saying what each role "
        f"gets: {[(name, method, served[(name, method)]) for name, method in missing]}"
    )
    assert not stale, f"MATRIX has rows for routes or methods the API does not serve: {stale}"


def test_the_walk_finds_the_routes_it_should():
    """Guard the guard: the enumeration sees viewset actions and plain views alike."""
    served = served_routes()
    assert ("project-detail", "PATCH") in served
    assert ("project-remove-need", "DELETE") in served
    assert ("pledge-withdraw", "POST") in served
    assert ("token", "POST") in served
    assert ("project-detail", "PUT") not in served
    assert ("project-detail", "DELETE") not in served
    assert ("council-list", "POST") not in served
    assert ("pledge-detail", "DELETE") not in served


def test_the_root_links_to_every_list_and_the_docs():
    """/api/v1/ was a 404; it now links to every route that takes no argument."""
    from rest_framework.test import APIClient

    body = APIClient().get("/api/v1/").json()
    linked = {urlsplit(url).path for url in body.values()}
    lists = {
        _openapi_free(route)
        for (name, method), route in served_routes().items()
        if method == "GET" and "<" not in route and "(?P" not in route and name != "root"
    }
    assert lists <= linked, lists - linked
    assert {"/api/v1/docs/", "/api/v1/schema/", "/api/v1/auth/token/"} <= linked
    for url in body.values():
        assert url.startswith("http://testserver/api/v1/")


def _openapi_free(route: str) -> str:
    return "/api/v1/" + route.replace("^", "").replace("$", "").replace("\\.", ".")


def make_world() -> SimpleNamespace:
    lead = CouncilFactory(short_name="Leadshire")
    partner = CouncilFactory(short_name="Partnerton", money_limit=50_000)
    other = CouncilFactory(short_name="Elsewhere")
    project = published_project(lead_council=lead)
    pledger = verified_member(partner)
    w = SimpleNamespace(lead=lead, partner=partner, other=other, project=project)
    w.owner = project.owner
    w.spare_need = NeedFactory(project=project, amount=100)
    w.met_need = NeedFactory(project=project, amount=200, met_at=timezone.now())
    w.offered = make_pledge(project, council=partner, actor=pledger, amount=1_000)
    w.accepted = make_pledge(
        project, council=partner, actor=pledger, amount=2_000, state=PledgeState.ACCEPTED
    )
    w.waiting = make_pledge(
        project, council=partner, actor=pledger, amount=100_000, state=PledgeState.PENDING
    )
    # Waiting for more other councils than there are: public, not yet the owner's to decide.
    w.conditional = make_pledge(
        project, council=partner, actor=pledger, amount=700, state=PledgeState.CONDITIONAL
    )
    w.users = {
        "other": verified_member(other),
        "owner": project.owner,
        "lead_member": verified_member(lead),
        "pledger": pledger,
        "organiser": OrganiserFactory(),
        "approver": approver(partner),
    }
    w.join_request = TeamMembership.objects.create(
        project=project, user=UserFactory(), role="designer", status=TeamStatus.REQUESTED
    )
    for user in w.users.values():
        Follow.objects.create(project=project, user=user)
    w.second_project = ProjectFactory(published=True)
    w.milestone = MilestoneFactory(project=project, created_by=project.owner)
    # Partnerton adopted the project (no benefits recorded yet); another council has.
    w.adoption = AdoptionFactory(project=project, council=partner, recorded_by=pledger)
    w.benefit = BenefitFactory(adoption=AdoptionFactory(project=project, council=CouncilFactory()))
    # Funding: a closed call with the project's application submitted (assessment is open).
    from tests.funding.assessment_world import matrix_call

    w.call, w.application = matrix_call(project=project)
    # Leadshire's draft bid to an open call, with Partnerton invited; and a second bid, to
    # another call, where Partnerton has confirmed its part.
    w.partners_application = ApplicationFactory(project=project)
    ApplicationPartnerFactory(
        application=w.partners_application, council=partner, invited_by=w.owner
    )
    w.partners_confirmed_application = ApplicationFactory(project=project)
    ApplicationPartnerFactory(
        application=w.partners_confirmed_application,
        council=partner,
        invited_by=w.owner,
        state=PartnerState.CONFIRMED,
        decided_by=w.users["approver"],
        decided_at=timezone.now(),
    )
    add_matrix_bid(w)  # funding applications: a call and Partnerton's draft bid to it
    add_matrix_combining(w)  # similar bids: Partnerton's bid suggested to join Leadshire's
    return w


# Built once for the module; each case runs in a savepoint that is rolled back.
world = module_world(make_world)


def client_for(role: str, w: SimpleNamespace):
    from rest_framework.test import APIClient

    if role == "anonymous":
        return APIClient()
    user = w.users[role]
    return token_client(user) if role in TOKEN_ROLES | {"approver"} else session_client(user)


def url_for(name: str, route: str, w: SimpleNamespace) -> str:
    params = set(re.findall(r"\(\?P<(\w+)>", route)) | set(re.findall(r"<(?:\w+:)?(\w+)>", route))
    kwargs = {}
    if "slug" in params:
        kwargs["slug"] = w.call.slug if name.startswith("call-") else w.project.slug
    if "need_id" in params:
        kwargs["need_id"] = (w.met_need if name == "project-need-reopen" else w.spare_need).pk
    if "code" in params:
        kwargs["code"] = w.lead.code
    if "council" in params:
        kwargs["council"] = w.partner.slug
    if "position" in params:  # an award's first tranche
        kwargs["position"] = 1
    if "pk" in params:
        prefix = next((p for p in PK_FOR_ROUTE if name.startswith(p)), None)
        assert prefix, f"Add {name!r} to PK_FOR_ROUTE: which object in the world is its pk?"
        kwargs["pk"] = getattr(w, PK_FOR_ROUTE[prefix]).pk
    assert params == set(kwargs), f"url_for does not know how to fill {params - set(kwargs)}"
    return reverse(f"api:{name}", kwargs=kwargs)


def snapshot() -> tuple:
    """Everything a write could change."""
    return (
        *(
            list(model.objects.order_by("pk").values())
            for model in (
                Council,
                Project,
                Need,
                Pledge,
                PledgeEvent,
                PledgeDecisionRecord,
                TeamMembership,
                Follow,
                Update,
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
                Answer,
                CombineSuggestion,
            )
        ),
        list(APIToken.objects.order_by("pk").values_list("pk", "name", "revoked_at", "key_hash")),
    )


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    role: str
    expected: int

    def __str__(self) -> str:
        return f"{self.method} {self.name} as {self.role} → {self.expected}"


CASES = [
    Case(name, method, role, statuses_for((name, method))[i])
    for name, method in MATRIX
    for i, role in enumerate(MATRIX_ROLES)
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matrix(case: Case, world):
    routes = served_routes()
    route = routes.get((case.name, case.method))
    if route is None:
        pytest.fail(f"{case.method} {case.name} is in MATRIX but not served")
    w = world
    client = client_for(case.role, w)
    body_for = BODIES.get((case.name, case.method))
    body = body_for(w) if body_for else None
    before = snapshot()

    response = send(client, case.method, url_for(case.name, route, w), body)

    assert response.status_code == case.expected, (
        f"{case}: got {response.status_code} {response.content[:300]!r}"
    )
    if case.expected >= 400:
        if case.method == "HEAD":  # the same answer as GET, without the body
            assert response["Content-Type"].startswith("application/json")
        else:
            assert_error(response, case.expected)
        assert snapshot() == before, "a refused request changed something"
    elif case.method in ("POST", "PATCH", "DELETE"):
        assert snapshot() != before, "a successful write changed nothing"
    else:
        assert snapshot() == before, "a read changed something"
    if case.method == "HEAD":
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert content == b"", "HEAD has no body"


# The actions on a conditional pledge (README, "Conditional and match pledges"): the same routes,
# on a pledge waiting for other councils. Its council withdraws it as any offer; nobody accepts
# or declines it until Pipeline makes it an offer (409); and a pledge is offered with its
# conditions by whoever may pledge.
#                                     anonymous other owner lead_member pledger organiser
CONDITIONAL_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("pledge-withdraw", "POST"): (401, 403, 403, 403, 200, 200),
    ("pledge-accept", "POST"): (401, 403, 409, 403, 403, 409),
    ("pledge-decline", "POST"): (401, 403, 409, 403, 403, 409),
    ("pledge-list", "POST"): (401, 403, 403, 403, 201, 201),
}
CONDITIONAL_BODIES = {
    "pledge-withdraw": lambda w: {"reason": "Budget cut"},
    "pledge-accept": lambda w: {"note": "Thank you"},
    "pledge-decline": lambda w: {"note": "No thanks"},
    "pledge-list": lambda w: {
        "project": w.project.slug,
        "council": w.partner.code,
        "kind": "money",
        "amount_pence": 700,
        "min_other_councils": 3,
        "match_percent": 50,
    },
}


@pytest.mark.parametrize(
    ("name", "method", "role", "expected"),
    [
        (name, method, role, statuses[i])
        for (name, method), statuses in CONDITIONAL_MATRIX.items()
        for i, role in enumerate(ROLES)
    ],
)
def test_conditional_pledge_matrix(name, method, role, expected, world):
    w = world
    url = (
        reverse("api:pledge-list")
        if name == "pledge-list"
        else reverse(f"api:{name}", kwargs={"pk": w.conditional.pk})
    )
    client = client_for(role, w)  # a token client makes its token first
    before = snapshot()
    response = send(client, method, url, CONDITIONAL_BODIES[name](w))
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert_error(response, expected)
        assert snapshot() == before, "a refused request changed something"
    else:
        assert snapshot() != before
        if name == "pledge-list":
            assert response.json()["state"] == PledgeState.CONDITIONAL
            assert response.json()["match_percent"] == 50


@pytest.mark.parametrize("role", ["anonymous", "other", "organiser"])
@pytest.mark.parametrize(
    "name", sorted({name for name, _ in MATRIX}), ids=lambda n: f"unserved methods on {n}"
)
def test_methods_not_served_are_405_with_allow_for_everyone(name: str, role: str, world):
    """Methods a route does not serve are refused as such, with the methods it does serve, to
    anyone: a signed-out DELETE on a pledge was a 401, as if signing in would let it through."""
    w = world
    client = client_for(role, w)
    routes = served_routes()
    route = next(r for (n, _), r in routes.items() if n == name)
    served = {m for (n, m) in routes if n == name}
    for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} - served):
        response = send(client, method, url_for(name, route, w), {} if method != "GET" else None)
        if name in NOT_JSON:
            assert response.status_code == 405
        else:
            assert_error(response, 405)
        assert set(response["Allow"].split(", ")) == served, (method, response["Allow"])


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_an_address_without_its_final_slash_is_a_308_to_the_real_one(method, world):
    """``DELETE /api/v1/pledges/1`` was a 404; a 308 keeps the method and the body."""
    w = world
    client = client_for("organiser", w)
    for path in (f"/api/v1/pledges/{w.offered.pk}", "/api/v1", "/api/v1/projects"):
        response = send(client, method, f"{path}?page_size=2", {} if method != "GET" else None)
        body = response.json()
        assert response.status_code == 308, (path, response.status_code)
        assert response["Location"] == f"{path}/?page_size=2"
        assert body["code"] == "moved" and f"{path}/" in body["message"]
    followed = send(client, "DELETE", f"/api/v1/pledges/{w.offered.pk}/", None)
    assert_error(followed, 405)
    assert_error(send(client, method, "/api/v1/nothing-here", None), 404)


# --- visibility: drafts and hidden projects ------------------------------------------------

#                           anonymous other owner lead_member pledger organiser
DRAFT_VISIBILITY = dict(zip(ROLES, (404, 404, 200, 200, 404, 200), strict=True))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ["project-detail", "project-needs"])
def test_drafts_are_seen_only_by_the_lead_council_and_organisers(role, route, world):
    w = world
    Project.objects.filter(pk=w.project.pk).update(state="draft", published_at=None)
    client = client_for(role, w)
    response = client.get(reverse(f"api:{route}", kwargs={"slug": w.project.slug}))
    assert response.status_code == DRAFT_VISIBILITY[role]
    if response.status_code == 404:
        assert_error(response, 404)
    listed = client.get(reverse("api:project-list")).json()["results"]
    assert w.project.slug not in [p["slug"] for p in listed], "drafts are never listed"


@pytest.mark.parametrize("role", ROLES)
def test_hidden_projects_and_their_pledges_are_not_public(role, world):
    w = world
    Project.objects.filter(pk=w.project.pk).update(is_hidden=True, hidden_reason="Spam")
    client = client_for(role, w)
    detail = client.get(reverse("api:project-detail", kwargs={"slug": w.project.slug}))
    assert detail.status_code == DRAFT_VISIBILITY[role]
    pledge = client.get(reverse("api:pledge-detail", kwargs={"pk": w.offered.pk}))
    assert pledge.status_code == DRAFT_VISIBILITY[role]
    listed = client.get(reverse("api:project-list")).json()["results"]
    assert w.project.slug not in [p["slug"] for p in listed]
    assert client.get(reverse("api:pledge-list")).json()["results"] == []


def test_session_writes_without_the_csrf_token_are_refused(world):
    w = world
    client = session_client(w.users["pledger"], csrf=False)
    before = snapshot()
    response = send(
        client,
        "POST",
        reverse("api:pledge-withdraw", kwargs={"pk": w.offered.pk}),
        {"reason": "Budget cut"},
    )
    body = assert_error(response, 403)
    assert "CSRF" in body["message"]
    assert snapshot() == before
    # Reads need no token, and a bearer token needs no CSRF token (it is not a cookie).
    assert client.get(reverse("api:pledge-list")).status_code == 200


# A read-only token (accounts.TokenTerms) reads whatever its owner may read and writes nothing:
# every write in MATRIX, with the organiser's read-only token (who may make most of them), is
# 403 "token_read_only" and changes nothing. The token exchange takes no token at all.
WRITES = sorted(
    (name, method)
    for name, method in MATRIX
    if method in ("POST", "PUT", "PATCH", "DELETE") and name != "token"
)


def _read_only_client(user):
    from rest_framework.test import APIClient

    from accounts.models import TokenAccess
    from accounts.services import api_token_create

    _, plaintext = api_token_create(user=user, name="Report", access=TokenAccess.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.mark.parametrize(("name", "method"), WRITES, ids=str)
def test_a_read_only_token_writes_nothing(name, method, world):
    route = served_routes()[(name, method)]
    w = world
    body_for = BODIES.get((name, method))
    body = body_for(w) if body_for else None
    before = snapshot()
    response = send(_read_only_client(w.users["organiser"]), method, url_for(name, route, w), body)
    error = assert_error(response, 403)
    assert error["code"] == "token_read_only", (name, method, error)
    assert snapshot()[:-1] == before[:-1], "a read-only token changed something"


def test_a_read_only_token_reads_what_its_owner_may(world):
    w = world
    client = _read_only_client(w.users["organiser"])
    routes = served_routes()
    organiser = ROLES.index("organiser")
    reads = sorted(key for key in MATRIX if key[1] == "GET" and key[0] not in NOT_JSON)
    assert len(reads) > 10
    for name, method in reads:
        response = send(client, method, url_for(name, routes[(name, method)], w))
        assert response.status_code == MATRIX[(name, method)][organiser], (name, response.content)
