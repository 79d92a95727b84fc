"""Filters for the benefit listing and its CSV export (the API and the CSV share them), and the
portfolio's: one FilterSet for a council's portfolio page, the national one, and the CSV of
each (the CSV link carries the page's query string)."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from councils.models import Nation
from projects.models import PUBLIC_STATES, Phase, Project, ServiceArea, State, report_overdue_q

from .models import Benefit, Confidence, Rating
from .portfolio import NO_REPORT, PortfolioRole


class BenefitFilterSet(FilterSet):
    project = django_filters.CharFilter(
        field_name="adoption__project__slug", label=_("Project (slug)")
    )
    council = django_filters.CharFilter(
        field_name="adoption__council__code",
        lookup_expr="iexact",
        label=_("Adopting council (code)"),
    )
    confidence = django_filters.MultipleChoiceFilter(
        choices=Confidence.choices, label=_("Confidence")
    )

    class Meta:
        model = Benefit
        fields = ["project", "council", "confidence"]


class PortfolioFilterSet(FilterSet):
    """``council``: a council's portfolio (it has ``role``); None: the national portfolio (it
    has ``lead_council`` and ``nation`` instead)."""

    role = django_filters.ChoiceFilter(
        choices=PortfolioRole.choices,
        method="filter_role",
        label=_("Role"),
        empty_label=_("Leads or supports"),
    )
    rating = django_filters.ChoiceFilter(
        choices=[*Rating.choices, (NO_REPORT, _("No report yet"))],
        method="filter_rating",
        label=_("Latest rating"),
        empty_label=_("Any rating"),
    )
    phase = django_filters.ChoiceFilter(
        choices=Phase.choices, label=_("Phase"), empty_label=_("Any phase")
    )
    state = django_filters.ChoiceFilter(
        choices=[(s, State(s).label) for s in PUBLIC_STATES],
        label=_("State"),
        empty_label=_("Any state"),
    )
    area = django_filters.ModelChoiceFilter(
        field_name="service_areas",
        to_field_name="slug",
        queryset=ServiceArea.objects.all(),
        label=_("Service area"),
        empty_label=_("Any service area"),
        distinct=False,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("Only projects with a status report overdue"),
        widget=forms.CheckboxInput,
    )
    lead_council = django_filters.CharFilter(
        method="filter_lead_council", label=_("Lead council (code or name in the web address)")
    )
    nation = django_filters.ChoiceFilter(
        field_name="lead_council__nation",
        choices=Nation.choices,
        label=_("Nation of the lead council"),
        empty_label=_("Any nation"),
    )

    class Meta:
        model = Project
        fields = ["role", "rating", "phase", "state", "area", "overdue", "lead_council", "nation"]

    COUNCIL_ONLY = ("role",)
    NATIONAL_ONLY = ("lead_council", "nation")

    def __init__(self, *args, council=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.council = council
        for name in self.NATIONAL_ONLY if council is not None else self.COUNCIL_ONLY:
            del self.filters[name]

    def filter_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(portfolio_role=value)

    def filter_rating(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(latest_rating="" if value == NO_REPORT else value)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(report_overdue_q()) if value else queryset

    def filter_lead_council(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(lead_council__code__iexact=value) | Q(lead_council__slug=value.lower())
        )
