"""A closed call with submitted applications and the funder's people, for the assessment tests
(and the permission matrices' funding rows)."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from councils.models import MembershipStatus
from funding.models import (
    Answer,
    Application,
    ApplicationState,
    Call,
    FunderRole,
    PartnerState,
)
from tests.factories import (
    ApplicationFactory,
    ApplicationPartnerFactory,
    CallFactory,
    CouncilFactory,
    FunderFactory,
    MembershipFactory,
    OrganiserFactory,
    UserFactory,
    funder_member,
    published_project,
    verified_member,
)


def closed_call(**kwargs) -> Call:
    """A published call that closed yesterday: assessment is open."""
    now = timezone.now()
    kwargs.setdefault("opens_at", now - datetime.timedelta(days=30))
    kwargs.setdefault("closes_at", now - datetime.timedelta(days=1))
    return CallFactory(**kwargs)


def submitted(call: Call, *, project=None, partners=(), invited=(), **kwargs) -> Application:
    """A submitted application to ``call`` with its questions answered, and partner councils
    that confirmed (``partners``) or are still invited (``invited``)."""
    project = project or published_project(**kwargs.pop("project_kwargs", {}))
    application = ApplicationFactory(
        call=call,
        project=project,
        state=kwargs.pop("state", ApplicationState.SUBMITTED),
        submitted_at=call.closes_at - datetime.timedelta(days=2),
        **kwargs,
    )
    for question in call.questions.all():
        Answer.objects.create(
            application=application, question=question, text=f"Our answer to: {question.text}"
        )
    for council in partners:
        ApplicationPartnerFactory(
            application=application,
            council=council,
            state=PartnerState.CONFIRMED,
            decided_at=timezone.now(),
            decided_by=verified_member(council),
            contribution="User research",
        )
    for council in invited:
        ApplicationPartnerFactory(application=application, council=council)
    return application


def make_assessment_world() -> SimpleNamespace:
    """One closed call of a funder, two applications (Leadshire's with Partnerton confirmed and
    Invitedham invited; another council's), and a person in every role."""
    w = SimpleNamespace()
    w.funder = FunderFactory(name="Department for Digital Places", slug="ddp")
    w.call = closed_call(funder=w.funder, title="Local Digital Fund 9", slug="ldf-9")
    w.lead = CouncilFactory(short_name="Leadshire")
    w.partner = CouncilFactory(short_name="Partnerton")
    w.invited = CouncilFactory(short_name="Invitedham")
    w.application = submitted(
        w.call,
        project=published_project(lead_council=w.lead, title="Shared bins"),
        partners=[w.partner],
        invited=[w.invited],
    )
    w.other_application = submitted(w.call, project_kwargs={"title": "Parking permits"})
    w.users = {
        "member": funder_member(w.funder, FunderRole.MEMBER, first_name="Mo"),
        "assessor": funder_member(w.funder, FunderRole.ASSESSOR, first_name="Asha"),
        "assessor2": funder_member(w.funder, FunderRole.ASSESSOR, first_name="Bryn"),
        "moderator": funder_member(w.funder, FunderRole.MODERATOR, first_name="Meg"),
        "admin": funder_member(w.funder, FunderRole.ADMIN, first_name="Ade"),
        "other_funder": funder_member(FunderFactory(), FunderRole.MODERATOR),
        "organiser": OrganiserFactory(),
        "applicant": w.application.project.owner,
        "no_second_factor": funder_member(w.funder, FunderRole.ASSESSOR),
        "moderator_no_second_factor": funder_member(w.funder, FunderRole.MODERATOR),
    }
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(
        user__in=[w.users["no_second_factor"], w.users["moderator_no_second_factor"]]
    ).delete()
    # An assessor who works at the partner council: a conflict of interest.
    w.users["conflicted"] = funder_member(w.funder, FunderRole.ASSESSOR, first_name="Con")
    MembershipFactory(user=w.users["conflicted"], council=w.partner)
    return w


def pending_member_of(council) -> object:
    user = UserFactory()
    MembershipFactory(user=user, council=council, status=MembershipStatus.PENDING)
    return user


def matrix_call(*, project) -> tuple[Call, Application]:
    """For the site-wide permission matrices: a closed call with ``project``'s application
    submitted to it (nobody in those matrices belongs to the funder)."""
    call = closed_call(title="Local Digital Fund 9", slug="ldf-9")
    return call, submitted(call, project=project)
