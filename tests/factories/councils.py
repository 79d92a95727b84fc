import factory

from councils.models import (
    Council,
    CouncilDomain,
    Membership,
    MembershipRole,
    MembershipStatus,
    Nation,
)

from .accounts import UserFactory, enrol


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
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    role = MembershipRole.MEMBER
    status = MembershipStatus.VERIFIED

    @factory.post_generation
    def enrolled(obj, create, extracted, **kwargs):
        """Admins and approvers have a second factor unless ``enrolled=False`` (their powers
        need one, accounts.mfa)."""
        if create and extracted is not False and obj.role != MembershipRole.MEMBER:
            enrol(obj.user)


def verified_member(
    council: Council | None = None, *, admin: bool = False, enrolled: bool = True, **user_kwargs
):
    """A person with a verified membership of ``council`` (a new one when not given); an admin
    has a second factor unless ``enrolled=False``."""
    membership = MembershipFactory(
        council=council or CouncilFactory(),
        user=UserFactory(**user_kwargs),
        role=MembershipRole.ADMIN if admin else MembershipRole.MEMBER,
        enrolled=enrolled,
    )
    return membership.user


def approver(council: Council | None = None, *, enrolled: bool = True, **user_kwargs):
    """A verified approver of ``council``: signs off pledges over its delegated limits (with a
    second factor unless ``enrolled=False``)."""
    membership = MembershipFactory(
        council=council or CouncilFactory(),
        user=UserFactory(**user_kwargs),
        role=MembershipRole.APPROVER,
        enrolled=enrolled,
    )
    return membership.user
