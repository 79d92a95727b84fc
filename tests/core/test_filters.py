"""core.filters.FilterSet: filters copied shallowly and one form class per set of filters must
still give each request its own answer."""

from django.http import QueryDict

from delivery.filters import PortfolioFilterSet
from projects.filters import ProjectFilterSet
from projects.models import Project


def test_each_filterset_filters_by_its_own_data_when_built_side_by_side():
    newest = ProjectFilterSet(data=QueryDict("sort=newest"), queryset=Project.objects.none())
    closing = ProjectFilterSet(data=QueryDict("sort=closing"), queryset=Project.objects.none())
    # Method filters are bound to their own filterset, not to the first or the class's.
    assert closing.filters["sort"].filter.f.parent is closing
    assert newest.ordering == ("-published_at", "-pk")
    assert closing.ordering == ("deadline_sort", "-pk")


def test_a_filterset_that_drops_filters_gets_a_form_of_its_own():
    council = PortfolioFilterSet(data=QueryDict("role=leads"), council=object())
    national = PortfolioFilterSet(data=QueryDict("nation=wales"))
    council_again = PortfolioFilterSet(data=QueryDict(""), council=object())
    assert "role" in council.form.fields and "nation" not in council.form.fields
    assert "nation" in national.form.fields and "role" not in national.form.fields
    assert type(council_again.form) is type(council.form)


def test_an_invalid_choice_in_one_request_does_not_leak_into_the_next():
    bad = ProjectFilterSet(data=QueryDict("phase=nonsense"), queryset=Project.objects.none())
    good = ProjectFilterSet(data=QueryDict("phase=beta"), queryset=Project.objects.none())
    assert not bad.is_valid() and "phase" in bad.errors
    assert good.is_valid(), good.errors
    assert good.form.cleaned_data["phase"] == ["beta"]
