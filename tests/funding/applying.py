"""Bids for the applications tests, built through the factories: an eligible one, and the
people around it."""

from types import SimpleNamespace

from django.utils import timezone

from funding.models import Answer, ApplicationPartner, PartnerState
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CommitmentFactory,
    CouncilCommitmentFactory,
    CouncilFactory,
    approver,
    published_project,
    verified_member,
)


def answer_all(application, text: str = "We will do it together.") -> None:
    for question in application.call.questions.all():
        Answer.objects.update_or_create(
            application=application, question=question, defaults={"text": text}
        )


def confirm_partner(application, council=None, *, signed: bool = True) -> ApplicationPartner:
    """A partner council whose officer with authority confirmed its part."""
    council = council or CouncilFactory()
    if signed:
        CouncilCommitmentFactory(council=council, commitment=CommitmentFactory())
    officer = approver(council)
    return ApplicationPartner.objects.create(
        application=application,
        council=council,
        state=PartnerState.CONFIRMED,
        contribution="User research with our residents",
        invited_by=application.project.owner,
        decided_by=officer,
        decided_at=timezone.now(),
    )


def eligible(*, min_partners: int = 1, call=None, **application) -> SimpleNamespace:
    """A draft meeting every rule of a call that asks for ``min_partners`` partner councils that
    signed the Local Digital Declaration: everything answered, the lead council signed, the
    partners confirmed and signed. With the lead council's approver (enrolled), a team member and
    the partner officers."""
    call = call or CallFactory(min_partners=min_partners)
    declaration = CommitmentFactory()
    call.required_commitments.add(declaration)
    project = application.pop("project", None) or published_project()
    CouncilCommitmentFactory(council=project.lead_council, commitment=declaration)
    bid = ApplicationFactory(call=call, project=project, **application)
    answer_all(bid)
    partners = [confirm_partner(bid) for _ in range(min_partners)]
    return SimpleNamespace(
        application=bid,
        call=call,
        project=project,
        lead=project.lead_council,
        owner=project.owner,
        approver=approver(project.lead_council),
        member=verified_member(project.lead_council),
        partners=partners,
        declaration=declaration,
    )


def add_matrix_bid(w) -> None:
    """For the permission matrices (tests/security/world.py, tests/api/test_permission_matrix):
    an open call (``bid_call``) and a draft bid (``bid``) to it, ready to submit, by Partnerton
    with a project (``bid_project``) whose team the pledger is on. So Partnerton's approver has
    authority over it, the pledger works on it, and Leadshire's people are strangers to it; the
    owner of Leadshire's projects may apply with them."""
    from projects.models import Role, TeamMembership, TeamStatus

    w.bid_call = CallFactory(title="Shared services fund", slug="shared-services-fund")
    owner = verified_member(w.partner)
    w.bid_project = published_project(
        lead_council=w.partner, owner=owner, title="Shared bins", slug="shared-bins"
    )
    TeamMembership.objects.create(
        project=w.bid_project,
        user=w.users["pledger"],
        council=w.partner,
        role=Role.DEVELOPER,
        status=TeamStatus.ACTIVE,
    )
    w.bid = ApplicationFactory(call=w.bid_call, project=w.bid_project, created_by=owner)
    answer_all(w.bid)
