from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`, built through the services; no app imports it."""

    name = "demo"
    verbose_name = "Demo data"
