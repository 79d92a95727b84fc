"""Reads for email deliveries."""

from django.db.models import QuerySet

from .models import Delivery, DeliveryStatus


def delivery_list(*, status: str | None = None) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.select_related("user")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def failed_deliveries() -> QuerySet[Delivery]:
    """What organisers must look at: emails that will not be tried again by themselves."""
    return delivery_list(status=DeliveryStatus.FAILED).order_by("-created_at", "-pk")
