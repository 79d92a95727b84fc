import datetime

import factory
from django.utils import timezone

from councils.models import Commitment, CouncilCommitment, MembershipStatus
from funding.models import (
    Application,
    ApplicationPartner,
    Call,
    CallQuestion,
    CallStatus,
    Criterion,
    Funder,
    FunderKind,
    FunderMembership,
    FunderRole,
    PartnerState,
)
from projects.models import Phase

from .accounts import UserFactory, enrol
from .councils import CouncilFactory
from .projects import published_project


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Department for Testing {n}")
    slug = factory.Sequence(lambda n: f"department-for-testing-{n}")
    kind = FunderKind.GOVERNMENT


class FunderMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FunderMembership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    funder = factory.SubFactory(FunderFactory)
    role = FunderRole.MEMBER
    status = MembershipStatus.VERIFIED

    @factory.post_generation
    def enrolled(obj, create, extracted, **kwargs):
        """Everyone but plain members has a second factor unless ``enrolled=False``."""
        if create and extracted is not False and obj.role != FunderRole.MEMBER:
            enrol(obj.user)


def funder_member(funder: Funder | None = None, role: str = FunderRole.MEMBER, **kwargs):
    """A person with a verified membership of ``funder`` (a new one when not given)."""
    membership = FunderMembershipFactory(
        funder=funder or FunderFactory(), user=UserFactory(**kwargs), role=role
    )
    return membership.user


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        django_get_or_create = ("slug",)

    name = "Local Digital Declaration"
    name_cy = "Datganiad Digidol Lleol"
    slug = "local-digital-declaration"
    url = "https://www.localdigital.gov.uk/declaration/"


class CouncilCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilCommitment

    council = factory.SubFactory(CouncilFactory)
    commitment = factory.SubFactory(CommitmentFactory)
    signed_on = datetime.date(2018, 7, 4)


class CallFactory(factory.django.DjangoModelFactory):
    """An open call: published, opened a week ago, closing in three weeks."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    funder = factory.SubFactory(FunderFactory)
    title = factory.Sequence(lambda n: f"Local Digital Fund round {n}")
    slug = factory.Sequence(lambda n: f"local-digital-fund-round-{n}")
    summary = "Money for councils to build shared digital services together."
    budget = 500_000_00
    max_award = 80_000_00
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=21))
    status = CallStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def questions(obj, create, extracted, **kwargs):
        """Two questions unless given (a list of texts; ``[]`` for none)."""
        texts = ["What problem will you solve?", "Who will use it?"]
        for position, text in enumerate(texts if extracted is None else extracted, 1):
            CallQuestion.objects.create(call=obj, position=position, text=text)

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        """Two criteria (weights 60 and 40) unless given as (title, weight) pairs."""
        pairs = [("Need and impact", 60), ("Collaboration", 40)]
        for position, (title, weight) in enumerate(pairs if extracted is None else extracted, 1):
            Criterion.objects.create(call=obj, position=position, title=title, weight=weight)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft bid by a published project's lead council."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    project = factory.LazyFunction(published_project)
    lead_council = factory.LazyAttribute(lambda o: o.project.lead_council)
    created_by = factory.LazyAttribute(lambda o: o.project.owner)
    summary = "A shared service for reporting missed bins."
    amount_requested = 60_000_00
    phase = Phase.DISCOVERY


class ApplicationPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationPartner

    application = factory.SubFactory(ApplicationFactory)
    council = factory.SubFactory(CouncilFactory)
    state = PartnerState.INVITED
    # Declining and withdrawing need a reason (a database constraint).
    reason = factory.LazyAttribute(
        lambda p: "" if p.state in (PartnerState.INVITED, PartnerState.CONFIRMED) else "No budget"
    )
