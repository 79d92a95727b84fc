"""The base of every listing's FilterSet (the HTML page and the API share one)."""

import copy

import django_filters
from django.http import QueryDict
from django_filters.filters import FilterMethod

_FORM_CLASSES: dict[tuple, type] = {}


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet deep-copies every filter and builds a new form class for each
    request: on a signed-in API list, a tenth of the time. A filter's only per-request state is
    its parent, and Django copies a form class's fields into each form it makes, so here each
    filter is copied shallowly and one form class serves every request for the same set of
    filters (a subclass may drop some, as the portfolios do)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            if isinstance(filter_.__dict__.get("filter"), FilterMethod):
                filter_.filter = FilterMethod(filter_)  # bound to this copy, not the base
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_

    def get_form_class(self) -> type:
        key = (type(self), tuple(self.filters))
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = _FORM_CLASSES[key] = super().get_form_class()
        return form_class
