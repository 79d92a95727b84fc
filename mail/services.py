"""Writes for email deliveries: record them (the outbox), send them, retry them.

The rules, in the order a message meets them:
- ``delivery_add`` / ``deliveries_add`` write the delivery and its task in the caller's
  transaction, so a rolled-back change sends nothing and a committed one cannot be lost.
- ``deliveries_send`` (on a worker) locks each pending row, over one SMTP connection for the
  whole batch. It hands the server the whole message except its final dot (without which a
  server keeps nothing), commits the row as sent, and only then sends the dot. A worker killed
  before the commit leaves the row pending and the server with nothing; killed after it, the
  row says sent and the server gets the message. A second task for the same row finds it locked
  or sent and moves on.
- A refusal of the final dot records the message unsent again. A temporary failure (no
  connection, a timeout, a 4xx reply) is retried with exponential backoff up to
  ``MAIL_MAX_ATTEMPTS``; then, or at once for a permanent one (5xx, a template error), the
  delivery is failed and organisers see it in the admin, where ``delivery_retry`` sends it again.

What is left: a worker killed in the microseconds between the commit's answer and writing the
dot loses that message (the row says sent); a server that takes the dot and vanishes before it
answers gets the message again on the retry, with the same Message-ID, which mail clients use to
show one.
"""

import hashlib
import logging
import random
import re
import smtplib
import time
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, NotAllowed

from .messages import Gone, MessageKind, message_kind
from .models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)
User = get_user_model()

ERROR_LENGTH = 2000
# Tries, with backoff from 0.5 s, when the database goes away in the middle of a batch.
DATABASE_TRIES = 6


# --- recording (inside the caller's transaction) -------------------------------------------


def delivery_add(*, key: str, user_id: int, kind: str, params: dict | None = None) -> bool:
    """Record one email to one person and queue it, in the current transaction. False when
    this key (this event, this person) was recorded before: nothing new is queued."""
    delivery, created = Delivery.objects.get_or_create(
        key=key, defaults={"user_id": user_id, "kind": kind, "params": params or {}}
    )
    if created:
        deliveries_enqueue([delivery.pk])
    return created


def deliveries_add(rows: Iterable[dict]) -> list[Delivery]:
    """Record many (``key``, ``user_id``, ``kind``, ``params``) at once; the caller queues
    them with ``deliveries_enqueue`` once everything they are built from is written. Keys
    recorded before are skipped; callers that may run twice hold a lock on the event, so the
    two never race."""
    rows = list(rows)
    known = set(
        Delivery.objects.filter(key__in=[row["key"] for row in rows]).values_list("key", flat=True)
    )
    now = timezone.now()
    created = Delivery.objects.bulk_create(
        [
            Delivery(
                key=row["key"],
                user_id=row["user_id"],
                kind=row["kind"],
                params=row.get("params") or {},
                created_at=now,
                next_attempt_at=now,
            )
            for row in rows
            if row["key"] not in known
        ]
    )
    return created


def deliveries_enqueue(ids: list[int], *, batch_size: int = 1, run_after=None) -> None:
    from .tasks import send_deliveries

    task = send_deliveries
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the immediate backend (tests): the stale sweep picks them up later
        task = task.using(run_after=run_after)
    for start in range(0, len(ids), batch_size):
        task.enqueue(ids[start : start + batch_size])


# --- sending (on a worker) -------------------------------------------------------------------


class _ConnectionDown(Exception):
    """The mail server cannot be reached: every message left in the batch waits."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


class _Connection:
    """One SMTP connection for a whole batch, opened when the first message is ready.

    A message goes in two steps around the commit that records it sent: ``begin`` hands the
    server everything but the final dot (a server keeps nothing without it), ``finish`` sends
    the dot. Other backends (the console, the tests' outbox) have no such moment and send
    whole in ``finish``."""

    def __init__(self):
        self.backend = None
        self.holding: Delivery | None = None  # begun, its final dot not yet sent
        self._message: EmailMessage | None = None

    def _smtp(self) -> smtplib.SMTP | None:
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            backend.open()
            self.backend = backend
        if isinstance(self.backend, SMTPBackend):
            return self.backend.connection
        return None

    def begin(self, message: EmailMessage, delivery: Delivery) -> None:
        smtp = self._smtp()
        if smtp is not None:
            encoding = message.encoding or settings.DEFAULT_CHARSET
            sender = sanitize_address(message.from_email, encoding)
            recipients = [sanitize_address(to, encoding) for to in message.recipients()]
            body = message.message().as_bytes(linesep="\r\n")
            _smtp_begin(smtp, sender, recipients, body)
        self._message, self.holding = message, delivery

    def finish(self) -> None:
        message, self._message, self.holding = self._message, None, None
        smtp = self._smtp()
        if smtp is None:
            message.connection = self.backend
            self.backend.send_messages([message])
            return
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            if code == 421:
                self.close()
            raise smtplib.SMTPDataError(code, reply)

    def abandon(self) -> None:
        """Leave the begun message unfinished: closing without its dot, the server drops it."""
        self._message, self.holding = None, None
        if isinstance(self.backend, SMTPBackend):
            self.close()

    def close(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # noqa: BLE001 - the messages are already recorded
                logger.warning("Closing the SMTP connection failed", exc_info=True)


def _end_transaction(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal: a server closing down (421) has gone; any other is reset for the next
    message on the same connection."""
    if code == 421:
        smtp.close()
    else:
        smtp.rset()


def _smtp_begin(smtp: smtplib.SMTP, sender: str, recipients: list[str], body: bytes) -> None:
    """``smtplib.SMTP.sendmail`` up to, not including, the final dot: the same refusals."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(body)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(sender, options)
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
            if code == 421:
                smtp.close()
                raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("data")
    if code != 354:
        _end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    body = re.sub(rb"(?m)^\.", b"..", body)  # a line starting with a dot is doubled (RFC 5321)
    smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")


def _classify(exc: BaseException) -> str:
    """'connection' (the server is unreachable or closing), 'temporary' (4xx for this message)
    or 'permanent'. SMTP exceptions are OSErrors too, so replies are looked at first."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return "temporary" if codes and all(400 <= code < 500 for code in codes) else "permanent"
    if isinstance(exc, smtplib.SMTPResponseException):
        if exc.smtp_code == 421 or isinstance(exc, smtplib.SMTPConnectError):
            return "connection"
        return "temporary" if 400 <= exc.smtp_code < 500 else "permanent"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connection"
    if isinstance(exc, smtplib.SMTPException):
        return "permanent"
    if isinstance(exc, OSError):  # refused, reset, timed out, no such host
        return "connection"
    return "permanent"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the nth failed attempt, capped, with a little jitter so a
    recovered server is not met by every message at the same instant."""
    base = settings.MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(base, settings.MAIL_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(1.0, 1.1))  # noqa: S311 - not security


def _message_id(delivery: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "pipeline.invalid"
    digest = hashlib.sha256(delivery.key.encode()).hexdigest()[:16]
    return f"<delivery.{delivery.pk}.{digest}@{domain}>"


def _fail(delivery: Delivery, error: str, *, status: str = DeliveryStatus.FAILED) -> None:
    delivery.status = status
    delivery.last_error = error[:ERROR_LENGTH]
    delivery.save(update_fields=["status", "attempts", "last_error", "subject"])


def _failed_attempt(delivery: Delivery, exc: BaseException) -> bool:
    """Count a failed attempt; True while the delivery will be tried again."""
    delivery.attempts += 1
    if delivery.attempts >= settings.MAIL_MAX_ATTEMPTS:
        _fail(delivery, _describe(exc))
        return False
    delivery.last_error = _describe(exc)
    delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_error", "next_attempt_at", "subject"])
    return True


def _refused(delivery: Delivery, exc: BaseException) -> str:
    """The server turned this message down: tried again with backoff while the refusal is
    temporary, failed for organisers when it is permanent or has been tried too often."""
    logger.warning("Email %s refused: %s", delivery.key, _describe(exc))
    if _classify(exc) == "permanent":
        delivery.attempts += 1
        _fail(delivery, _describe(exc))
        return "failed"
    if _failed_attempt(delivery, exc):
        deliveries_enqueue([delivery.pk], run_after=delivery.next_attempt_at)
        return "retrying"
    return "failed"


def _prepare(pk: int, connection: _Connection) -> str:
    """Lock and build one delivery, record it sent and begin it on the server, in one
    transaction. ``"begun"`` when the commit is all that stands between it and its final dot."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=pk, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"  # sent, failed, gone, or another worker has it right now
        try:
            kind = message_kind(delivery.kind)
            subject, body = kind.build(delivery)
        except (Gone, ObjectDoesNotExist) as exc:
            _fail(
                delivery,
                str(exc) or _("What this email was about no longer exists."),
                status=DeliveryStatus.CANCELLED,
            )
            return "cancelled"
        except DatabaseError:
            raise  # the database, not the message: deliveries_send tries it again
        except Exception as exc:  # noqa: BLE001 - a template error fails this message only
            logger.exception("Email %s could not be built", delivery.key)
            delivery.attempts += 1
            _fail(delivery, _describe(exc))
            return "failed"
        delivery.subject = subject[:300]
        message = EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [delivery.user.email],
            headers={"Message-ID": _message_id(delivery)},
        )
        try:
            with transaction.atomic():
                _mark_sent(delivery, kind)
                connection.begin(message, delivery)
        except DatabaseError:
            raise  # deliveries_send finds out whether the commit landed
        except Exception as exc:  # noqa: BLE001 - sorted below; nothing is lost either way
            delivery.status, delivery.sent_at = DeliveryStatus.PENDING, None
            delivery.attempts -= 1  # the savepoint is undone; so is what it counted
            if _classify(exc) == "connection":
                raise _ConnectionDown(exc) from exc  # rolls back: the batch waits together
            return _refused(delivery, exc)
        return "begun"


def _finish(connection: _Connection) -> str:
    """The final dot of a message already recorded sent. Refused, or cut off before the
    server's answer, it is recorded unsent again and retried or failed like any refusal."""
    delivery = connection.holding
    try:
        connection.finish()
    except Exception as exc:  # noqa: BLE001 - every way of not being accepted is sorted below
        return _unsend(delivery, exc)
    return "sent"


def _unsend(delivery: Delivery, exc: BaseException) -> str:
    for attempt in range(DATABASE_TRIES):
        try:
            with transaction.atomic():
                row = (
                    Delivery.objects.select_for_update()
                    .filter(pk=delivery.pk, status=DeliveryStatus.SENT, sent_at=delivery.sent_at)
                    .first()
                )
                if row is None:
                    return "skipped"  # an organiser or a later send has changed it since
                row.status, row.sent_at = DeliveryStatus.PENDING, None
                row.save(update_fields=["status", "sent_at"])
                kind = message_kind(row.kind)
                if kind.sent is not None:
                    kind.sent(row)  # with no sent_at: what it told is untold again
                row.attempts -= 1  # _refused counts this attempt again
                return _refused(row, exc)
        except DatabaseError as error:
            _again_after_database_error(attempt, error)
    raise AssertionError("unreachable: the last try re-raises")


def _mark_sent(delivery: Delivery, kind: MessageKind) -> None:
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = timezone.now()
    delivery.attempts += 1
    delivery.last_error = ""
    delivery.save(update_fields=["status", "sent_at", "attempts", "last_error", "subject"])
    if kind.sent is not None:
        kind.sent(delivery)


@transaction.atomic
def _postpone(ids: list[int], exc: BaseException) -> int:
    """The server could not be reached: count an attempt for each message still waiting and
    queue them together again after the backoff. Returns how many will be retried."""
    waiting = list(
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(pk__in=ids, status=DeliveryStatus.PENDING)
        .order_by("pk")
    )
    retry = [d for d in waiting if _failed_attempt(d, exc)]
    if retry:
        deliveries_enqueue(
            [d.pk for d in retry],
            batch_size=len(retry),
            run_after=min(d.next_attempt_at for d in retry),
        )
    return len(retry)


def _recorded_sent(delivery: Delivery, error: DatabaseError) -> bool:
    """Whether the commit that failed with ``error`` landed after all, asked on a new
    connection; only then may the message it recorded be finished."""
    for attempt in range(DATABASE_TRIES):
        _again_after_database_error(attempt, error)
        try:
            return Delivery.objects.filter(
                pk=delivery.pk, status=DeliveryStatus.SENT, sent_at=delivery.sent_at
            ).exists()
        except DatabaseError as again:
            error = again
    raise error


def _again_after_database_error(attempt: int, error: DatabaseError) -> None:
    if attempt + 1 >= DATABASE_TRIES:
        raise error
    logger.warning("Database lost while sending email (%s); trying again", error)
    db_connection.close()  # a broken connection goes back to the pool, which drops it
    time.sleep(min(0.5 * 2**attempt, 5.0))


def deliveries_send(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries over one SMTP connection; how many were sent, skipped, retrying,
    failed or cancelled.

    A database that goes away mid-batch is waited for (``DATABASE_TRIES``). A message whose
    commit did not land is dropped by the server (it never had its final dot) and tried again;
    one whose commit landed is finished."""
    outcome: Counter[str] = Counter()
    connection = _Connection()
    try:
        for index, pk in enumerate(delivery_ids):
            for attempt in range(DATABASE_TRIES):
                try:
                    result = _prepare(pk, connection)
                    # Committed. The server has all of it but the final dot, so a worker
                    # killed from here on neither loses it nor sends it twice.
                    outcome[_finish(connection) if result == "begun" else result] += 1
                    break
                except _ConnectionDown as down:
                    logger.warning("Mail server unreachable, %s", _describe(down.error))
                    outcome["retrying"] += _postpone(delivery_ids[index:], down.error)
                    return dict(outcome)
                except DatabaseError as error:
                    held = connection.holding
                    if held is None:
                        _again_after_database_error(attempt, error)
                    elif _recorded_sent(held, error):
                        outcome[_finish(connection)] += 1  # only the commit's answer was lost
                        break
                    else:
                        connection.abandon()
                        if attempt + 1 >= DATABASE_TRIES:
                            raise
    finally:
        connection.close()
    return dict(outcome)


# --- housekeeping and the organisers' Retry ---------------------------------------------------


@transaction.atomic
def deliveries_requeue_stale() -> int:
    """Queue again deliveries still waiting long after they were due: their task was lost (a
    database error on a worker, a task pruned). A duplicate task is harmless: the row lock and
    its status decide who sends."""
    cutoff = timezone.now() - timedelta(minutes=settings.MAIL_STALE_MINUTES)
    ids = list(
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:10_000]
    )
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    deliveries_enqueue(ids, batch_size=settings.MAIL_BATCH_SIZE)
    return len(ids)


def deliveries_supersede(ids: list[int], *, reason: str) -> int:
    """Failed deliveries whose news went out another way (a later digest): no longer failed,
    so nobody retries them into a second copy. The caller holds the rows locked."""
    return Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.CANCELLED, last_error=reason[:ERROR_LENGTH]
    )


@transaction.atomic
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """An organiser sends a failed email again (after fixing what made it fail)."""
    if not (actor is not None and actor.is_authenticated and actor.is_organiser):
        raise NotAllowed(_("Only an organiser may do this."))
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict(
            _("Only a failed email can be sent again; this one is %(status)s.")
            % {"status": delivery.get_status_display().lower()}
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    deliveries_enqueue([delivery.pk])
    return delivery


def deliveries_prune(*, older_than_days: int) -> int:
    """Forget sent and cancelled deliveries after a while (failed ones stay until retried)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _counts = Delivery.objects.filter(
        status__in=(DeliveryStatus.SENT, DeliveryStatus.CANCELLED), created_at__lt=cutoff
    ).delete()
    return deleted
