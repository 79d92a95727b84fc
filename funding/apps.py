from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self) -> None:
        from .notifications import (
            applications,  # noqa: F401 - registers its emails
            combining,  # noqa: F401 - registers the combining emails
            partners,  # noqa: F401 - registers the emails mail builds
        )
        from .services import (
            assessment,  # noqa: F401 - registers the decision email
            funders,  # noqa: F401 - registers the funder membership emails
        )
