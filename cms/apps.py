from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site content"

    def ready(self) -> None:
        from wagtail.models import Locale

        from .selectors import clear_locale_codes

        post_save.connect(clear_locale_codes, sender=Locale, dispatch_uid="cms-locale-saved")
        post_delete.connect(clear_locale_codes, sender=Locale, dispatch_uid="cms-locale-deleted")
