"""A history that writes itself: pledge decisions, team changes and milestones reached appear on
the project's timeline with who and when, without anyone writing an update."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from delivery import services as delivery
from projects.models import Kind, Language, PledgeState, Update
from projects.services import people, pledges
from tests.factories import (
    CouncilFactory,
    MilestoneFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


def timeline(project) -> list[tuple[str, str, int]]:
    return [
        (u.title, u.body, u.author_id)
        for u in Update.objects.filter(project=project).order_by("created_at", "pk")
    ]


@pytest.mark.parametrize(
    "state, title, words",
    [
        (PledgeState.ACCEPTED, "Pledge accepted", "accepted the pledge of £100 from Northshire"),
        (PledgeState.DECLINED, "Pledge declined", "declined the pledge of £100 from Northshire"),
        (PledgeState.FULFILLED, "Pledge fulfilled", "Northshire delivered its pledge of £100"),
        (PledgeState.WITHDRAWN, "Pledge withdrawn", "withdrew the pledge of £100 from Northshire"),
    ],
)
def test_each_decision_on_a_pledge_is_on_the_timeline_with_who_made_it(state, title, words):
    project = published_project()
    council = CouncilFactory(name="Northshire", short_name="Northshire")
    pledger = verified_member(council, first_name="Nia", last_name="Evans")
    make_pledge(project, council=council, actor=pledger, amount=10_000, state=state)
    entries = timeline(project)
    assert [t for t, _b, _a in entries][-1] == title
    _title, body, author = entries[-1]
    assert words in body
    decider = pledger if state == PledgeState.WITHDRAWN else project.owner
    assert author == decider.pk
    assert body.startswith(decider.get_full_name())
    if state == PledgeState.FULFILLED:  # accepted first, then fulfilled: both are history
        assert [t for t, _b, _a in entries] == ["Pledge accepted", "Pledge fulfilled"]


def test_a_time_pledge_is_worded_in_days_in_the_projects_language():
    project = published_project(language=Language.WELSH)
    council = CouncilFactory(short_name="Northshire")
    make_pledge(project, council=council, kind=Kind.TIME, amount=6, state=PledgeState.ACCEPTED)
    title, body, _author = timeline(project)[-1]
    assert title == "Addewid wedi’i dderbyn"
    assert "3 diwrnod" in body and "Northshire" in body


def test_what_stays_inside_the_pledging_council_never_reaches_the_timeline():
    project = published_project()
    council = CouncilFactory(money_limit=5_000)  # £50: a £100 pledge waits for an approver
    member = verified_member(council)
    pledge = pledges.pledge_offer(
        actor=member, project=project, council=council, kind=Kind.MONEY, amount=10_000
    )
    assert pledge.state == PledgeState.PENDING
    pledges.pledge_withdraw(actor=member, pledge=pledge, reason="We found the money elsewhere")
    assert timeline(project) == []


def test_a_change_accepted_says_what_the_pledge_now_is():
    project = published_project()
    council = CouncilFactory(short_name="Northshire")
    member = verified_member(council)
    original = make_pledge(project, council=council, actor=member, state=PledgeState.ACCEPTED)
    change = pledges.pledge_amend(actor=member, pledge=original, amount=25_000, note="More")
    pledges.pledge_accept(actor=project.owner, pledge=change)
    title, body, _author = timeline(project)[-1]
    assert title == "Pledge changed"
    assert "its pledge is now £250" in body


def test_pledge_decisions_are_not_sent_to_every_follower(on_commit):
    project = published_project()
    follower = UserFactory()
    people.follow_project(actor=follower, project=project)
    pledge = make_pledge(project)
    mail.outbox.clear()
    on_commit(pledges.pledge_accept, actor=project.owner, pledge=pledge)
    assert follower.email not in [to for m in mail.outbox for to in m.to]
    assert timeline(project)[-1][0] == "Pledge accepted"


def test_team_changes_are_on_the_timeline_naming_people_never_their_email():
    project = published_project()
    council = CouncilFactory()
    person = verified_member(council, first_name="Rhys", last_name="Morgan")
    nameless = verified_member(council, first_name="", last_name="")
    owner = project.owner
    joined = people.team_request_join(actor=person, project=project, role="developer")
    people.team_approve(actor=owner, membership=joined)
    people.team_set_role(actor=owner, membership=joined, role="designer")
    people.team_leave(actor=person, membership=joined)
    other = people.team_request_join(actor=nameless, project=project, role="delivery_manager")
    people.team_approve(actor=owner, membership=other)
    people.team_leave(actor=owner, membership=other)
    entries = timeline(project)
    assert [t for t, _b, _a in entries] == [
        "New team member",
        "Team role changed",
        "Team member left",
        "New team member",
        "Team member left",
    ]
    bodies = [b for _t, b, _a in entries]
    assert "welcomed Rhys Morgan to the team as developer" in bodies[0]
    assert "changed the role of Rhys Morgan from developer to designer" in bodies[1]
    assert bodies[2] == "Rhys Morgan left the team."
    assert "welcomed a Pipeline user to the team" in bodies[3]
    assert "took a Pipeline user off the team" in bodies[4]
    assert not any(nameless.email in b for b in bodies)


def test_a_request_withdrawn_or_declined_is_not_team_history():
    project = published_project()
    person, other = verified_member(), verified_member()
    asked = people.team_request_join(actor=person, project=project, role="developer")
    people.team_leave(actor=person, membership=asked)
    refused = people.team_request_join(actor=other, project=project, role="developer")
    people.team_decline(actor=project.owner, membership=refused)
    assert timeline(project) == []


def test_a_milestone_reached_is_news_once(on_commit):
    project = published_project()
    follower = UserFactory()
    people.follow_project(actor=follower, project=project)
    milestone = MilestoneFactory(
        project=project,
        title="Beta assessment passed",
        phase="beta",
        planned_on=datetime.date(2026, 3, 1),
    )
    mail.outbox.clear()
    on_commit(
        delivery.milestone_mark_done,
        actor=project.owner,
        milestone=milestone,
        done_on=datetime.date(2026, 3, 4),
        evidence_url="https://example.gov.uk/report",
    )
    title, body, author = timeline(project)[-1]
    assert title == "Milestone reached: Beta assessment passed"
    assert "beta milestone “Beta assessment passed” done on 4 March 2026" in body
    assert "planned for 1 March 2026" in body and "https://example.gov.uk/report" in body
    assert author == project.owner.pk
    # Correcting the date is not news again.
    delivery.milestone_mark_done(
        actor=project.owner, milestone=milestone, done_on=datetime.date(2026, 3, 3)
    )
    assert len(timeline(project)) == 1


def test_a_long_milestone_title_fits_the_timeline():
    project = published_project()
    milestone = MilestoneFactory(project=project, title="M" * 150, planned_on=timezone.localdate())
    delivery.milestone_mark_done(actor=project.owner, milestone=milestone)
    title = timeline(project)[-1][0]
    assert len(title) == 150 and title.endswith("…")


def test_the_project_page_shows_the_history_to_everyone(client):
    project = published_project()
    make_pledge(project, council=CouncilFactory(short_name="Northshire"), state="accepted")
    page = client.get(reverse("projects:detail", kwargs={"slug": project.slug}))
    assert page.status_code == 200
    assert "Pledge accepted" in page.text and "from Northshire" in page.text
