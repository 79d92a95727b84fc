"""The organisers' Wagtail admin for councils and memberships, and the memberships panel.

Organisers browse the register, add public bodies that are not on it (``on_register=False``) and
correct those, and approve or refuse membership requests, all through services.
"""

from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, StatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from core.admin_permissions import (
    MODERATE,
    VIEW,
    OrganiserPermissionPolicy,
    PublicBodyPermissionPolicy,
    is_organiser,
)
from core.admin_views import (
    ListingDefaults,
    ListPanel,
    ReasonForm,
    ServiceActionView,
    action_buttons,
    action_urlpatterns,
    view_on_site_button,
)
from core.errors import ServiceError
from projects import services as project_services

from . import services
from .models import Commitment, Council, Membership, MembershipStatus

register_permission_policy(Council, PublicBodyPermissionPolicy(Council, {VIEW, "add", "change"}))
# Organisers add the commitments calls may require and correct them; none is deleted (councils'
# records of signing it, and calls requiring it, point at it).
register_permission_policy(
    Commitment, OrganiserPermissionPolicy(Commitment, {VIEW, "add", "change"})
)
register_permission_policy(Membership, OrganiserPermissionPolicy(Membership, {VIEW, MODERATE}))

PUBLIC_BODY_FORM_FIELDS = ["name", "short_name", "name_cy", "nation", "region", "website"]
PANEL_ROWS = 8


# --- Councils and other public bodies ---------------------------------------------------------


class ServiceFormMixin:
    """Save through a service; a refusal becomes an error on the form, not a 500."""

    def call_service(self, values: dict):
        raise NotImplementedError

    def is_valid(self, form):
        if not super().is_valid(form):
            return False
        values = {name: form.cleaned_data.get(name) or "" for name in PUBLIC_BODY_FORM_FIELDS}
        try:
            self.saved_object = self.call_service(values)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return False
        return True

    def save_instance(self):
        return self.saved_object


class PublicBodyCreateView(ServiceFormMixin, ModelViewSet.add_view_class):
    def call_service(self, values):
        council = project_services.public_body_add(actor=self.request.user, **values)
        log(instance=council, action="wagtail.create", user=self.request.user)
        return council


class PublicBodyEditView(ServiceFormMixin, ModelViewSet.edit_view_class):
    def get_queryset(self):
        return Council.objects.filter(on_register=False)

    def call_service(self, values):
        council = project_services.public_body_update(
            actor=self.request.user, council=self.object, **values
        )
        log(instance=council, action="wagtail.edit", user=self.request.user)
        return council


class CouncilIndexView(ModelViewSet.index_view_class):
    def get_edit_url(self, instance):
        if instance.on_register:
            return None  # register councils change only by import; the title opens Inspect
        return super().get_edit_url(instance)

    def get_list_more_buttons(self, instance):
        return [*super().get_list_more_buttons(instance), view_on_site_button(instance)]


class CouncilInspectView(ModelViewSet.inspect_view_class):
    def get_edit_url(self):
        if self.object.on_register:
            return None  # as on the index: register councils change only by import
        return super().get_edit_url()


class CouncilViewSet(ListingDefaults, ModelViewSet):
    model = Council
    name = "councils"
    url_namespace = "admin_councils"
    icon = "site"
    menu_label = _("Councils and public bodies")
    add_to_admin_menu = False
    index_view_class = CouncilIndexView
    inspect_view_class = CouncilInspectView
    add_view_class = PublicBodyCreateView
    edit_view_class = PublicBodyEditView
    search_fields = ["short_name", "name", "name_cy", "code", "gss_code"]
    list_filter = ["nation", "on_register", "authority_type_name"]
    form_fields = PUBLIC_BODY_FORM_FIELDS
    list_display = [
        "short_name",
        Column("code", label=_("Code"), sort_key="code"),
        Column("authority_type_name", label=_("Type")),
        Column("get_nation_display", label=_("Nation"), sort_key="nation"),
        BooleanColumn("on_register", label=_("On the register"), sort_key="on_register"),
        DateColumn("end_date", label=_("Ended"), sort_key="end_date"),
    ]
    inspect_view_fields = [
        "name",
        "short_name",
        "name_cy",
        "official_name_cy",
        "code",
        "gss_code",
        "authority_type_name",
        "nation",
        "region",
        "website",
        "start_date",
        "end_date",
        "replaced_by",
        "on_register",
    ]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, **kwargs)


# --- Memberships ----------------------------------------------------------------------------


class MembershipActionView(ServiceActionView):
    model = Membership

    def get_queryset(self):
        return Membership.objects.select_related("user", "council")

    def describe(self) -> dict:
        # The person and the council, not the request's name with its status in it.
        return {
            "person": self.object.user.get_full_name(),
            "council": self.object.council.display_name,
        }


class ApproveMembershipView(MembershipActionView):
    action_label = _("Approve")
    confirmation = _(
        "Approve %(person)s’s request to join %(council)s? They will be able to act for "
        "%(council)s, and will be emailed."
    )
    success_message = _("%(person)s is now a verified member of %(council)s. We have emailed them.")

    def perform(self, form):
        services.membership_approve(actor=self.request.user, membership=self.object)


class RefuseMembershipView(MembershipActionView):
    form_class = ReasonForm
    serious = True
    action_label = _("Refuse")
    confirmation = _(
        "Refuse %(person)s’s request to join %(council)s? They will be emailed your reason, "
        "and see it on their profile."
    )
    success_message = _(
        "The request from %(person)s to join %(council)s was refused. "
        "We have emailed them your reason."
    )

    def perform(self, form):
        services.membership_refuse(
            actor=self.request.user, membership=self.object, reason=form.cleaned_data["reason"]
        )


MEMBERSHIP_ACTIONS = (("approve", _("Approve"), "check"), ("refuse", _("Refuse"), "cross"))


def _decision_buttons(membership: Membership, url_name: str, *, header: bool = False) -> list:
    """Approve and Refuse, while the request waits."""
    if membership.status != MembershipStatus.PENDING:
        return []
    namespace = url_name.rsplit(":", 1)[0]
    return action_buttons(namespace, membership.pk, MEMBERSHIP_ACTIONS, header=header)


class MembershipIndexView(ModelViewSet.index_view_class):
    def get_base_queryset(self):
        return Membership.objects.select_related("user", "council")

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            *_decision_buttons(instance, self.index_url_name),
        ]


class MembershipInspectView(ModelViewSet.inspect_view_class):
    @cached_property
    def header_buttons(self):
        return _decision_buttons(self.object, self.index_url_name, header=True)


class MembershipViewSet(ListingDefaults, ModelViewSet):
    model = Membership
    name = "memberships"
    url_namespace = "admin_memberships"
    form_fields: list[str] = []  # read-only here: the policy grants no add or change
    icon = "group"
    menu_label = _("Council memberships")
    add_to_admin_menu = False
    index_view_class = MembershipIndexView
    inspect_view_class = MembershipInspectView
    search_fields = [
        "user__email",
        "user__first_name",
        "user__last_name",
        "council__short_name",
        "council__name",
    ]
    list_filter = ["status", "role", "verified_by_domain"]
    list_display = [
        "__str__",
        Column("user", label=_("Person")),
        Column("user.email", label=_("Email")),
        Column("council", label=_("Council"), sort_key="council__short_name"),
        Column("get_role_display", label=_("Role"), sort_key="role"),
        StatusTagColumn("get_status_display", label=_("Status"), sort_key="status"),
        DateColumn("created_at", label=_("Asked"), sort_key="created_at"),
    ]
    inspect_view_fields = [
        "user",
        "council",
        "role",
        "status",
        "message",
        "verified_by_domain",
        "decided_by",
        "decided_at",
        "reason",
        "created_at",
    ]

    def get_urlpatterns(self):
        views = {"approve": ApproveMembershipView, "refuse": RefuseMembershipView}
        return [
            *super().get_urlpatterns(),
            *action_urlpatterns(self, views, index_url_name="index"),
        ]


# --- Commitments ------------------------------------------------------------------------------


class CommitmentViewSet(ListingDefaults, ModelViewSet):
    """Commitments councils sign (the Local Digital Declaration comes with every install)."""

    model = Commitment
    name = "commitments"
    url_namespace = "admin_commitments"
    icon = "tick-inverse"
    menu_label = _("Commitments")
    add_to_admin_menu = False
    search_fields = ["name", "name_cy"]
    form_fields = ["name", "name_cy", "slug", "url"]
    list_display = [
        "name",
        Column("name_cy", label=_("Welsh name")),
        Column("url", label=_("Where to read it")),
    ]
    inspect_view_fields = ["name", "name_cy", "slug", "url"]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, **kwargs)


class CouncilsAdminGroup(ModelViewSetGroup):
    menu_label = _("Councils")
    menu_icon = "site"
    menu_order = 210
    items = (CouncilViewSet, MembershipViewSet, CommitmentViewSet)


@hooks.register("register_admin_viewset")
def register_councils_admin():
    return CouncilsAdminGroup()


# --- Dashboard panel ------------------------------------------------------------------------


class MembershipsAwaitingPanel(ListPanel):
    name = "pipeline_memberships_awaiting"
    heading = _("Memberships awaiting approval")
    order = 50
    empty_text = _("No one is waiting to join a council.")

    def get_rows(self):
        waiting = (
            Membership.objects.pending()
            .select_related("user", "council")
            .order_by("created_at", "pk")[:PANEL_ROWS]
        )
        return [
            {
                "label": f"{m.user.get_full_name()} – {m.council.short_name}",
                "url": reverse("admin_memberships:inspect", args=(m.pk,)),
                "detail": m.user.email,
                "when": m.created_at,
            }
            for m in waiting
        ]

    def get_more_url(self):
        return reverse("admin_memberships:index") + "?status=pending"


@hooks.register("construct_homepage_panels")
def add_memberships_panel(request, panels):
    if is_organiser(request.user):
        panels.append(MembershipsAwaitingPanel())
