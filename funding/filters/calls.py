"""The funding calls listing's filters, shared by /funding/ and /api/v1/calls/."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from councils.models import Nation
from projects.models import ServiceArea

from ..models import Call, Funder
from ..selectors.calls import CLOSED, DECIDED, OPEN, UPCOMING, stage_q

STATUS_CHOICES = [
    (OPEN, _("Open now")),
    (UPCOMING, _("Opening soon")),
    (CLOSED, _("Closed, awaiting decisions")),
    (DECIDED, _("Decided")),
]


class CallFilterSet(FilterSet):
    """A call with no rule on nations (or service areas) is open to every one, so it matches
    any nation (or area) asked for."""

    funder = django_filters.ModelChoiceFilter(
        queryset=Funder.objects.order_by("name"),
        to_field_name="slug",
        label=_("Funder"),
        empty_label=_("Any funder"),
    )
    nation = django_filters.ChoiceFilter(
        choices=Nation.choices,
        method="filter_nation",
        label=_("Open to councils in"),
        empty_label=_("Any nation"),
    )
    area = django_filters.ModelChoiceFilter(
        field_name="service_areas",
        queryset=ServiceArea.objects.order_by("name"),
        to_field_name="slug",
        method="filter_area",
        label=_("Open to projects in the service area"),
        empty_label=_("Any service area"),
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        label=_("Status"),
        empty_label=_("Any status"),
    )

    class Meta:
        model = Call
        fields = ["funder", "nation", "area", "status"]

    def filter_nation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The JSON list as text (PostgreSQL and SQLite alike): each nation is quoted in it.
        return queryset.filter(Q(nations=[]) | Q(nations__icontains=f'"{value}"'))

    def filter_area(self, queryset: QuerySet, name: str, value) -> QuerySet:
        through = Call.service_areas.through
        restricted = through.objects.filter(call_id=OuterRef("pk"))
        this_area = restricted.filter(servicearea_id=value.pk)
        return queryset.filter(~Exists(restricted) | Exists(this_area))

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(stage_q(value))
