from .accounts import OrganiserFactory, UserFactory
from .councils import CouncilDomainFactory, CouncilFactory, MembershipFactory, verified_member

__all__ = [
    "CouncilDomainFactory",
    "CouncilFactory",
    "MembershipFactory",
    "OrganiserFactory",
    "UserFactory",
    "verified_member",
]
