"""Errors that services raise. Every way in (form, API, command) turns them into a clear message.

``field`` names the input the message is about, so a form can put the error beside it and the
API can return it under that key.
"""


class ServiceError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message


class InvalidInput(ServiceError):
    """The request is understood but the values break a rule (400)."""


class NotAllowed(ServiceError):
    """The person may not do this to this object (403)."""

    status_code = 403
    default_code = "permission_denied"


class Conflict(ServiceError):
    """The object is not in a state that allows this (409), e.g. accepting a withdrawn pledge."""

    status_code = 409
    default_code = "conflict"
