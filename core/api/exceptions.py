"""One JSON shape for every API error.

    {"status": 409, "code": "conflict", "message": "…", "errors": {"field": ["…"]}}

``errors`` names the input each message is about (``non_field_errors`` when none).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ServiceError
from core.security import note_refusal, security_event

NON_FIELD = "non_field_errors"


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            if not isinstance(value, dict)
            else [str(v) for vs in _flatten(value).values() for v in vs]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {NON_FIELD: [str(m) for m in detail]}
    return {}


def error_body(status_code: int, code: str, message: str, errors: dict | None = None) -> dict:
    return {"status": status_code, "code": code, "message": message, "errors": errors or {}}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is too large: the most this API reads is {limit:,} bytes."


def api_exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        note_refusal(exc, request=context.get("request"))
        errors = {exc.field or NON_FIELD: [exc.message]}
        return Response(
            error_body(exc.status_code, exc.code, exc.message, errors), status=exc.status_code
        )
    if isinstance(exc, RequestDataTooBig):  # Django refused to read the body
        exc = RequestTooLarge(too_large_message())
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.PermissionDenied):  # e.g. a session write without CSRF token
        security_event(
            "action_refused",
            level=logging.WARNING,
            request=context.get("request"),
            code="permission_denied",
            reason=str(exc.detail),
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.values()), ["Invalid input."])[0]
        message = first if list(errors) == [NON_FIELD] else "Some of the values sent are not valid."
        response.data = error_body(status.HTTP_400_BAD_REQUEST, "invalid", message, errors)
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    message = str(exc.detail) if hasattr(exc, "detail") else str(exc)
    field = getattr(exc, "field", None)  # e.g. a key sent twice (core.api.parsers)
    body = error_body(response.status_code, code, message, {field: [message]} if field else None)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    response.data = body
    return response
