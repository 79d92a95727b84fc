from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self) -> None:
        from delivery.signals import milestone_reached
        from projects.signals import phase_entered

        from .notifications import (
            applications,  # noqa: F401 - registers its emails
            combining,  # noqa: F401 - registers the combining emails
            partners,  # noqa: F401 - registers the emails mail builds
        )
        from .services import (
            assessment,  # noqa: F401 - registers the decision email
            awards,
            funders,  # noqa: F401 - registers the funder membership emails
        )

        # Awards follow the project: tranches tied to a milestone or a phase are released in
        # the transaction that reaches it (README, "Awards in the ledger").
        milestone_reached.connect(awards.on_milestone_reached, dispatch_uid="funding-awards")
        phase_entered.connect(awards.on_phase_entered, dispatch_uid="funding-awards")
