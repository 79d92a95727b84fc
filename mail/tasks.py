"""Tasks that send email. Each is safe to run twice: the delivery rows decide what is sent."""

from django.conf import settings
from django_tasks import task

from . import services


@task()
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries over one SMTP connection."""
    return services.deliveries_send(delivery_ids)


@task()
def requeue_stale_deliveries(scheduled_for: str = "") -> int:
    """The scheduler's sweep for deliveries whose task was lost."""
    return services.deliveries_requeue_stale()


@task()
def prune_deliveries(scheduled_for: str = "") -> int:
    return services.deliveries_prune(older_than_days=settings.MAIL_KEEP_DAYS)
