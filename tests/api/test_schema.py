"""The OpenAPI description: generated without warnings, valid OpenAPI, served publicly, and
describing every route and method the API serves (and nothing else)."""

import json
import re

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from .test_permission_matrix import served_routes

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    path = tmp_path_factory.mktemp("openapi") / "schema.json"
    with django_db_blocker.unblock():
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            str(path),
        )
    return json.loads(path.read_text())


def test_schema_generates_without_warnings_and_is_valid_openapi(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Pipeline API"


def _openapi_path(route: str) -> str:
    """``^projects/(?P<slug>[-a-zA-Z0-9_]+)/$`` → ``/api/v1/projects/{slug}/``."""
    path = route.replace("^", "").replace("$", "").replace("\\.", ".")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    return "/api/v1/" + path


def test_schema_describes_every_route_and_method_served(schema):
    documented = {
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    served = {
        (_openapi_path(route).replace("{pk}", "{id}"), method)
        for (name, method), route in served_routes().items()
        if method not in ("HEAD", "OPTIONS") and name not in ("schema", "docs")
    }
    assert served - documented == set(), "served but not in the OpenAPI schema"
    assert documented - served == set(), "in the OpenAPI schema but not served"


def test_every_operation_documents_the_error_shape(schema):
    """Writes list 400/401/403/404/409/429 with the one error body; reads at least 404."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path == "/api/v1/auth/token/":
                assert {"400", "403", "429"} <= set(responses)
                continue
            if method in ("post", "patch", "delete"):
                assert {"400", "401", "403", "404", "409"} <= set(responses), (path, method)
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", (path, method, code)


def test_bearer_tokens_are_described(schema):
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {
        "type": "http",
        "scheme": "bearer",
        "description": scheme["description"],
    }


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/"])
def test_schema_and_docs_are_public(url):
    response = APIClient().get(url)
    assert response.status_code == 200


def test_served_schema_is_the_generated_one(schema):
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    served = json.loads(response.content)
    validate(served)
    assert served["paths"].keys() == schema["paths"].keys()


def test_docs_page_loads_the_schema_from_this_site():
    """No inline script (CSP): the page loads its script, which fetches our schema."""
    page = APIClient().get("/api/v1/docs/")
    assert page["Content-Type"].startswith("text/html")
    assert b'<script src="/api/v1/docs/?script="></script>' in page.content
    script = APIClient().get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/v1/schema/" in script.content
