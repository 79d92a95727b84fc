from django import forms
from django.http import HttpRequest, QueryDict

from .errors import ServiceError
from .validators import validate_web_address


class WebAddressField(forms.URLField):
    """A web address checked by ``validate_web_address``, as the API and the services check it
    (Django's own URL check lets quotes and angle brackets through)."""

    default_validators = [validate_web_address]


def add_service_error(
    form: forms.Form, error: ServiceError, *, default_field: str | None = None
) -> None:
    """Show a service's refusal beside the field it is about, or at the top of the form."""
    from .security import note_refusal

    note_refusal(error)  # logged when it is a refusal (NotAllowed)
    field = error.field if error.field in form.fields else default_field
    form.add_error(field, error.message)


def form_data(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, even when empty; None on GET.

    ``request.POST or None`` leaves a form unbound for an empty POST, so submitting a form with
    nothing filled in would show no errors.
    """
    return request.POST if request.method == "POST" else None
