"""drf-spectacular hooks for Pipeline's OpenAPI schema."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.api import idempotency
from core.api.serializers import ErrorSerializer, StrictInputSerializer

PUBLIC_API_PREFIX = "/api/"


def public_api_only(endpoints: list[tuple]) -> list[tuple]:
    """Keep Pipeline's own API (``/api/…``) and leave out everything else DRF can see.

    Without this the schema also describes Wagtail's admin API under ``/cms-admin/api/``,
    which drf-spectacular cannot introspect: it warns about it in ``check --deploy``, and
    those private endpoints have no place in Pipeline's published API description.
    """
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PUBLIC_API_PREFIX)]


class PipelineAutoSchema(AutoSchema):
    """drf-spectacular's schema, saying what the server does: input objects that refuse unknown
    fields (``StrictInputSerializer``) have ``additionalProperties: false``, writes that take an
    ``Idempotency-Key`` (``core.api.idempotency``) list the header, and every operation that
    reads a body may answer 413 (``core.api.exceptions.RequestTooLarge``)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation and "requestBody" in operation:
            error = self.resolve_serializer(ErrorSerializer, "response")
            operation["responses"].setdefault(
                "413",
                {
                    "content": {"application/json": {"schema": error.ref}},
                    "description": "The body is larger than the server reads "
                    "(`DJANGO_MAX_BODY_BYTES`, 1 MiB by default)",
                },
            )
        return operation

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method in idempotency.WRITE_METHODS and getattr(self.view, "idempotent", False):
            parameters = [
                *parameters,
                OpenApiParameter(
                    idempotency.HEADER,
                    OpenApiTypes.STR,
                    location=OpenApiParameter.HEADER,
                    required=False,
                    description=idempotency.DESCRIPTION,
                ),
            ]
        return parameters

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), StrictInputSerializer):
            schema["additionalProperties"] = False
        return schema
