from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"

    def ready(self) -> None:
        # Connects the security log's signal receivers (failed sign-ins).
        from . import pagecache, security  # noqa: F401

        pagecache.connect_signals()
