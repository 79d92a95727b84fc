"""The language a council writes its project in: read from every project in the API, set when
proposing or editing one, and described in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from projects.models import Language, Project
from tests.factories import CouncilFactory, published_project, verified_member

from .conftest import token_client
from .test_schema import schema  # noqa: F401 - the module-scoped fixture

pytestmark = pytest.mark.django_db


def test_listing_and_detail_say_which_language_each_project_is_written_in():
    published_project(slug="bins", title="Bin day finder")
    published_project(slug="biniau", title="Pryd mae'r biniau'n cael eu casglu", language="cy")
    client = APIClient()

    listed = {p["slug"]: p["language"] for p in client.get("/api/v1/projects/").json()["results"]}
    detail = client.get("/api/v1/projects/biniau/").json()

    assert listed == {"bins": "en", "biniau": "cy"}
    assert detail["language"] == "cy"


def test_proposing_in_welsh_and_changing_it_back():
    council = CouncilFactory(code="GWN")
    client = token_client(verified_member(council))

    created = client.post(
        "/api/v1/projects/",
        {
            "lead_council": "GWN",
            "title": "Trwyddedau parcio",
            "summary": "Ar-lein",
            "language": "cy",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["language"] == "cy"
    slug = created.json()["slug"]
    assert Project.objects.get(slug=slug).language == Language.WELSH

    changed = client.patch(f"/api/v1/projects/{slug}/", {"language": "en"}, format="json")

    assert changed.status_code == 200 and changed.json()["language"] == "en"
    untouched = client.patch(f"/api/v1/projects/{slug}/", {"summary": "Online"}, format="json")
    assert untouched.json()["language"] == "en"


def test_a_project_proposed_without_a_language_is_in_english():
    council = CouncilFactory(code="HCK")
    client = token_client(verified_member(council))

    created = client.post(
        "/api/v1/projects/",
        {"lead_council": "HCK", "title": "Bulky waste", "summary": "Book online"},
        format="json",
    )

    assert created.json()["language"] == "en"


def test_an_unknown_language_is_a_field_error():
    council = CouncilFactory(code="HCK")
    client = token_client(verified_member(council))

    response = client.post(
        "/api/v1/projects/",
        {"lead_council": "HCK", "title": "Bulky waste", "summary": "Book", "language": "fr"},
        format="json",
    )

    assert response.status_code == 400
    assert "language" in response.json()["errors"]
    assert not Project.objects.exists()


def test_the_schema_describes_the_language(schema):  # noqa: F811
    components = schema["components"]["schemas"]

    assert components["LanguageEnum"]["enum"] == ["en", "cy"]
    for name in ("Project", "ProjectDetail", "ProjectCreateRequest", "PatchedProjectUpdateRequest"):
        language = components[name]["properties"]["language"]
        assert "LanguageEnum" in str(language), name
    assert "language" in components["Project"]["required"]
    assert "language" not in components["ProjectCreateRequest"].get("required", [])
