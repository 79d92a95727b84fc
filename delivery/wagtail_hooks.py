"""A link to the national portfolio in the organisers' Wagtail admin menu (shown to organisers
only, as the page itself is)."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.admin_permissions import is_organiser


class OrganiserMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return is_organiser(request.user)


@hooks.register("register_admin_menu_item")
def national_portfolio_menu_item() -> MenuItem:
    return OrganiserMenuItem(
        _("National portfolio"),
        reverse_lazy("portfolio:national"),
        name="national-portfolio",
        icon_name="table",
        order=900,
    )
