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


def _request_schema(schema: dict, operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][ref]


def test_every_request_body_refuses_unknown_fields_as_the_server_does(schema):
    """The server refuses fields it does not know (StrictInputSerializer); the schema says so."""
    bodies = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = _request_schema(schema, operation)
            if body is None:
                continue
            bodies += 1
            assert body.get("additionalProperties") is False, (path, method)
    assert bodies >= 15


def test_every_operation_that_reads_a_body_documents_the_413_it_may_answer(schema):
    """A body over ``DJANGO_MAX_BODY_BYTES`` is refused with a 413 in the error shape, whatever
    the operation (``test_errors``); the fuzzing found one that did not say so."""
    bodies = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            bodies += 1
            too_large = operation["responses"].get("413")
            assert too_large, (path, method)
            content = too_large["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, method)
    assert bodies >= 15


def test_council_filters_list_the_values_they_accept(schema):
    from councils.models import Nation
    from councils.vocabulary import AUTHORITY_TYPES, REGIONS

    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/councils/"]["get"]["parameters"]
    }
    assert set(parameters["nation"]["enum"]) == set(Nation.values)
    assert set(parameters["region"]["enum"]) == set(REGIONS)
    assert set(parameters["type"]["enum"]) == set(AUTHORITY_TYPES)
    assert set(parameters["status"]["enum"]) == {"current", "ended", "all"}


@pytest.mark.parametrize(("name", "values"), [("region", "REGIONS"), ("type", "AUTHORITY_TYPES")])
def test_council_filters_accept_each_listed_value_and_refuse_others(name, values):
    from councils import vocabulary
    from tests.factories import CouncilFactory

    CouncilFactory(region="Wales", authority_type_name="Welsh unitary authority")
    for value in getattr(vocabulary, values):
        assert APIClient().get("/api/v1/councils/", {name: value}).status_code == 200, value
    response = APIClient().get("/api/v1/councils/", {name: "Atlantis"})
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_days_are_described_as_decimal_text(schema):
    days = schema["components"]["schemas"]["NeedInputRequest"]["properties"]["days"]
    assert days["type"] == "string"
    assert re.fullmatch(days["pattern"], "0.50") and re.fullmatch(days["pattern"], "12")
    assert not re.fullmatch(days["pattern"], "1e2")
    assert not re.fullmatch(days["pattern"], "2.25")


def test_operation_descriptions_are_for_the_apis_readers(schema):
    """The shared view base's notes for developers leaked into every operation's description."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            description = operation.get("description", "")
            assert "idempotent = False" not in description, (path, method)
            assert "DRF checked" not in description, (path, method)
