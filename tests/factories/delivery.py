import datetime

import factory
from django.utils import timezone

from delivery.models import Milestone
from projects.models import Phase

from .accounts import UserFactory
from .projects import ProjectFactory


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory, published=True)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    phase = Phase.ALPHA
    planned_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    created_by = factory.SubFactory(UserFactory)
