"""The organisers' Wagtail admin for funders: add one, change it and its email domains, all
through the services (which log each change in the activity log)."""

from django import forms
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from core.admin_permissions import VIEW, OrganiserPermissionPolicy
from core.admin_views import ListingDefaults
from core.errors import ServiceError

from .models import Funder
from .services import funders as services

register_permission_policy(Funder, OrganiserPermissionPolicy(Funder, {VIEW, "add", "change"}))


class FunderForm(forms.ModelForm):
    domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line, such as dluhc.gov.uk. People who confirm an email address at one of "
            "them are verified members of the funder as soon as they join."
        ),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    slug = forms.SlugField(
        label=_("Name in the web address"),
        required=False,
        max_length=140,
        help_text=_("Made from the name if left empty. Changing it breaks links to the funder."),
    )

    class Meta:
        model = Funder
        fields = ["name", "name_cy", "slug", "kind", "website", "description"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["domains"] = "\n".join(
                self.instance.domains.values_list("domain", flat=True)
            )

    def _post_clean(self) -> None:
        """No model validation: the service checks each value and says which field is wrong."""

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data.get("name") or "",
            "name_cy": data.get("name_cy") or "",
            "slug": data.get("slug") or "",
            "kind": data.get("kind") or "",
            "website": data.get("website") or "",
            "description": data.get("description") or "",
            "domains": (data.get("domains") or "").replace(",", "\n").splitlines(),
        }


class ServiceFormMixin:
    """Save through the service; its refusal is an error on the form, never a 500."""

    def is_valid(self, form):
        if not super().is_valid(form):
            return False
        try:
            self.saved_object = services.funder_save(
                actor=self.request.user, funder=getattr(self, "object", None), **form.values()
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return False
        return True


class FunderCreateView(ServiceFormMixin, ModelViewSet.add_view_class):
    def save_instance(self):
        log(instance=self.saved_object, action="wagtail.create", user=self.request.user)
        return self.saved_object


class FunderEditView(ServiceFormMixin, ModelViewSet.edit_view_class):
    def save_instance(self):
        log(instance=self.saved_object, action="wagtail.edit", user=self.request.user)
        return self.saved_object


class FunderIndexView(ModelViewSet.index_view_class):
    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            Button(
                _("Members"),
                url=reverse("funding:funder_members", kwargs={"slug": instance.slug}),
                icon_name="group",
                priority=45,
            ),
            Button(
                _("View on site"),
                url=reverse("funding:funder", kwargs={"slug": instance.slug}),
                icon_name="link-external",
                priority=50,
            ),
        ]


class FunderViewSet(ListingDefaults, ModelViewSet):
    model = Funder
    name = "funders"
    url_namespace = "admin_funders"
    icon = "pick"
    menu_label = _("Funders")
    menu_order = 220
    add_to_admin_menu = True
    index_view_class = FunderIndexView
    add_view_class = FunderCreateView
    edit_view_class = FunderEditView
    search_fields = ["name", "name_cy", "slug"]
    list_filter = ["kind"]
    list_display = [
        "name",
        Column("get_kind_display", label=_("Kind"), sort_key="kind"),
        Column("website", label=_("Website")),
        DateColumn("created_at", label=_("Added"), sort_key="created_at"),
    ]
    inspect_view_fields = ["name", "name_cy", "slug", "kind", "website", "description"]

    def get_form_class(self, for_update=False):
        return FunderForm

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, **kwargs)


@hooks.register("register_admin_viewset")
def register_funders_admin():
    return FunderViewSet()
