from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self) -> None:
        from .services import assessment  # noqa: F401 - registers the decision email
