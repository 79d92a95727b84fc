"""What every API view shares: ``ApiView`` goes first in each view's bases."""

from rest_framework.exceptions import MethodNotAllowed


class ApiView:
    """A method the route does not serve is a 405 with an ``Allow`` header, for everyone:
    DRF checked credentials and permissions first, so a signed-out ``DELETE`` on a pledge was a
    401 and a client could not learn that pledges are never deleted."""

    def initial(self, request, *args, **kwargs):
        if request.method not in self.allowed_methods:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
