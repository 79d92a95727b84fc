from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from . import (
            notifications,  # noqa: F401 - registers the emails mail.messages builds
            scopes,
        )

        scopes.register()  # which pages a pledge, update or need retires (core.pagecache)
