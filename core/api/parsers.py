"""The API's JSON parser: DRF's, with limits and checks that make bad bodies a clear 4xx.

- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused (413) before it is read whole
  (DRF reads the request stream itself, so Django's own limit never sees JSON bodies).
- NUL characters and unpaired surrogates, which JSON can carry (``"\\u0000"``, ``"\\ud800"``)
  but PostgreSQL cannot store (a 500 when saved), are refused (400) wherever they are: in any
  string or key, however deeply nested.
"""

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def _bad_text(value) -> str | None:
    """The first string in ``value`` that cannot be stored, described; None when all is well."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "Text may not contain NUL characters (\\u0000)."
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "Text may not contain unpaired surrogates (such as \\ud800)."
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


class _LimitedStream:
    def __init__(self, stream, limit: int):
        self.stream, self.remaining = stream, limit + 1

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            raise RequestTooLarge()
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        data = self.stream.read(size)
        self.remaining -= len(data)
        if self.remaining <= 0:
            raise RequestTooLarge()
        return data


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        if limit is not None and request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise RequestTooLarge(
                    f"The request body is {length:,} bytes; the most this API takes is "
                    f"{limit:,} bytes."
                )
        if limit is not None and stream is not None:
            stream = _LimitedStream(stream, limit)
        data = super().parse(stream, media_type, parser_context)
        problem = _bad_text(data)
        if problem:
            raise exceptions.ParseError(problem)
        return data
