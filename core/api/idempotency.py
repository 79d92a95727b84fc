"""``Idempotency-Key`` on API writes: a retry gets the first answer; the work is done once.

A client that sends a write (POST, PUT, PATCH, DELETE) with ``Idempotency-Key: <key>`` and
loses the answer (a dropped connection, a timeout) can send the same request with the same key
again. Within ``KEEP`` of the first, from the same person:

- the same method, address and body get the first answer again (status and body, with
  ``Idempotent-Replayed: true``) and nothing is done again;
- anything else is a 422 in the API's error shape, and nothing is done.

The key's row (``core.models.IdempotencyKey``, unique per person and key) is inserted
before the work and filled in with the answer after it, all in the write's own transaction. A
second request with the key while the first is running waits on the unique index (PostgreSQL)
until the first commits, then replays its answer; if the first failed (any 4xx or 5xx), its row
rolled back with it, so a retry does the work, as the failed request did none. Only the database
is involved, so it holds when Redis is down. Rows older than ``KEEP`` are ignored and removed by
``manage.py prune_idempotency_keys``.
"""

import hashlib
import json
import re
from datetime import timedelta
from typing import NoReturn

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions, status

from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEEP = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII, as a UUID or any other token is; quotes around it (an RFC 8941 string, as the
# IETF draft writes it) are allowed and not part of the key.
_KEY = re.compile(r"[\x21-\x7e]{1,255}")

DESCRIPTION = (
    "Optional. A key you choose (up to 255 visible ASCII characters, such as a UUID) that makes "
    "this write safe to retry: within 24 hours, the same request sent again with the same key "
    "gets the first answer again (with `Idempotent-Replayed: true`) instead of being done twice; "
    "the same key with a different request is a 422. A request that failed (4xx or 5xx) did "
    "nothing, so its key can be used again."
)


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was used in the last 24 hours for a different request (another "
        "address, method or body). Use a new key for a new request."
    )
    field = HEADER


class BadKey(exceptions.ParseError):
    default_code = "invalid"
    default_detail = "The Idempotency-Key must be 1 to 255 visible ASCII characters, like a UUID."
    field = HEADER


class Replay(Exception):
    """Raised where the view would start the work: answer with ``response`` instead."""

    def __init__(self, response: HttpResponse):
        super().__init__("replay")
        self.response = response


def wanted(request) -> bool:
    """Whether this (Django) request asks for idempotency."""
    return request.method in WRITE_METHODS and HEADER.lower() in request.headers


def _key(request) -> str:
    raw = request.headers.get(HEADER, "").strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    if not _KEY.fullmatch(raw):
        raise BadKey()
    return raw


def _fingerprint(request) -> str:
    """The request's method, address (with its query) and body, as parsed: the same JSON sent
    with other spacing or key order is the same request."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    text = f"{request.method}\n{request.get_full_path()}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replay_or_refuse(record: IdempotencyKey, fingerprint: str) -> NoReturn:
    if record.fingerprint != fingerprint:
        raise KeyReused()
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response[REPLAYED_HEADER] = "true"
    raise Replay(response)


def begin(request) -> IdempotencyKey | None:
    """Claim the key for this request, inside the write's transaction, before the work; raises
    ``Replay`` or ``KeyReused`` when the key was used. None for a signed-out request."""
    user = request.user
    if not user.is_authenticated:
        return None
    key, fingerprint = _key(request), _fingerprint(request)
    mine = IdempotencyKey.objects.filter(user=user, key=key)
    mine.filter(created_at__lt=timezone.now() - KEEP).delete()
    earlier = mine.first()
    if earlier is None:
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, status_code=0, body=b""
                )
        except IntegrityError:
            # The same key in a request that was running when we looked: it has committed now.
            earlier = mine.get()
    _replay_or_refuse(earlier, fingerprint)


def finish(record: IdempotencyKey | None, response) -> None:
    """Keep a successful answer with its key; after a failure, roll the key back with the rest
    (the failed request did nothing, so the key is free again)."""
    if record is None:
        return
    if response.status_code >= 400:
        transaction.set_rollback(True)
        return
    if hasattr(response, "render"):
        response.render()
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "application/json")
    record.body = response.content
    record.save(update_fields=["status_code", "content_type", "body"])


def prune(*, now=None) -> int:
    """Remove keys past ``KEEP``; how many were removed."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
