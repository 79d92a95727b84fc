from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site content"

    def ready(self) -> None:
        from wagtail.models import Locale, Page
        from wagtail.signals import page_unpublished, post_page_move

        from .context_processors import forget_site_sections
        from .selectors import clear_locale_codes

        post_save.connect(clear_locale_codes, sender=Locale, dispatch_uid="cms-locale-saved")
        post_delete.connect(clear_locale_codes, sender=Locale, dispatch_uid="cms-locale-deleted")

        def page_changed(sender, **kwargs) -> None:
            if issubclass(sender, Page):
                forget_site_sections()

        for signal in (post_save, post_delete, page_unpublished, post_page_move):
            signal.connect(page_changed, dispatch_uid=f"cms-sections-{id(signal)}", weak=False)
