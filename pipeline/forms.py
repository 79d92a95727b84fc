from django import forms

from .errors import ServiceError


def add_service_error(
    form: forms.Form, error: ServiceError, *, default_field: str | None = None
) -> None:
    """Show a service's refusal beside the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else default_field
    form.add_error(field, error.message)
