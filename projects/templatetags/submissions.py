"""``{% submission_key %}``: the one-time key a writing form carries (see
``projects.services.submissions``)."""

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

FIELD = "submission_key"


@register.simple_tag
def submission_key() -> SafeString:
    """A hidden input with a fresh key: each form rendered is one submission."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())
