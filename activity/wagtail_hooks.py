"""The activity log in the Wagtail admin: organisers only, read-only, filterable, exportable.

The policy grants "view" alone, so Wagtail offers no add, edit or delete; the database refuses
them anyway (migration 0002).
"""

import django_filters
from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from core.admin_permissions import VIEW, OrganiserPermissionPolicy
from core.admin_views import ListingDefaults
from projects.exports import csv_safe

from .models import ActivityAction, ActivityEntry
from .selectors import activity_actors, activity_councils, activity_list, activity_projects

register_permission_policy(ActivityEntry, OrganiserPermissionPolicy(ActivityEntry, {VIEW}))


class ActivityFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=ActivityAction.choices)
    actor = django_filters.ModelChoiceFilter(
        label=_("By"), queryset=lambda request: activity_actors()
    )
    council = django_filters.ModelChoiceFilter(
        label=_("Council"), queryset=lambda request: activity_councils()
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"), queryset=lambda request: activity_projects()
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)

    class Meta:
        model = ActivityEntry
        fields = ["action", "actor", "council", "project", "created_at"]


class ActivityIndexView(ModelViewSet.index_view_class):
    page_title = _("Activity log")

    def get_base_queryset(self):
        return activity_list()

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            return csv_safe(value)  # reasons are people's words: never a spreadsheet formula
        return value


class ActivityInspectView(ModelViewSet.inspect_view_class):
    def get_object(self, queryset=None):
        return get_object_or_404(activity_list(), pk=unquote(str(self.pk)))

    def get_field_display_value(self, field_name, field):
        """An entry with no project or no reason shows a dash, as its details do (not "None"
        or nothing at all)."""
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value

    def get_details_display_value(self):
        lines = self.object.details_lines
        if not lines:
            return "—"
        return format_html_join("", "<p>{}</p>", ((line,) for line in lines))


class ActivityViewSet(ListingDefaults, ModelViewSet):
    model = ActivityEntry
    name = "activity"
    url_namespace = "admin_activity"
    form_fields: list[str] = []  # read-only: the policy grants no add, change or delete
    icon = "history"
    menu_label = _("Activity log")
    menu_order = 320
    add_to_admin_menu = True
    index_view_class = ActivityIndexView
    inspect_view_class = ActivityInspectView
    search_fields = ["target", "reason", "actor_name"]
    filterset_class = ActivityFilterSet
    list_display = [
        "__str__",
        Column("actor_display", label=_("By")),
        Column("council", label=_("Council"), sort_key="council__short_name"),
        Column("reason", label=_("Reason")),
        Column("details_display", label=_("What changed")),
        Column("created_at", label=_("When"), sort_key="created_at"),
    ]
    inspect_view_fields = [
        "created_at",
        "actor_display",
        "action",
        "council",
        "project",
        "target",
        "reason",
        "details",
    ]
    list_export = [
        "created_at",
        "actor_display",
        "get_action_display",
        "council",
        "project",
        "target",
        "reason",
        "details_display",
    ]
    export_headings = {
        "created_at": _("When"),
        "actor_display": _("By"),
        "get_action_display": _("Action"),
        "council": _("Council"),
        "project": _("Project"),
        "target": _("Concerning"),
        "reason": _("Reason"),
        "details_display": _("What changed"),
    }
    export_filename = "activity-log"


@hooks.register("register_admin_viewset")
def register_activity_viewset():
    return ActivityViewSet()
