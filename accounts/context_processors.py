from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .mfa import user_needs_second_factor


def second_factor(request: HttpRequest) -> dict:
    """``needs_second_factor``: a privileged person who has not enrolled yet, for the banner
    that every page shows them (asked only when a page shows it)."""
    user = getattr(request, "user", None)
    return {
        "needs_second_factor": SimpleLazyObject(
            lambda: bool(user is not None and user_needs_second_factor(user=user))
        )
    }
