"""Filters for the benefit listing and its CSV export (the API and the CSV share them)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Benefit, Confidence


class BenefitFilterSet(django_filters.FilterSet):
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
