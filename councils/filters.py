import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet

from .models import Council, Nation
from .vocabulary import AUTHORITY_TYPES, REGIONS


class CouncilFilterSet(FilterSet):
    """The council directory's filters, shared by /councils/ and /api/v1/councils/."""

    q = django_filters.CharFilter(method="filter_q", label=_("Name or code"))
    nation = django_filters.ChoiceFilter(choices=Nation.choices, label=_("Nation"))
    # Fixed lists (not the values in the database), so the API's schema lists them as enums;
    # the labels are in the reader's language.
    region = django_filters.ChoiceFilter(choices=list(REGIONS.items()), label=_("Region"))
    type = django_filters.ChoiceFilter(
        field_name="authority_type_name", choices=list(AUTHORITY_TYPES.items()), label=_("Type")
    )
    status = django_filters.ChoiceFilter(
        choices=[("current", _("Current")), ("ended", _("Ended")), ("all", _("All"))],
        method="filter_status",
        empty_label=None,
        label=_("Status"),
    )

    class Meta:
        model = Council
        fields = ["q", "nation", "region", "type", "status"]

    def __init__(self, data=None, *args, **kwargs):
        # Current councils unless the reader asks otherwise.
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = "current"
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(short_name__icontains=value)
            | Q(name__icontains=value)
            | Q(name_cy__icontains=value)
            | Q(code__iexact=value)
            | Q(gss_code__iexact=value)
        )

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "current":
            return queryset.current()
        if value == "ended":
            return queryset.ended()
        return queryset
