"""Admin screens for one organiser action on one object, carried out by a service.

GET shows what will happen (and asks for a reason where one is needed); POST calls the service.
A refusal from the service (``ServiceError``) is shown beside the form, never as a 500.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permissions import policy_registry

from core.errors import ServiceError

from .admin_permissions import MODERATE


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The person concerned is sent this reason."),
    )


class ServiceActionView(WagtailAdminTemplateMixin, FormView):
    model = None
    permission_action = MODERATE
    template_name = "cms/admin/service_action.html"
    form_class = forms.Form
    index_url_name = ""
    inspect_url_name = ""
    header_icon = ""
    action_label = ""
    confirmation = ""
    success_message = ""
    serious = False

    def get_queryset(self):
        return self.model._default_manager.all()

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(self.model)
        if not policy.user_has_permission(request.user, self.permission_action):
            raise PermissionDenied
        self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form) -> None:
        raise NotImplementedError

    def get_page_title(self):
        return self.action_label

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        items = [
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(self.model._meta.verbose_name_plural),
            }
        ]
        if self.inspect_url_name:
            items.append(
                {
                    "url": reverse(self.inspect_url_name, args=(quote(self.object.pk),)),
                    "label": str(self.object),
                }
            )
        items.append({"url": "", "label": self.action_label})
        return self.breadcrumbs_items + items

    def get_success_url(self) -> str:
        return reverse(self.index_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "object": self.object,
                "confirmation": self.confirmation % self.describe(),
                "submit_label": self.action_label,
                "serious": self.serious,
                "cancel_url": self.get_success_url(),
            }
        )
        return context

    def form_valid(self, form):
        try:
            self.perform(form)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % self.describe())
        return redirect(self.get_success_url())

    def describe(self) -> dict:
        """What the confirmation and success messages may name."""
        return {"object": self.object}


def action_urlpatterns(viewset, views: dict, *, index_url_name: str) -> list:
    """URLs for a viewset's ServiceActionViews (``<name>/<pk>/``), named after each action."""
    return [
        path(
            f"{name}/<int:pk>/",
            view_class.as_view(
                index_url_name=viewset.get_url_name(index_url_name),
                inspect_url_name=viewset.get_url_name("inspect"),
                header_icon=viewset.icon,
            ),
            name=name,
        )
        for name, view_class in views.items()
    ]


def action_buttons(namespace: str, pk: int, actions, *, header: bool = False) -> list[Button]:
    """Buttons for an object's ServiceActionViews, ``(url name, label, icon)`` each: in a
    listing row's menu, or (``header``) beside an Inspect view's title."""
    button = HeaderButton if header else Button
    return [
        button(label, url=reverse(f"{namespace}:{name}", args=(pk,)), icon_name=icon, priority=40)
        for name, label, icon in actions
    ]


def view_on_site_button(instance) -> Button:
    return Button(
        _("View on site"), url=instance.get_absolute_url(), icon_name="link-external", priority=50
    )


class ListingDefaults:
    """What every Pipeline listing in the admin shares: no copying, an Inspect view, 50 rows a
    page, and ORM search (so a search combines with any filter)."""

    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 50
    search_backend_name = None


class ListPanel(Component):
    """A dashboard panel listing a few objects, in one query."""

    name = ""
    heading = ""
    order = 100
    template_name = "cms/admin/panels/list_panel.html"
    empty_text = ""

    def get_rows(self) -> list[dict]:
        raise NotImplementedError

    def get_more_url(self) -> str:
        return ""

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context.update(
            {
                "panel_id": self.name,
                "heading": self.heading,
                "rows": self.get_rows(),
                "more_url": self.get_more_url(),
                "empty_text": self.empty_text,
            }
        )
        return context
