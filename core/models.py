from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first answer to an API write sent with an ``Idempotency-Key`` header, so a retry of
    the same request gets it again instead of doing the work twice (``core.api.idempotency``).

    Written in the same transaction as the write it answers: a write that rolled back leaves no
    key, and a concurrent retry waits on the unique constraint until the first one is decided.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, the address and the body"
    )
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        # Named explicitly, so moving the model to another app does not rename the table.
        db_table = "api_idempotency_key"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
