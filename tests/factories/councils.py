import factory

from councils.models import (
    Council,
    CouncilDomain,
    Membership,
    MembershipRole,
    MembershipStatus,
    Nation,
)

from .accounts import UserFactory


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    code = factory.Sequence(lambda n: f"T{n:03d}")
    short_name = factory.Sequence(lambda n: f"Testshire {n}")
    name = factory.LazyAttribute(lambda o: f"{o.short_name} Council")
    slug = factory.LazyAttribute(lambda o: o.short_name.lower().replace(" ", "-"))
    gss_code = factory.Sequence(lambda n: f"E0{n:07d}")
    nation = Nation.ENGLAND
    region = "South East"
    authority_type = "NMD"
    authority_type_name = "Non-metropolitan district"


class CouncilDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilDomain

    council = factory.SubFactory(CouncilFactory)
    domain = factory.Sequence(lambda n: f"council{n}.gov.uk")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    role = MembershipRole.MEMBER
    status = MembershipStatus.VERIFIED


def verified_member(council: Council | None = None, *, admin: bool = False, **user_kwargs):
    """A person with a verified membership of ``council`` (a new one when not given)."""
    membership = MembershipFactory(
        council=council or CouncilFactory(),
        user=UserFactory(**user_kwargs),
        role=MembershipRole.ADMIN if admin else MembershipRole.MEMBER,
    )
    return membership.user


def approver(council: Council | None = None, **user_kwargs):
    """A verified approver of ``council``: signs off pledges over its delegated limits."""
    membership = MembershipFactory(
        council=council or CouncilFactory(),
        user=UserFactory(**user_kwargs),
        role=MembershipRole.APPROVER,
    )
    return membership.user
