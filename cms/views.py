from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from .search import MAX_QUERY_LENGTH, RESULT_TYPES, search_results

RESULTS_PER_PAGE = 20
RESULTS_PER_GROUP = 5


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search Pipeline"),
        help_text=_("Search projects, councils and pages."),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(
        choices=[("", _("All results"))] + [(t.key, t.label) for t in RESULT_TYPES],
        required=False,
    )


def search(request: HttpRequest) -> HttpResponse:
    """Site search: results grouped by type; one type at a time is paginated."""
    form = SearchForm(request.GET or None)
    context: dict = {"form": form, "query": "", "groups": [], "result_type": ""}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"].strip()
        result_type = form.cleaned_data["type"]
        results = search_results(query, site=Site.find_for_request(request))
        groups = []
        for kind in RESULT_TYPES:
            found = results[kind.key]
            group = {"type": kind, "count": found.count(), "results": []}
            if result_type == kind.key:
                page = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
                group["page"] = page
                group["results"] = list(page.object_list)
            elif not result_type and group["count"]:
                group["results"] = list(found[:RESULTS_PER_GROUP])
            groups.append(group)
        context.update(
            {
                "query": query,
                "result_type": result_type,
                "groups": groups,
                "total": sum(g["count"] for g in groups),
            }
        )
    return render(request, "search/search.html", context)
