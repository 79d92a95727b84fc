import datetime

import factory
from django.utils import timezone

from delivery.models import Benefit, Confidence, Milestone
from projects.models import Adoption, Phase

from .accounts import UserFactory
from .councils import CouncilFactory
from .projects import ProjectFactory


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory, published=True)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    phase = Phase.ALPHA
    planned_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    created_by = factory.SubFactory(UserFactory)


class AdoptionFactory(factory.django.DjangoModelFactory):
    """A council other than the lead reusing a live, published project."""

    class Meta:
        model = Adoption

    project = factory.SubFactory(ProjectFactory, published=True, phase=Phase.LIVE)
    council = factory.SubFactory(CouncilFactory)
    adopted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))
    recorded_by = factory.SubFactory(UserFactory)


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benefit

    adoption = factory.SubFactory(AdoptionFactory)
    cashable_savings = 1_250_050  # £12,500.50 a year
    hours_saved = 400
    people_served = 25_000
    non_cashable = "Fewer calls to the contact centre."
    evidence_url = "https://example.gov.uk/benefits-report"
    confidence = Confidence.MEDIUM
    recorded_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("recorded_by")
