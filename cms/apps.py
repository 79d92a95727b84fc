from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_migrate, post_save


def _site_pages_after_migrate(
    sender, *, using: str, plan=None, verbosity: int = 1, stdout=None, **kwargs
) -> None:
    """Every site has the pages its footer links to from its first ``migrate`` (and an upgrade
    brings the untouched ones up to date). Not when migrating backwards, where the tables may
    not match the models."""
    if using != DEFAULT_DB_ALIAS or any(backwards for _, backwards in plan or ()):
        return
    from .services import site_pages_ensure

    for page in site_pages_ensure():
        if verbosity and stdout is not None:
            stdout.write(f"  Site page written: /{page.slug}/ ({page.title})\n")


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site content"

    def ready(self) -> None:
        post_migrate.connect(_site_pages_after_migrate, sender=self, dispatch_uid="cms-site-pages")

        from wagtail.models import Page
        from wagtail.signals import page_unpublished, post_page_move

        from .context_processors import forget_site_sections

        def page_changed(sender, **kwargs) -> None:
            if issubclass(sender, Page):
                forget_site_sections()

        for signal in (post_save, post_delete, page_unpublished, post_page_move):
            signal.connect(page_changed, dispatch_uid=f"cms-sections-{id(signal)}", weak=False)
