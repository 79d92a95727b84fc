"""One row per email to one person about one event: the outbox of every email Pipeline sends.

A delivery is written in the same transaction as the change that causes it, with a key naming
the event and the person, so the same event never makes two. It is marked sent only after the
mail server accepted the message, while the row is locked, so a task run twice sends once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not sent")


class Delivery(models.Model):
    key = models.CharField(_("delivery key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("recipient"),
    )
    # Which registered message (mail.messages) builds the email, and the ids it is built from.
    kind = models.CharField(_("message"), max_length=40)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("error"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    # Listed in the Wagtail admin, but nothing refers to a delivery: without this every save
    # would queue a reference-index task.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.SENT, sent_at__isnull=False)
                | (~Q(status=DeliveryStatus.SENT) & Q(sent_at__isnull=True)),
                name="delivery_sent_at_iff_sent",
            ),
        ]
        indexes = [
            # What the sweep for stranded deliveries and the organisers' failure list read.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="delivery_pending_idx",
            ),
            models.Index(
                fields=["-created_at"],
                condition=Q(status=DeliveryStatus.FAILED),
                name="delivery_failed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.key

    @property
    def kind_label(self) -> str:
        from .messages import kind_label

        return kind_label(self.kind)
