"""allauth's account adapter, with the one change Pipeline needs."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from core.cache import cache_required


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Count the attempt toward the failed sign-in limits (per address and per account),
        which must hold: if the cache that counts them does not answer, refuse (503) rather
        than let password guesses through unlimited. Every other limit lets requests through
        while the cache is down (``core.cache``). The API's token exchange signs in here
        too."""
        with cache_required():
            super().pre_authenticate(request, **credentials)
