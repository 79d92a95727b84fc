from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from core.api.authentication import register_token_check

        from . import receivers  # noqa: F401 - connects allauth's password signals
        from .tokens import check_token_terms

        register_token_check(check_token_terms, select_related=("terms",))
