from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CoreConfig(AppConfig):
    """The ground floor every app stands on; it imports none of them."""

    name = "core"
    verbose_name = "Pipeline core"

    def ready(self) -> None:
        from wagtail.models import Locale

        # Connects the security log's signal receivers (failed sign-ins).
        from . import pagecache, security  # noqa: F401
        from .locales import clear_locale_codes

        pagecache.connect_signals()
        post_save.connect(clear_locale_codes, sender=Locale, dispatch_uid="core-locale-saved")
        post_delete.connect(clear_locale_codes, sender=Locale, dispatch_uid="core-locale-deleted")
