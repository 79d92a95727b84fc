"""What every API view shares: ``ApiView`` goes first in each view's bases."""

from django.db import transaction
from rest_framework.exceptions import MethodNotAllowed

from . import idempotency


# ApiView has no docstring on purpose: drf-spectacular describes an operation with the first
# docstring in its view's classes, and this one is for developers, not the API's readers.
#
# - A method the route does not serve is a 405 with an ``Allow`` header, for everyone: DRF
#   checked credentials and permissions first, so a signed-out ``DELETE`` on a pledge was a 401
#   and a client could not learn that pledges are never deleted.
# - Writes take an ``Idempotency-Key`` (``core.api.idempotency``); a view whose answer must
#   never be stored sets ``idempotent = False``.
class ApiView:
    idempotent = True

    def dispatch(self, request, *args, **kwargs):
        self._idempotency = None
        if not (self.idempotent and idempotency.wanted(request)):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            idempotency.finish(self._idempotency, response)
        return response

    def initial(self, request, *args, **kwargs):
        if request.method not in self.allowed_methods:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        if self.idempotent and idempotency.wanted(request):
            self._idempotency = idempotency.begin(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        return super().handle_exception(exc)
