"""drf-spectacular hooks for Pipeline's OpenAPI schema."""

PUBLIC_API_PREFIX = "/api/"


def public_api_only(endpoints: list[tuple]) -> list[tuple]:
    """Keep Pipeline's own API (``/api/…``) and leave out everything else DRF can see.

    Without this the schema also describes Wagtail's admin API under ``/cms-admin/api/``,
    which drf-spectacular cannot introspect: it warns about it in ``check --deploy``, and
    those private endpoints have no place in Pipeline's published API description.
    """
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PUBLIC_API_PREFIX)]
