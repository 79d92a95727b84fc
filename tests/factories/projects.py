"""Projects, needs and pledges for tests.

Projects and needs are plain rows (quick to make in any state). Pledges only ever come from the
services, so every pledge a test sees has its ledger events and the stored totals agree with them.
"""

import factory
from django.db.models import Q, Sum
from django.utils import timezone

from projects import services
from projects.models import (
    MAX_OTHER_COUNCILS,
    Kind,
    Need,
    Phase,
    PledgeState,
    Project,
    Role,
    ServiceArea,
    State,
)

from .councils import CouncilFactory, verified_member


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Service area {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ProjectFactory(factory.django.DjangoModelFactory):
    """A draft project; its owner is a verified member of the lead council.

    ``ProjectFactory(published=True)`` is seeking support with a published date.
    """

    class Meta:
        model = Project
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            state=State.SEEKING_SUPPORT,
            published_at=factory.LazyFunction(timezone.now),
        )

    title = factory.Sequence(lambda n: f"Shared project {n}")
    slug = factory.LazyAttribute(lambda o: o.title.lower().replace(" ", "-"))
    summary = "A shared service for councils"
    description = ""
    phase = Phase.IDEA
    state = State.DRAFT
    lead_council = factory.SubFactory(CouncilFactory)
    owner = factory.LazyAttribute(lambda o: verified_member(o.lead_council))

    @factory.post_generation
    def service_areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.service_areas.set(extracted)


def refresh_needed_totals(project: Project) -> None:
    totals = project.needs.aggregate(
        money=Sum("amount", filter=Q(kind=Kind.MONEY), default=0),
        time=Sum("amount", filter=Q(kind=Kind.TIME), default=0),
    )
    Project.objects.filter(pk=project.pk).update(
        money_needed=totals["money"], half_days_needed=totals["time"]
    )


class NeedFactory(factory.django.DjangoModelFactory):
    """A money need of £5,000; ``NeedFactory(time=True)`` is 20 days of a developer."""

    class Meta:
        model = Need
        skip_postgeneration_save = True

    class Params:
        time = factory.Trait(kind=Kind.TIME, role=Role.DEVELOPER, amount=40)

    project = factory.SubFactory(ProjectFactory)
    kind = Kind.MONEY
    role = ""
    amount = 500_000
    description = ""

    @factory.post_generation
    def needed_totals(obj, create, extracted, **kwargs):
        if create:
            refresh_needed_totals(obj.project)


def published_project(**kwargs) -> Project:
    """A project seeking support with a £5,000 money need and a 20-day developer need."""
    project = ProjectFactory(published=True, **kwargs)
    NeedFactory(project=project)
    NeedFactory(project=project, time=True)
    project.refresh_from_db()
    return project


# What ``make_pledge`` makes: every state but those that only follow from something else.
PLEDGE_STATES_MADE_DIRECTLY = [
    s
    for s in PledgeState.values
    if s not in (PledgeState.LAPSED, PledgeState.PROPOSED, PledgeState.SUPERSEDED)
]


def make_pledge(
    project: Project,
    *,
    council=None,
    actor=None,
    kind: str = Kind.MONEY,
    amount: int = 10_000,
    need: Need | None = None,
    state: str = PledgeState.OFFERED,
    note: str = "",
):
    """A pledge made and moved to ``state`` through the services (so the ledger has it all).
    A conditional one waits for more other councils than there can be; a lapsed one needs its
    project closed, so it is not made here."""
    if state not in PLEDGE_STATES_MADE_DIRECTLY:
        raise ValueError(
            f"make_pledge: a {state} pledge comes from closing the project (lapsed) or from an "
            "amendment (proposed, superseded)"
        )
    council = council or CouncilFactory()
    actor = actor or verified_member(council)
    pledge = services.pledge_offer(
        actor=actor,
        project=project,
        council=council,
        kind=kind,
        amount=amount,
        need=need,
        note=note,
        min_other_councils=MAX_OTHER_COUNCILS if state == PledgeState.CONDITIONAL else None,
    )
    manager = project.owner
    if (
        state in (PledgeState.OFFERED, PledgeState.PENDING, PledgeState.CONDITIONAL)
        and pledge.state == state
    ):
        return pledge
    if pledge.state != PledgeState.OFFERED:  # over the council's limit: it waits for sign-off
        raise ValueError(f"make_pledge: the pledge is {pledge.state}, not offered")
    if state == PledgeState.DECLINED:
        return services.pledge_decline(actor=manager, pledge=pledge)
    if state == PledgeState.WITHDRAWN:
        return services.pledge_withdraw(actor=actor, pledge=pledge, reason="Budget cut")
    pledge = services.pledge_accept(actor=manager, pledge=pledge)
    if state == PledgeState.FULFILLED:
        pledge = services.pledge_fulfil(actor=manager, pledge=pledge)
    return pledge


__all__ = [
    "PLEDGE_STATES_MADE_DIRECTLY",
    "NeedFactory",
    "ProjectFactory",
    "ServiceAreaFactory",
    "make_pledge",
    "published_project",
    "refresh_needed_totals",
]
