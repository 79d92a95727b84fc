"""Organisers configure councils' sign-in providers in the Wagtail admin, through the services."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from core.admin_permissions import VIEW, OrganiserPermissionPolicy
from core.admin_views import ListingDefaults
from core.errors import ServiceError

from . import services
from .forms import IdentityProviderForm
from .models import CouncilIdentityProvider

register_permission_policy(
    CouncilIdentityProvider,
    OrganiserPermissionPolicy(CouncilIdentityProvider, {VIEW, "add", "change"}),
)


class ServiceFormMixin:
    """Save through the service; its refusal is an error on the form, never a 500."""

    def is_valid(self, form):
        if not super().is_valid(form):
            return False
        data = form.cleaned_data
        existing = getattr(self, "object", None)
        try:
            self.saved_object = services.identity_provider_save(
                actor=self.request.user,
                council=existing.council if existing else data["council"],
                issuer=data["issuer"],
                client_id=data["client_id"],
                secret_env=data.get("secret_env") or "",
                client_secret=data.get("client_secret") or "",
                vouched_domains=form.domain_list(),
                enabled=data.get("enabled", False),
                require_email_verified=data.get("require_email_verified", False),
                provider=existing,
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return False
        return True

    def save_instance(self):
        return self.saved_object


class ProviderCreateView(ServiceFormMixin, ModelViewSet.add_view_class):
    def save_instance(self):
        log(instance=self.saved_object, action="wagtail.create", user=self.request.user)
        return self.saved_object


class ProviderEditView(ServiceFormMixin, ModelViewSet.edit_view_class):
    def save_instance(self):
        log(instance=self.saved_object, action="wagtail.edit", user=self.request.user)
        return self.saved_object


class ProviderIndexView(ModelViewSet.index_view_class):
    @cached_property
    def columns(self):
        """The council names the row and links to its edit form (a plain column left the
        listing with no way to open a provider)."""
        columns = super().columns
        columns[0] = self._get_title_column("council")
        return columns


class IdentityProviderViewSet(ListingDefaults, ModelViewSet):
    model = CouncilIdentityProvider
    name = "council-sign-in"
    url_namespace = "admin_sso"
    icon = "key"
    menu_label = _("Council sign-in")
    menu_order = 215
    add_to_admin_menu = True
    index_view_class = ProviderIndexView
    add_view_class = ProviderCreateView
    edit_view_class = ProviderEditView
    search_fields = ["council__short_name", "council__name", "issuer", "client_id"]
    list_filter = ["enabled"]
    list_display = [
        Column("council", label=_("Council"), sort_key="council__short_name"),
        BooleanColumn("enabled", label=_("Enabled"), sort_key="enabled"),
        Column("issuer", label=_("Issuer")),
        Column("secret_source", label=_("Client secret")),
        DateColumn("updated_at", label=_("Changed"), sort_key="updated_at"),
    ]
    inspect_view_enabled = True
    inspect_view_fields = [
        "council",
        "enabled",
        "issuer",
        "client_id",
        "secret_source",
        "require_email_verified",
        "domain_names",
        "updated_at",
    ]

    def get_form_class(self, for_update=False):
        return IdentityProviderForm


@hooks.register("register_admin_viewset")
def register_sso_admin():
    return IdentityProviderViewSet()
