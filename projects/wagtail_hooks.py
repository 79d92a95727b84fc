"""The organisers' Wagtail admin for projects and the pledge ledger, and their dashboard panels.

Organisers list, search and filter projects; feature, hide (with a reason) and restore them
through ``projects.services``. Pledges and their ledger events are read-only here: nothing in the
admin adds, edits or deletes them. Everyone else is refused (see core.admin_permissions).
"""

import datetime

import django_filters
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, StatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from core.admin_permissions import MODERATE, VIEW, OrganiserPermissionPolicy, is_organiser
from core.admin_views import (
    ListingDefaults,
    ListPanel,
    ReasonForm,
    ServiceActionView,
    action_buttons,
    action_urlpatterns,
    view_on_site_button,
)
from councils.models import Council

from . import selectors, services
from .models import Phase, Pledge, PledgeEvent, PledgeState, Project, State
from .selectors import project_list

# Register before any view asks, so Wagtail never falls back to Django model permissions.
register_permission_policy(Project, OrganiserPermissionPolicy(Project, {VIEW, MODERATE}))
register_permission_policy(Pledge, OrganiserPermissionPolicy(Pledge, {VIEW}))
register_permission_policy(PledgeEvent, OrganiserPermissionPolicy(PledgeEvent, {VIEW}))

DORMANT_AFTER_DAYS = 90
DORMANT_STATES = (State.SEEKING_SUPPORT, State.IN_DELIVERY)
PANEL_ROWS = 8


def dormant_projects():
    """Seeking support or in delivery, visible, and nothing has happened for 90 days."""
    cutoff = timezone.now() - datetime.timedelta(days=DORMANT_AFTER_DAYS)
    return Project.objects.filter(
        state__in=DORMANT_STATES, is_hidden=False, last_activity_at__lt=cutoff
    )


# --- Projects -------------------------------------------------------------------------------


class ProjectFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    is_featured = django_filters.BooleanFilter(label=_("Featured"))
    is_hidden = django_filters.BooleanFilter(label=_("Hidden"))
    dormant = django_filters.BooleanFilter(
        label=_("Dormant (no activity for 90 days)"), method="filter_dormant"
    )
    lead_council = django_filters.ModelChoiceFilter(
        label=_("Lead council"),
        queryset=Council.objects.filter(projects_led__isnull=False).distinct(),
    )

    class Meta:
        model = Project
        fields = ["state", "phase", "is_featured", "is_hidden", "dormant", "lead_council"]

    def filter_dormant(self, queryset, name, value):
        dormant = dormant_projects()
        if value is True:
            return queryset.filter(pk__in=dormant.values("pk"))
        if value is False:
            return queryset.exclude(pk__in=dormant.values("pk"))
        return queryset


class ProjectIndexView(SnippetIndexView):
    def get_list_more_buttons(self, instance):
        actions = [
            (a, label, icon) for a, label, icon, shown in moderation_actions(instance) if shown
        ]
        return [
            *super().get_list_more_buttons(instance),
            *action_buttons(self.url_namespace, instance.pk, actions),
            view_on_site_button(instance),
        ]

    @property
    def url_namespace(self):
        return self.index_url_name.rsplit(":", 1)[0]


def moderation_actions(project: Project):
    """(url name, label, icon, shown) for each moderation action on this project."""
    can_feature = project.state != State.DRAFT and not project.is_featured and not project.is_hidden
    return [
        ("feature", _("Feature"), "pick", can_feature),
        ("unfeature", _("Stop featuring"), "cross", project.is_featured),
        ("hide", _("Hide"), "view", not project.is_hidden),
        ("restore", _("Restore"), "undo", project.is_hidden),
    ]


class ProjectActionView(ServiceActionView):
    model = Project

    def get_queryset(self):
        return Project.objects.select_related("lead_council", "owner")


class FeatureProjectView(ProjectActionView):
    action_label = _("Feature")
    confirmation = _(
        "Featured projects show in the home page’s “Featured projects” section, most recently "
        "active first. Feature “%(object)s”?"
    )
    success_message = _("“%(object)s” is now featured on the home page.")

    def perform(self, form):
        services.project_feature(actor=self.request.user, project=self.object)


class UnfeatureProjectView(ProjectActionView):
    action_label = _("Stop featuring")
    confirmation = _("Stop featuring “%(object)s”?")
    success_message = _("“%(object)s” is no longer featured on the home page.")

    def perform(self, form):
        services.project_unfeature(actor=self.request.user, project=self.object)


class HideProjectView(ProjectActionView):
    form_class = ReasonForm
    serious = True
    action_label = _("Hide")
    confirmation = _(
        "“%(object)s” will disappear from project listings, site search and the API. Its "
        "council's members can still see it. The owner is emailed the reason you give."
    )
    success_message = _("“%(object)s” is hidden. Its owner has been emailed.")

    def perform(self, form):
        services.project_hide(
            actor=self.request.user, project=self.object, reason=form.cleaned_data["reason"]
        )


class RestoreReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Kept in the activity log for organisers. The owner is not sent it."),
    )


class RestoreProjectView(ProjectActionView):
    form_class = RestoreReasonForm
    action_label = _("Restore")
    confirmation = _(
        "“%(object)s” will show in listings, site search and the API again. Its owner is emailed."
    )
    success_message = _("“%(object)s” is visible again.")

    def perform(self, form):
        services.project_restore(
            actor=self.request.user, project=self.object, reason=form.cleaned_data["reason"]
        )


class ProjectChooserViewSet(SnippetChooserViewSet):
    """Choosers (hand-picked-projects blocks, collections) offer only what the public can see."""

    def get_object_list(self):
        return project_list().order_by("title")


class ProjectViewSet(ListingDefaults, SnippetViewSet):
    model = Project
    icon = "clipboard-list"
    menu_label = _("Projects")
    index_view_class = ProjectIndexView
    chooser_viewset_class = ProjectChooserViewSet
    search_fields = ["title", "summary", "lead_council__short_name", "owner__email"]
    filterset_class = ProjectFilterSet
    list_display = [
        "title",
        Column("lead_council", label=_("Lead council"), sort_key="lead_council__short_name"),
        StatusTagColumn("get_state_display", label=_("State"), sort_key="state"),
        Column("get_phase_display", label=_("Phase"), sort_key="phase"),
        BooleanColumn("is_featured", label=_("Featured"), sort_key="is_featured"),
        BooleanColumn("is_hidden", label=_("Hidden"), sort_key="is_hidden"),
        DateColumn("last_activity_at", label=_("Last activity"), sort_key="last_activity_at"),
    ]
    inspect_view_fields = [
        "title",
        "slug",
        "lead_council",
        "owner",
        "state",
        "phase",
        "summary",
        "is_featured",
        "is_hidden",
        "hidden_reason",
        "partner_count",
        "created_at",
        "published_at",
        "last_activity_at",
    ]

    def get_queryset(self, request):
        return Project.objects.select_related("lead_council", "owner")

    def get_urlpatterns(self):
        views = {
            "feature": FeatureProjectView,
            "unfeature": UnfeatureProjectView,
            "hide": HideProjectView,
            "restore": RestoreProjectView,
        }
        return [
            *super().get_urlpatterns(),
            *action_urlpatterns(self, views, index_url_name="list"),
        ]


# --- The pledge ledger, read-only -----------------------------------------------------------


class PledgeFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=PledgeState.choices)

    class Meta:
        model = Pledge
        fields = ["state", "kind"]


class PledgeViewSet(ListingDefaults, ModelViewSet):
    model = Pledge
    name = "pledges"
    url_namespace = "admin_pledges"
    form_fields: list[str] = []  # read-only here: the policy grants no add or change
    icon = "list-ul"
    menu_label = _("Pledges")
    add_to_admin_menu = False
    search_fields = ["project__title", "council__short_name", "pledged_by__email"]
    filterset_class = PledgeFilterSet
    list_display = [
        "__str__",
        Column("project", label=_("Project"), sort_key="project__title"),
        Column("council", label=_("Council"), sort_key="council__short_name"),
        Column("amount_display", label=_("Amount")),
        StatusTagColumn("get_state_display", label=_("State"), sort_key="state"),
        Column("amends", label=_("Amends")),
        Column("pledged_by", label=_("Pledged by")),
        DateColumn("created_at", label=_("Offered"), sort_key="created_at"),
    ]
    inspect_view_fields = [
        "project",
        "council",
        "pledged_by",
        "kind",
        "role",
        "amount_display",
        "need",
        "note",
        "state",
        "created_at",
        "state_changed_at",
        "offered_at",
    ]

    @property
    def index_view_class(self):
        class PledgeIndexView(ModelViewSet.index_view_class):
            def get_base_queryset(self):
                return Pledge.objects.select_related(
                    "project", "council", "pledged_by", "amends__project", "amends__council"
                )

        return PledgeIndexView

    @property
    def inspect_view_class(self):
        class PledgeInspectView(ModelViewSet.inspect_view_class):
            template_name = "cms/admin/pledge_inspect.html"

            def get_context_data(self, **kwargs):
                context = super().get_context_data(**kwargs)
                events = list(
                    self.object.events.select_related("actor", "linked_pledge").order_by("sequence")
                )
                context["events"] = events
                # Sign-off, decision record and amendment links in words, not raw values.
                context["governance"] = selectors.pledge_governance(
                    pledge=self.object, events=events
                )
                return context

        return PledgeInspectView


class PledgeEventViewSet(ListingDefaults, ModelViewSet):
    model = PledgeEvent
    name = "pledge_events"
    url_namespace = "admin_pledge_events"
    form_fields: list[str] = []  # read-only here: the policy grants no add or change
    icon = "history"
    menu_label = _("Pledge ledger")
    add_to_admin_menu = False
    search_fields = ["pledge__project__title", "pledge__council__short_name", "actor__email"]
    list_filter = ["to_state"]
    list_display = [
        "__str__",
        Column("pledge", label=_("Pledge")),
        Column("get_from_state_display", label=_("From")),
        StatusTagColumn("get_to_state_display", label=_("To"), sort_key="to_state"),
        Column("actor_display", label=_("By")),
        Column("note", label=_("Note")),
        DateColumn("created_at", label=_("When"), sort_key="created_at"),
    ]

    @property
    def index_view_class(self):
        class PledgeEventIndexView(ModelViewSet.index_view_class):
            def get_base_queryset(self):
                return PledgeEvent.objects.select_related(
                    "actor", "pledge__project", "pledge__council"
                )

        return PledgeEventIndexView


class ProjectsAdminGroup(SnippetViewSetGroup):
    menu_label = _("Projects")
    menu_icon = "clipboard-list"
    menu_order = 200
    items = (ProjectViewSet, PledgeViewSet, PledgeEventViewSet)


register_snippet(ProjectsAdminGroup)


# --- Dashboard panels -----------------------------------------------------------------------


def _project_row(project: Project, when, detail: str = "") -> dict:
    return {
        "label": project.title,
        "url": reverse("wagtailsnippets_projects_project:inspect", args=(project.pk,)),
        "detail": detail or project.lead_council.short_name,
        "when": when,
    }


class NewProjectsPanel(ListPanel):
    name = "pipeline_new_projects"
    heading = _("Newly proposed projects")
    order = 51
    empty_text = _("No projects were proposed in the last 30 days.")

    def get_rows(self):
        since = timezone.now() - datetime.timedelta(days=30)
        projects = (
            Project.objects.filter(created_at__gte=since)
            .select_related("lead_council")
            .order_by("-created_at", "-pk")[:PANEL_ROWS]
        )
        return [
            _project_row(p, p.created_at, f"{p.lead_council.short_name} · {p.get_state_display()}")
            for p in projects
        ]

    def get_more_url(self):
        return reverse("wagtailsnippets_projects_project:list") + "?ordering=-created_at"


class DormantProjectsPanel(ListPanel):
    name = "pipeline_dormant_projects"
    heading = _("Dormant projects (no activity for 90 days)")
    order = 52
    empty_text = _("Every project seeking support or in delivery has been active lately.")

    def get_rows(self):
        projects = (
            dormant_projects().select_related("lead_council").order_by("last_activity_at", "pk")
        )[:PANEL_ROWS]
        return [_project_row(p, p.last_activity_at) for p in projects]

    def get_more_url(self):
        return reverse("wagtailsnippets_projects_project:list") + "?dormant=true"


class RecentPledgesPanel(ListPanel):
    name = "pipeline_recent_pledges"
    heading = _("Recent pledges")
    order = 53
    empty_text = _("No pledges yet.")

    def get_rows(self):
        pledges = Pledge.objects.select_related("project", "council", "funder").order_by(
            "-created_at", "-pk"
        )[:PANEL_ROWS]
        return [
            {
                # A council's pledge or a funder's award (which has no council).
                "label": f"{p.pledger_name} → {p.project.title}",
                "url": reverse("admin_pledges:inspect", args=(p.pk,)),
                "detail": f"{p.amount_display} · {p.get_state_display()}",
                "when": p.created_at,
            }
            for p in pledges
        ]

    def get_more_url(self):
        return reverse("admin_pledges:index")


@hooks.register("construct_homepage_panels")
def add_organiser_panels(request, panels):
    if is_organiser(request.user):
        panels.extend([NewProjectsPanel(), DormantProjectsPanel(), RecentPledgesPanel()])
