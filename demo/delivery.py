"""Demo milestones, status reports and benefits, through the delivery services, so the project
pages show a timeline with done, overdue and coming milestones and a latest report, and the
live products show what their adopting councils get from them (also on the councils' pages, the
home page and /benefits/)."""

import datetime

from django.utils import timezone

from councils.models import Council
from delivery import services
from delivery.models import Benefit, Confidence, Milestone, Rating
from projects.models import Adoption, Phase
from projects.services import people

from .projects import _person_for, demo_project

# (project title, milestone, phase, days from today it was planned for, days ago it was done)
MILESTONES = [
    ("Book a bulky waste collection", "Discovery report published", Phase.DISCOVERY, -120, 125),
    ("Book a bulky waste collection", "Alpha assessment passed", Phase.ALPHA, -40, 38),
    ("Book a bulky waste collection", "Private beta with two councils", Phase.BETA, -7, None),
    ("Book a bulky waste collection", "Public beta", Phase.BETA, 45, None),
    ("Comment on a planning application", "User research round 1", Phase.DISCOVERY, 14, None),
]
REPORTS = [
    (
        "Book a bulky waste collection",
        Rating.AT_RISK,
        "Alpha passed its assessment. The payment provider's test account arrived late.",
        1_850_000,
        62,
        "Start private beta with Leeds and Cardiff.",
        "Waiting for the payment provider's live account.",
        "A council that has integrated GOV.UK Pay for bulky waste.",
    ),
]


# More councils running the housing repairs product (the demo's adoptions are in projects.py).
MORE_ADOPTIONS = [
    ("Report a housing repair", "MAN", 200),
    ("Report a housing repair", "LDS", 20),  # too soon to say: no benefits yet
]
# (project title, council code, savings in pence a year, hours a year, people a year, other
# benefits, evidence link, confidence)
BENEFITS = [
    (
        "Report a housing repair",
        "KEN",
        4_250_000,
        1_900,
        18_500,
        "Fewer second visits: photos let the trades operative bring the right part.",
        "https://example.gov.uk/kent/repairs-benefits-review",
        Confidence.HIGH,
    ),
    (
        "Report a housing repair",
        "MAN",
        2_875_050,
        1_200,
        31_000,
        "Call handlers spend their time on urgent repairs.",
        "",
        Confidence.MEDIUM,
    ),
    (
        "Rhoi gwybod am fin heb ei gasglu",
        "CRF",
        960_000,
        650,
        42_000,
        "Residents can report in Welsh or English; fewer calls to the contact centre.",
        "",
        Confidence.LOW,
    ),
]


def load() -> None:
    load_benefits()
    if Milestone.objects.exists():
        return  # loaded before
    today = timezone.localdate()
    for title, name, phase, planned_in, done_ago in MILESTONES:
        project = demo_project(title)
        if project is None:
            continue
        milestone = services.milestone_add(
            actor=project.owner,
            project=project,
            title=name,
            phase=phase,
            planned_on=today + datetime.timedelta(days=planned_in),
        )
        if done_ago is not None:
            services.milestone_mark_done(
                actor=project.owner,
                milestone=milestone,
                done_on=today - datetime.timedelta(days=done_ago),
            )
    for title, rating, happened, pence, half_days, next_steps, blockers, help_wanted in REPORTS:
        project = demo_project(title)
        if project is None:
            continue
        services.status_report_file(
            actor=project.owner,
            project=project,
            rating=rating,
            happened=happened,
            money_spent=pence,
            half_days_used=half_days,
            next_steps=next_steps,
            blockers=blockers,
            help_wanted=help_wanted,
        )


def load_benefits() -> None:
    """A few councils report what they get from the live products (once only)."""
    if Benefit.objects.exists():
        return
    for title, code, days_ago in MORE_ADOPTIONS:
        project = demo_project(title)
        council = Council.objects.filter(code=code).first()
        if project is None or council is None:
            continue
        if not Adoption.objects.filter(project=project, council=council).exists():
            people.adoption_record(
                actor=_person_for(code),
                project=project,
                council=council,
                adopted_on=timezone.localdate() - datetime.timedelta(days=days_ago),
                note="Running it for our tenants too.",
            )
    for title, code, pence, hours, served, words, evidence, confidence in BENEFITS:
        project = demo_project(title)
        adoption = Adoption.objects.filter(project=project, council__code=code).first()
        if adoption is None:
            continue
        services.benefit_record(
            actor=_person_for(code),
            adoption=adoption,
            cashable_savings=pence,
            hours_saved=hours,
            people_served=served,
            non_cashable=words,
            evidence_url=evidence,
            confidence=confidence,
        )
