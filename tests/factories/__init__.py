from .accounts import TOTP_SECRET, OrganiserFactory, UserFactory, enrol
from .councils import (
    CouncilDomainFactory,
    CouncilFactory,
    MembershipFactory,
    approver,
    verified_member,
)
from .delivery import AdoptionFactory, BenefitFactory, MilestoneFactory
from .funding import (
    ApplicationFactory,
    ApplicationPartnerFactory,
    CallFactory,
    CommitmentFactory,
    CouncilCommitmentFactory,
    FunderFactory,
    FunderMembershipFactory,
    funder_member,
)
from .projects import (
    PLEDGE_STATES_MADE_DIRECTLY,
    NeedFactory,
    ProjectFactory,
    ServiceAreaFactory,
    make_pledge,
    published_project,
    refresh_needed_totals,
)

__all__ = [
    "TOTP_SECRET",
    "PLEDGE_STATES_MADE_DIRECTLY",
    "AdoptionFactory",
    "ApplicationFactory",
    "ApplicationPartnerFactory",
    "CallFactory",
    "CommitmentFactory",
    "CouncilCommitmentFactory",
    "FunderFactory",
    "FunderMembershipFactory",
    "funder_member",
    "BenefitFactory",
    "CouncilDomainFactory",
    "CouncilFactory",
    "MembershipFactory",
    "MilestoneFactory",
    "NeedFactory",
    "OrganiserFactory",
    "ProjectFactory",
    "ServiceAreaFactory",
    "UserFactory",
    "approver",
    "enrol",
    "make_pledge",
    "published_project",
    "refresh_needed_totals",
    "verified_member",
]
