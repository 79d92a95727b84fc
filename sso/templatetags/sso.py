from django import template

from ..selectors import identity_provider_list_enabled

register = template.Library()


@register.simple_tag
def council_sign_in_options() -> list:
    """Councils whose officers may sign in with their council's account, for the sign-in page."""
    return list(identity_provider_list_enabled())
