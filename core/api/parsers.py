"""The API's JSON parser: DRF's, with checks that make bad bodies a clear 4xx, never a 500.

- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413: Django refuses to read it
  (``RequestDataTooBig``) and ``core.api.exceptions`` answers in the API's error shape.
- A body nested deeper than ``MAX_DEPTH`` is a 400. Python's JSON decoder recurses, so a 2 KB
  body of 1,000 nested brackets was a ``RecursionError`` (500); nothing Pipeline takes is more
  than two levels deep.
- A key given twice in one object is a 400 naming the key (JSON decoders silently keep the last,
  so a client could not tell which value counted).
- NUL characters and unpaired surrogates, which JSON can carry (``"\\u0000"``, ``"\\ud800"``)
  but PostgreSQL cannot store (a 500 when saved), are refused (400) wherever they are.
- Numbers with a fraction or an exponent are read as exact ``Decimal``, never ``float``:
  ``2.50`` stays 2.50 and ``1e2`` stays an exponent, for the shared day and money parsers to
  accept or refuse as the web forms do.
- Bidirectional control characters are removed from every string (``core.text``).
"""

import json
from decimal import Decimal

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from core.text import strip_bidi

MAX_DEPTH = 32


class BadBody(exceptions.ParseError):
    """A 400 about one key of the body: the error's ``errors`` name it."""

    def __init__(self, detail: str, *, field: str | None = None):
        super().__init__(detail)
        self.field = field


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    data: dict = {}
    for key, value in pairs:
        if key in data:
            raise BadBody(
                f"The key '{key}' appears more than once in one object; send it once.",
                field=key,
            )
        data[key] = value
    return data


def _clean(value, depth: int = 0):
    """``value`` with bidirectional controls removed from every string; refuses what cannot be
    stored and more than ``MAX_DEPTH`` objects and arrays inside one another."""
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        raise BadBody(f"The JSON is nested more than {MAX_DEPTH} levels deep.")
    if isinstance(value, str):
        if "\x00" in value:
            raise BadBody("Text may not contain NUL characters (\\u0000).")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadBody("Text may not contain unpaired surrogates (such as \\ud800).") from exc
        return strip_bidi(value)
    if isinstance(value, dict):
        return {_clean(k, depth + 1): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    return value


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(f"The body is not {encoding} text.") from exc
        try:
            data = json.loads(
                text,
                object_pairs_hook=_no_duplicate_keys,
                parse_float=Decimal,
                parse_constant=_refuse_constant,
            )
        except RecursionError as exc:
            raise BadBody(f"The JSON is nested more than {MAX_DEPTH} levels deep.") from exc
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        return _clean(data)


def _refuse_constant(name: str):
    raise exceptions.ParseError(f"JSON parse error - {name} is not a number JSON allows.")
