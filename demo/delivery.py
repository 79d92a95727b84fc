"""Demo milestones and status reports, through the delivery services, so the project pages
show a timeline with done, overdue and coming milestones and a latest report."""

import datetime

from django.utils import timezone

from delivery import services
from delivery.models import Milestone, Rating
from projects.models import Phase

from .projects import demo_project

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


def load() -> None:
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
