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


# --- GOV.UK date input ------------------------------------------------------------------------

DATE_PARTS = ("day", "month", "year")


class GovukDateInput(forms.Widget):
    """Day, month and year as three text boxes (GOV.UK's date input), never a date picker.

    Drawn by ``includes/field.html`` (``date_parts``); its value is a dict of the three parts.
    """

    def value_from_datadict(self, data, files, name: str) -> dict[str, str]:
        return {part: data.get(f"{name}_{part}", "") for part in DATE_PARTS}

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return all(f"{name}_{part}" not in data for part in DATE_PARTS)


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages.

    ``what`` names the date in messages: "Pledging deadline must include a month". A message
    about some parts names them in its ``params["parts"]``, so only those boxes are marked.
    """

    widget = GovukDateInput

    def __init__(self, *, what, **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def _error(self, message, parts=DATE_PARTS, **params) -> forms.ValidationError:
        return forms.ValidationError(
            message, code="invalid", params={"what": self.what, "parts": parts, **params}
        )

    def to_python(self, value):
        import datetime

        from django.utils.text import capfirst
        from django.utils.translation import gettext as _

        if isinstance(value, datetime.date) or value in (None, ""):
            return value or None
        parts = {part: str(value.get(part, "")).strip() for part in DATE_PARTS}
        if not any(parts.values()):
            return None
        what = capfirst(self.what)
        missing = tuple(part for part in DATE_PARTS if not parts[part])
        if missing:
            names = {"day": _("day"), "month": _("month"), "year": _("year")}
            listed = " ".join(
                [", ".join(str(names[p]) for p in missing[:-1]), _("and"), str(names[missing[-1]])]
            ) if len(missing) > 1 else str(names[missing[0]])  # fmt: skip
            raise self._error(
                _("%(what)s must include a %(missing)s"), missing, missing=listed, what=what
            )
        if not all(v.isdigit() for v in parts.values()):
            raise self._error(_("%(what)s must be a real date"), what=what)
        if len(parts["year"]) != 4:
            raise self._error(_("Year must include 4 numbers"), ("year",))
        try:
            return datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError as exc:
            raise self._error(_("%(what)s must be a real date"), what=what) from exc
