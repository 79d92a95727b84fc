"""Organisers see every email Pipeline sent or could not send, and send a failed one again.

A failed email (a permanent refusal by the mail server, a template error, or the last of
``MAIL_MAX_ATTEMPTS`` temporary failures) shows here with its error and a Retry action, and on
the dashboard. Retry goes through ``mail.services.delivery_retry``.
"""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from core.admin_permissions import MODERATE, VIEW, OrganiserPermissionPolicy, is_organiser
from core.admin_views import (
    ListingDefaults,
    ListPanel,
    ServiceActionView,
    action_buttons,
    action_urlpatterns,
)

from . import services
from .models import Delivery, DeliveryStatus
from .selectors import delivery_list, failed_deliveries

register_permission_policy(Delivery, OrganiserPermissionPolicy(Delivery, {VIEW, MODERATE}))

PANEL_ROWS = 8


class DeliveryFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = ["status"]


class RetryDeliveryView(ServiceActionView):
    model = Delivery
    action_label = _("Send again")
    confirmation = _(
        "Send “%(object)s” again now? It is tried up to the usual number of times; if it fails "
        "again it comes back to the list of failed emails."
    )
    success_message = _("“%(object)s” is queued to send again.")

    def perform(self, form) -> None:
        services.delivery_retry(actor=self.request.user, delivery=self.object)


class DeliveryViewSet(ListingDefaults, ModelViewSet):
    model = Delivery
    name = "deliveries"
    url_namespace = "admin_deliveries"
    form_fields: list[str] = []  # read-only: the policy grants no add, change or delete
    icon = "mail"
    menu_label = _("Emails")
    menu_order = 310
    add_to_admin_menu = True
    search_fields = ["user__email", "subject", "key"]
    filterset_class = DeliveryFilterSet
    list_display = [
        "__str__",  # the subject, with the row's actions
        Column("user", label=_("Recipient"), accessor="user.email", sort_key="user__email"),
        Column("kind_label", label=_("Message")),
        StatusTagColumn("get_status_display", label=_("Status"), sort_key="status"),
        Column("attempts", label=_("Attempts"), sort_key="attempts"),
        Column("last_error", label=_("Error")),
        DateColumn("created_at", label=_("Queued"), sort_key="created_at"),
    ]
    inspect_view_fields = [
        "user",
        "kind_label",
        "subject",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "key",
    ]

    @property
    def index_view_class(self):
        class DeliveryIndexView(ModelViewSet.index_view_class):
            def get_base_queryset(self):
                return delivery_list()

            def get_list_more_buttons(self, instance):
                buttons = super().get_list_more_buttons(instance)
                if instance.status == DeliveryStatus.FAILED:
                    retry = [("retry", _("Send again"), "rotate")]
                    buttons += action_buttons("admin_deliveries", instance.pk, retry)
                return buttons

        return DeliveryIndexView

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            *action_urlpatterns(self, {"retry": RetryDeliveryView}, index_url_name="index"),
        ]


class FailedEmailsPanel(ListPanel):
    name = "pipeline_failed_emails"
    heading = _("Emails that could not be sent")
    order = 50
    empty_text = _("Every email has been sent or is on its way.")

    def get_rows(self):
        return [
            {
                "label": f"{d.kind_label} → {d.user.email}",
                "url": reverse("admin_deliveries:inspect", args=(d.pk,)),
                "detail": d.last_error[:120],
                "when": d.created_at,
            }
            for d in failed_deliveries()[:PANEL_ROWS]
        ]

    def get_more_url(self):
        return reverse("admin_deliveries:index") + "?status=failed"


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet()


@hooks.register("construct_homepage_panels")
def add_failed_emails_panel(request, panels):
    if is_organiser(request.user) and failed_deliveries().exists():
        panels.append(FailedEmailsPanel())
