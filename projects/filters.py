import datetime

import django_filters
from django import forms
from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet

from .models import (
    PUBLIC_STATES,
    Kind,
    Need,
    Phase,
    Pledge,
    PledgeState,
    Project,
    Role,
    ServiceArea,
    State,
    TeamMembership,
    TeamStatus,
)

# Each sort is a cursor ordering (see ``with_sort_keys``): plain fields or annotations with no
# NULLs, so the API's cursor pages and the web listing's Previous and Next links are exact.
# Support is partners, then money and days committed: accepted *or* fulfilled (a pledge leaves
# "accepted" when it is fulfilled, so sorting on money_accepted ranked paid-up projects below
# ones only promised money).
SORTS = {
    "newest": (_("Newest"), ("-published_at", "-pk")),
    "closing": (_("Closing soon"), ("deadline_sort", "-pk")),
    "most_supported": (
        _("Most supported"),
        ("-partner_count", "-money_committed_sort", "-days_committed_sort", "-pk"),
    ),
    "least_supported": (
        _("Least supported"),
        ("partner_count", "money_committed_sort", "days_committed_sort", "-pk"),
    ),
    "most_needed": (_("Most councils need it too"), ("-demand_count", "-pk")),
}
# Projects with no deadline sort after every real one when "closing soon".
FAR_FUTURE = datetime.date(9999, 12, 31)


def with_sort_keys(queryset: QuerySet) -> QuerySet:
    """The annotations the sorts order by."""
    return queryset.annotate(
        deadline_sort=Coalesce("pledging_deadline", Value(FAR_FUTURE, output_field=DateField())),
        money_committed_sort=F("money_accepted") + F("money_fulfilled"),
        days_committed_sort=F("half_days_accepted") + F("half_days_fulfilled"),
    )


def _council_q(prefix: str, value: str) -> Q:
    value = value.strip()
    return Q(**{f"{prefix}__code__iexact": value}) | Q(**{f"{prefix}__slug": value.lower()})


class ProjectFilterSet(FilterSet):
    """The project listing's filters, shared by /projects/ and /api/v1/projects/."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    # distinct=False: phase is a column of the project, so no row can repeat; the default
    # SELECT DISTINCT sorted every matching row on all its columns and lost the index order.
    phase = django_filters.MultipleChoiceFilter(
        choices=Phase.choices,
        label=_("Phase"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
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
    )
    lead_council = django_filters.CharFilter(
        method="filter_lead_council", label=_("Lead council (code or name in the web address)")
    )
    partner_council = django_filters.CharFilter(
        method="filter_partner_council",
        label=_("Partner council (code or name in the web address)"),
    )
    needs = django_filters.ChoiceFilter(
        choices=Kind.choices, method="filter_needs", label=_("Needs"), empty_label=_("Anything")
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices,
        method="filter_role",
        label=_("Needs the role"),
        empty_label=_("Any role"),
    )
    dormant = django_filters.BooleanFilter(
        method="filter_dormant",
        label=_("Only projects with no recent activity"),
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        choices=[(k, v[0]) for k, v in SORTS.items()],
        method="filter_sort",
        label=_("Sort by"),
        empty_label=None,
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "phase",
            "state",
            "area",
            "lead_council",
            "partner_council",
            "needs",
            "role",
            "dormant",
            "sort",
        ]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(with_sort_keys(queryset)).order_by(*self.ordering)

    @property
    def ordering(self) -> tuple[str, ...]:
        """The chosen sort's ordering, for the queryset and for cursor pages alike."""
        data = self.form.cleaned_data if self.is_valid() else {}
        return SORTS[data.get("sort") or "newest"][1]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(summary__icontains=value)
            | Q(description__icontains=value)
        )

    def filter_lead_council(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(_council_q("lead_council", value)) if value.strip() else queryset

    def filter_partner_council(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        committed = Pledge.objects.filter(
            _council_q("council", value),
            project=OuterRef("pk"),
            state__in=(PledgeState.ACCEPTED, PledgeState.FULFILLED),
        )
        on_team = TeamMembership.objects.filter(
            _council_q("council", value), project=OuterRef("pk"), status=TeamStatus.ACTIVE
        )
        return queryset.filter(Q(Exists(committed)) | Q(Exists(on_team))).exclude(
            _council_q("lead_council", value)
        )

    def filter_needs(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A project asks for money (or time) exactly when its stored total of that kind is
        # above nothing: every need is for more than nothing (``need_amount_positive``), and
        # ``check_ledger`` holds the totals to the needs. A column, not a subquery per row.
        needed = "money_needed" if value == Kind.MONEY else "half_days_needed"
        return queryset.filter(**{f"{needed}__gt": 0})

    def filter_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Exists(Need.objects.filter(project=OuterRef("pk"), kind=Kind.TIME, role=value))
        )

    def filter_dormant(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.dormant() if value else queryset

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied by filter_queryset, after the other filters


class PledgeFilterSet(FilterSet):
    """Filters for the pledge listing and its CSV export."""

    project = django_filters.CharFilter(field_name="project__slug", label=_("Project (slug)"))
    council = django_filters.CharFilter(
        field_name="council__code", lookup_expr="iexact", label=_("Pledging council (code)")
    )
    lead_council = django_filters.CharFilter(
        field_name="project__lead_council__code",
        lookup_expr="iexact",
        label=_("Lead council (code)"),
    )
    state = django_filters.MultipleChoiceFilter(choices=PledgeState.choices, label=_("State"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))

    class Meta:
        model = Pledge
        fields = ["project", "council", "lead_council", "state", "kind"]
