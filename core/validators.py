"""Checks shared by the web forms, the API's serializers and the services, so each way in
accepts and refuses the same values with the same message."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

# Django's URLValidator lets anything but whitespace through in the path and query, so
# ``https://example.org/"><script>…`` passed and was emitted by the API, ready to break out of
# an attribute wherever someone printed it unescaped.
_UNSAFE = re.compile(r"[\s\"'<>`\\\x00-\x1f\x7f-\x9f]")
_URL = URLValidator(schemes=["http", "https"])


def validate_web_address(value: str) -> None:
    """An http(s) address with no spaces, quotes, angle brackets, backslashes or control
    characters. Codes: ``unsafe_characters``, ``invalid``."""
    if _UNSAFE.search(value):
        raise ValidationError(
            _(
                "A web address cannot contain spaces, quotes, angle brackets, backslashes or "
                "control characters"
            ),
            code="unsafe_characters",
        )
    try:
        _URL(value)
    except ValidationError as exc:
        raise ValidationError(
            _("Enter a web address starting https:// or http://, like https://example.org"),
            code="invalid",
        ) from exc


def check_web_address(value: str, *, field: str) -> None:
    """``validate_web_address`` for services: a refusal is an ``InvalidInput`` on ``field``."""
    try:
        validate_web_address(value)
    except ValidationError as exc:
        raise InvalidInput(str(exc.messages[0]), field=field) from exc
