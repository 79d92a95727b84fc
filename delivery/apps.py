from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        from . import notifications, scopes  # noqa: F401 - registers the nudge email

        scopes.register()  # a milestone or report retires only its project's pages
