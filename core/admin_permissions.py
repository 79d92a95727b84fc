"""Who may use the organiser screens in the Wagtail admin: organisers, and nobody else.

``User.is_organiser`` (superusers and the Organisers group) is the one test, the same one the
services use, so the admin never offers what a service would refuse; the user model's manager
lists them (``organisers()``). Each policy grants an
explicit set of actions: the pledge ledger is "view" only, so Wagtail shows no add, edit or
delete for it.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from wagtail.permission_policies import BasePermissionPolicy

VIEW = "view"
MODERATE = "moderate"


def is_organiser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_organiser)


class OrganiserPermissionPolicy(BasePermissionPolicy):
    def __init__(self, model, actions: Iterable[str] = (VIEW,)):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action) -> bool:
        return action in self.actions and is_organiser(user)

    def user_has_any_permission(self, user, actions) -> bool:
        return bool(self.actions.intersection(actions)) and is_organiser(user)

    def users_with_any_permission(self, actions):
        # The user model's manager says who organisers are (``accounts.models``).
        users = get_user_model()._default_manager
        if not self.actions.intersection(actions):
            return users.none()
        return users.organisers()


class PublicBodyPermissionPolicy(OrganiserPermissionPolicy):
    """Organisers add public bodies and correct them; register councils change only by import."""

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if action == "change" and instance.on_register:
            return False
        return self.user_has_permission(user, action)
