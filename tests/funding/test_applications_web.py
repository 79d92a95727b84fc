"""The applicant's pages: apply to a call, the bid's page with what is missing, edit it (saved
even when incomplete), submit it with authority, withdraw it. Bad input is a form error, never a
500; drafts are nobody else's business."""

import datetime
import uuid

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funding.models import Answer, Application, ApplicationState
from projects.models import Phase, Role, State, TeamMembership, TeamStatus
from tests.factories import (
    CallFactory,
    CouncilFactory,
    OrganiserFactory,
    ProjectFactory,
    UserFactory,
    approver,
    funder_member,
    published_project,
    verified_member,
)
from tests.factories.accounts import enrol

from .applying import eligible

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(application) -> str:
    return reverse("funding:application", args=[application.pk])


def key() -> dict:
    return {"submission_key": str(uuid.uuid4())}


# --- applying -----------------------------------------------------------------------------


def test_the_owner_starts_a_draft_with_one_of_their_projects():
    project = published_project(title="Bin day finder")
    other = published_project(lead_council=project.lead_council, owner=project.owner)
    call = CallFactory()
    client = signed_in(project.owner)
    form = client.get(reverse("funding:apply", args=[call.slug]))
    assert form.status_code == 200
    assert "Bin day finder" in form.content.decode() and other.title in form.content.decode()
    response = client.post(
        reverse("funding:apply", args=[call.slug]), {"project": project.pk, **key()}
    )
    application = Application.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == page(application)
    assert application.state == ApplicationState.DRAFT
    assert application.lead_council == project.lead_council
    assert application.summary == project.summary
    shown = client.get(page(application)).content.decode()
    assert "Your draft application is saved" in shown
    assert "Before it can be submitted" in shown
    # The project has a live application now: it is no longer offered.
    again = client.get(reverse("funding:apply", args=[call.slug])).content.decode()
    assert "Bin day finder" in again  # listed among the council's applications
    assert f'value="{project.pk}"' not in again


def test_a_team_member_from_the_lead_council_may_apply_and_others_may_not():
    project = published_project()
    call = CallFactory()
    teammate = verified_member(project.lead_council)
    TeamMembership.objects.create(
        project=project, user=teammate, role=Role.DEVELOPER, status=TeamStatus.ACTIVE
    )
    url = reverse("funding:apply", args=[call.slug])
    assert signed_in(teammate).get(url).status_code == 200
    # A colleague not on the team, a teammate from another council, someone from elsewhere.
    colleague = verified_member(project.lead_council)
    outsider = verified_member(CouncilFactory())
    TeamMembership.objects.create(
        project=project, user=outsider, role=Role.DESIGNER, status=TeamStatus.ACTIVE
    )
    for person in (colleague, outsider, UserFactory()):
        response = signed_in(person).get(url)
        assert response.status_code == 403
        assert "verified member" in response.content.decode()
        refused = signed_in(person).post(url, {"project": project.pk, **key()})
        assert refused.status_code == 403
    assert not Application.objects.exists()


def test_applying_asks_to_sign_in_and_a_draft_call_does_not_exist():
    call = CallFactory()
    response = Client().get(reverse("funding:apply", args=[call.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    draft = CallFactory(status="draft", published_at=None)
    project = published_project()
    assert signed_in(project.owner).get(reverse("funding:apply", args=[draft.slug])).status_code
    assert (
        signed_in(project.owner).get(reverse("funding:apply", args=[draft.slug])).status_code == 404
    )


def test_a_closed_call_takes_no_applications():
    project = published_project()
    call = CallFactory()
    with time_machine.travel(call.closes_at, tick=False):
        client = signed_in(project.owner)
        response = client.get(reverse("funding:apply", args=[call.slug]))
        assert "This call closed at" in response.content.decode()
        client.post(reverse("funding:apply", args=[call.slug]), {"project": project.pk, **key()})
    assert not Application.objects.exists()


@pytest.mark.parametrize("project", ["", "abc", "999999999", "-1", "1.5", "\x00"])
def test_applying_with_nonsense_is_a_form_error(project):
    owned = published_project()
    draft_project = ProjectFactory(lead_council=owned.lead_council, owner=owned.owner)
    call = CallFactory()
    value = str(draft_project.pk) if project == "-1" else project
    response = signed_in(owned.owner).post(
        reverse("funding:apply", args=[call.slug]), {"project": value, **key()}
    )
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "govuk-error-summary" in response.content.decode()
    assert not Application.objects.exists()


def test_a_draft_project_is_not_offered():
    owner_project = published_project()
    draft_project = ProjectFactory(
        lead_council=owner_project.lead_council, owner=owner_project.owner
    )
    call = CallFactory()
    response = signed_in(owner_project.owner).post(
        reverse("funding:apply", args=[call.slug]), {"project": draft_project.pk, **key()}
    )
    assert "Choose one of your council’s projects from the list" in response.content.decode()
    assert draft_project.state == State.DRAFT


# --- the bid's page ---------------------------------------------------------------------


def test_the_page_lists_what_is_missing_with_links_to_fix_it():
    w = eligible(min_partners=2, amount_requested=None)
    w.partners[1].delete()
    body = signed_in(w.owner).get(page(w.application)).content.decode()
    assert "2 things are missing" in body
    assert "1 more partner council that has signed the Local Digital Declaration" in body
    assert "Enter the amount of money you are asking for." in body
    assert f'href="/funding/applications/{w.application.pk}/edit/#id_amount"' in body
    assert "An approver or a council admin of" in body  # the owner cannot submit
    assert "Submit the application" not in body


def test_a_draft_is_a_404_to_everyone_outside_it():
    w = eligible()
    url = page(w.application)
    assert Client().get(url).status_code == 404
    for person in (
        verified_member(CouncilFactory()),
        w.partners[0].decided_by,  # a partner's officer: the partners' pages are theirs
        funder_member(w.call.funder),  # the funder sees bids once submitted
        UserFactory(),
    ):
        assert signed_in(person).get(url).status_code == 404, person
    for person in (w.owner, w.member, w.approver, OrganiserFactory()):
        assert signed_in(person).get(url).status_code == 200


def test_a_submitted_bid_is_public_but_its_answers_are_not():
    w = eligible()
    Answer.objects.filter(application=w.application).update(text="Our secret plan")
    Application.objects.filter(pk=w.application.pk).update(
        state=ApplicationState.SUBMITTED, submitted_at=timezone.now()
    )
    public = Client().get(page(w.application)).content.decode()
    assert w.application.summary in public
    assert "Our secret plan" not in public
    assert w.partners[0].council.short_name in public
    for person in (w.member, funder_member(w.call.funder), OrganiserFactory()):
        assert "Our secret plan" in signed_in(person).get(page(w.application)).content.decode()
    stranger = signed_in(verified_member()).get(page(w.application))
    assert "Our secret plan" not in stranger.content.decode()


def test_a_bid_withdrawn_before_submission_stays_private():
    w = eligible()
    Application.objects.filter(pk=w.application.pk).update(
        state=ApplicationState.WITHDRAWN, withdrawn_at=timezone.now()
    )
    assert Client().get(page(w.application)).status_code == 404
    assert signed_in(w.owner).get(page(w.application)).status_code == 200


@pytest.mark.parametrize("pk", ["0", "99999999", "99999999999999999999"])
def test_no_such_application(pk):
    assert Client().get(f"/funding/applications/{pk}/").status_code == 404


# --- editing ----------------------------------------------------------------------------


def _edit_data(w, **changes) -> dict:
    first, second = w.call.questions.all()
    data = {
        "summary": "Book a bulky waste collection online",
        "amount": "£60,000.50",
        "phase": "alpha",
        f"answer_{first.pk}": "Residents wait on the phone.",
        f"answer_{second.pk}": "",
        **key(),
    }
    data.update(changes)
    return data


def test_save_draft_saves_an_incomplete_bid():
    w = eligible()
    url = reverse("funding:application_edit", args=[w.application.pk])
    client = signed_in(w.owner)
    form = client.get(url)
    assert form.status_code == 200
    assert "Up to 250 words. Your answer is 5 words." in form.content.decode()
    response = client.post(url, _edit_data(w))
    assert response.status_code == 302 and response["Location"] == page(w.application)
    w.application.refresh_from_db()
    assert w.application.amount_requested == 60_000_50
    assert w.application.phase == Phase.ALPHA
    assert w.application.summary == "Book a bulky waste collection online"
    second = w.call.questions.all()[1]
    assert Answer.objects.get(application=w.application, question=second).text == ""
    body = client.get(page(w.application)).content.decode()
    assert "Your draft is saved." in body
    assert f"Answer the question ‘{second.text}’." in body


def test_word_limits_are_checked_on_save_with_a_clear_error():
    w = eligible()
    first = w.call.questions.first()
    first.word_limit = 3
    first.save()
    url = reverse("funding:application_edit", args=[w.application.pk])
    response = signed_in(w.owner).post(
        url, _edit_data(w, **{f"answer_{first.pk}": "one two three four"})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert f"Your answer to ‘{first.text}’ must be 3 words or fewer; it is 4 words" in body
    assert Answer.objects.get(application=w.application, question=first).text != (
        "one two three four"
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("lots", "Enter an amount in pounds, like 2500 or 2500.50"),
        ("-5", "The amount must be more than zero."),
        ("0", "The amount must be more than zero."),
        ("12.345", "Enter an amount in pounds and pence, with no more than 2 decimals"),
        ("99999999999", "The amount must be £10,000,000 or less."),
        ("1e9", "Enter an amount in pounds, like 2500 or 2500.50"),
    ],
)
def test_bad_amounts_are_form_errors(amount, message):
    w = eligible()
    url = reverse("funding:application_edit", args=[w.application.pk])
    response = signed_in(w.owner).post(url, _edit_data(w, amount=amount))
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"phase": "retired"}, 200),
        ({"phase": ""}, 200),
        ({"summary": "x" * 2001}, 200),
        ({"summary": "nul\x00byte"}, 400),
        # A field the form does not have is ignored: the rest is saved.
        ({"answer_99999": "a question the call does not ask"}, 302),
    ],
)
def test_other_bad_input_is_never_a_500(changes, status):
    w = eligible()
    url = reverse("funding:application_edit", args=[w.application.pk])
    response = signed_in(w.owner).post(url, _edit_data(w, **changes))
    assert response.status_code == status
    w.application.refresh_from_db()
    assert (w.application.phase == Phase.ALPHA) == (status == 302)


def test_only_the_team_in_the_lead_council_edits_and_not_after_submission():
    w = eligible()
    url = reverse("funding:application_edit", args=[w.application.pk])
    assert signed_in(w.member).get(url).status_code == 403  # not on the team
    assert signed_in(w.approver).get(url).status_code == 403  # authority, but not on the team
    Application.objects.filter(pk=w.application.pk).update(
        state=ApplicationState.SUBMITTED, submitted_at=timezone.now()
    )
    response = signed_in(w.owner).get(url)
    assert response.status_code == 302 and response["Location"] == page(w.application)


# --- submitting ---------------------------------------------------------------------------


def test_an_approver_submits_and_the_team_and_partners_hear_of_it(
    django_capture_on_commit_callbacks,
):
    w = eligible()
    teammate = verified_member(CouncilFactory())
    TeamMembership.objects.create(
        project=w.project, user=teammate, role=Role.DEVELOPER, status=TeamStatus.ACTIVE
    )
    client = signed_in(w.approver)
    assert "Submit the application" in client.get(page(w.application)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("funding:application_submit", args=[w.application.pk]), key()
        )
    assert response.status_code == 302 and response["Location"] == page(w.application)
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.SUBMITTED
    assert w.application.submitted_by == w.approver
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted([w.owner.email, teammate.email, w.partners[0].decided_by.email])
    assert all(w.project.title in message.subject for message in mail.outbox)
    body = mail.outbox[0].body
    assert f"{w.lead.short_name} submitted its application for {w.project.title}" in body
    assert "It asks for £60,000 for the discovery phase." in body
    assert f"/funding/applications/{w.application.pk}/" in body
    assert "The application is submitted." in client.get(page(w.application)).content.decode()


def test_an_ineligible_bid_is_refused_with_what_is_missing():
    w = eligible(amount_requested=None)
    response = signed_in(w.approver).post(
        reverse("funding:application_submit", args=[w.application.pk]), key()
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert "This application cannot be submitted yet" in body
    assert "Enter the amount of money you are asking for." in body
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.DRAFT


def test_submitting_needs_authority_and_a_second_factor():
    w = eligible()
    url = reverse("funding:application_submit", args=[w.application.pk])
    for person in (w.owner, w.member, OrganiserFactory(), w.partners[0].decided_by):
        response = signed_in(person).post(url, key())
        assert response.status_code in (403, 404), person
    admin = verified_member(w.lead, admin=True, enrolled=False)
    response = signed_in(admin).post(url, key())
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.DRAFT
    enrol(admin)
    signed_in(admin).post(url, key())
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.SUBMITTED


def test_submit_is_post_only():
    w = eligible()
    url = reverse("funding:application_submit", args=[w.application.pk])
    assert signed_in(w.approver).get(url).status_code == 405


def test_a_submission_after_the_closing_time_is_refused_in_words():
    w = eligible()
    closes = datetime.datetime(2026, 3, 4, 12, 0, tzinfo=datetime.UTC)
    w.call.opens_at, w.call.closes_at = closes - datetime.timedelta(days=20), closes
    w.call.save()
    with time_machine.travel(closes, tick=False):
        client = signed_in(w.approver)
        response = client.post(
            reverse("funding:application_submit", args=[w.application.pk]), key()
        )
        assert "This call closed at 12:00 on 4 March 2026" in response.content.decode()
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.DRAFT


# --- withdrawing ------------------------------------------------------------------------


def test_withdrawing_with_a_reason_frees_the_project(django_capture_on_commit_callbacks):
    w = eligible()
    Application.objects.filter(pk=w.application.pk).update(
        state=ApplicationState.SUBMITTED, submitted_at=timezone.now()
    )
    url = reverse("funding:application_withdraw", args=[w.application.pk])
    client = signed_in(w.approver)
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": " ", **key()})
    assert "Give a reason for withdrawing" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Another council is building it", **key()})
    assert response.status_code == 302
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.WITHDRAWN
    assert w.application.withdrawn_reason == "Another council is building it"
    assert {m.to[0] for m in mail.outbox} == {w.owner.email, w.partners[0].decided_by.email}
    assert "Another council is building it" in mail.outbox[0].body
    public = Client().get(page(w.application)).content.decode()
    assert "Another council is building it" in public and "Withdrawn" in public
    # The project may apply again.
    again = signed_in(w.owner).post(
        reverse("funding:apply", args=[w.call.slug]), {"project": w.project.pk, **key()}
    )
    assert again.status_code == 302
    assert Application.objects.filter(project=w.project, state=ApplicationState.DRAFT).count() == 1


@pytest.mark.parametrize("state", [ApplicationState.FUNDED, ApplicationState.NOT_FUNDED])
def test_a_decided_bid_cannot_be_withdrawn(state):
    w = eligible()
    Application.objects.filter(pk=w.application.pk).update(
        state=state,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
        award_amount=50_000_00 if state == ApplicationState.FUNDED else None,
    )
    url = reverse("funding:application_withdraw", args=[w.application.pk])
    response = signed_in(w.approver).post(url, {"reason": "Changed our mind", **key()})
    assert response.status_code == 302
    w.application.refresh_from_db()
    assert w.application.state == state


def test_only_authority_withdraws():
    w = eligible()
    url = reverse("funding:application_withdraw", args=[w.application.pk])
    for person in (w.owner, w.member):
        assert signed_in(person).post(url, {"reason": "No", **key()}).status_code == 403
    assert Client().post(url, {"reason": "No"}).status_code == 302  # to sign in
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.DRAFT
    assert approver(CouncilFactory())  # an approver elsewhere has no say


# --- Welsh --------------------------------------------------------------------------------


def test_the_pages_and_emails_come_in_welsh(django_capture_on_commit_callbacks):
    w = eligible(amount_requested=None)
    w.owner.language = "cy"
    w.owner.save()
    client = signed_in(w.owner)
    body = client.get(f"/cy{page(w.application)}").content.decode()
    assert 'lang="cy"' in body
    assert "Cyn y gellir ei gyflwyno" in body
    assert "Rhowch swm yr arian rydych yn gofyn amdano." in body
    edit = client.get(f"/cy/funding/applications/{w.application.pk}/edit/").content.decode()
    assert "Cadw’r drafft" in edit and "Swm y gofynnwyd amdano" in edit
    Application.objects.filter(pk=w.application.pk).update(amount_requested=50_000_00)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(w.approver).post(
            reverse("funding:application_submit", args=[w.application.pk]), key()
        )
    (email,) = [m for m in mail.outbox if m.to == [w.owner.email]]
    assert email.subject.startswith("[Pipeline] Cyflwynodd ")
    assert "Gweld y cais:" in email.body and "/cy/funding/applications/" in email.body
