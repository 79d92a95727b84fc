"""Cleaning what people type, once, where it comes in (web forms and API bodies alike).

Bidirectional control characters (the embeddings and overrides U+202A–U+202E, the isolates
U+2066–U+2069, the marks U+200E, U+200F and U+061C) reorder the text around them: a title
ending in U+202E showed reversed in listings and the browser tab. Pipeline's text is English
and Welsh, which never needs them, so they are removed from every field a person writes.
``core.security.RequestGuardMiddleware`` cleans form posts and ``core.api.parsers``
cleans JSON bodies, both with ``strip_bidi``, before any form, serializer or service sees them.
"""

import re

from django.http import QueryDict

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")

# Form fields left exactly as typed: a password is compared, never shown.
UNCLEANED_FIELDS = re.compile(r"password", re.IGNORECASE)


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return _BIDI.sub("", text) if _BIDI.search(text) else text


def has_bidi(text: str) -> bool:
    return bool(_BIDI.search(text))


def clean_form_data(data: QueryDict) -> QueryDict:
    """Posted form data with bidirectional controls removed from every value but passwords;
    ``data`` itself when there is nothing to remove."""
    fields = [(key, values) for key, values in data.lists() if not UNCLEANED_FIELDS.search(key)]
    if not any(has_bidi(value) for _, values in fields for value in values):
        return data
    cleaned = data.copy()
    for key, values in fields:
        cleaned.setlist(key, [strip_bidi(value) for value in values])
    cleaned._mutable = False
    return cleaned
