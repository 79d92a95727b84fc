"""Site search at /search/ (and /cy/search/): pages, visible projects and councils, grouped by
type, with one type at a time paginated."""

import pytest
from django.urls import reverse

from cms.models import HomePage, StandardPage
from cms.views import RESULTS_PER_PAGE
from projects.models import State
from tests.factories import CouncilFactory, ProjectFactory, published_project

pytestmark = pytest.mark.django_db


def search(client, query: str, **params) -> str:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_the_search_box_has_a_label(client):
    html = search(client, "")

    assert '<label class="govuk-label govuk-label--l" for="id_q">Search Pipeline</label>' in html
    assert 'type="search"' in html


def test_finds_a_project_by_a_word_in_its_description(client):
    published_project(
        title="Book a collection",
        description="Residents choose a slot for their mattress and fridge freezer.",
    )
    published_project(title="Unrelated project", description="Parking permits.")

    html = search(client, "mattress")

    assert "Book a collection" in html
    assert "Unrelated project" not in html
    assert "1 result for" in html


def test_finds_a_council_by_name(client):
    CouncilFactory(short_name="Ceredigion", name="Ceredigion County Council")
    CouncilFactory(short_name="Gwynedd", name="Gwynedd Council")

    html = search(client, "Ceredigion")

    assert "Ceredigion County Council" in html
    assert "Gwynedd" not in html


def test_finds_published_pages(client):
    home = HomePage.objects.get()
    page = StandardPage(
        title="Complaints",
        slug="complaints",
        summary="How to complain about Pipeline",
        body=[{"type": "rich_text", "value": "<p>The ombudsman procedure</p>"}],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    draft = StandardPage(title="Draft ombudsman notes", slug="draft", live=False)
    home.add_child(instance=draft)

    html = search(client, "ombudsman")

    assert "Complaints" in html
    assert 'href="/complaints/"' in html
    assert "Draft ombudsman notes" not in html


def test_finds_the_pages_migrate_made(client):
    html = search(client, "enforcement procedure")

    assert "Accessibility statement for Pipeline" in html
    assert 'href="/accessibility/"' in html


def test_hidden_and_draft_projects_are_never_found(client):
    published_project(title="Visible mattress project", description="mattress")
    published_project(
        title="Hidden mattress project",
        description="mattress",
        is_hidden=True,
        hidden_reason="Spam",
    )
    ProjectFactory(title="Draft mattress project", description="mattress", state=State.DRAFT)

    html = search(client, "mattress")

    assert "Visible mattress project" in html
    assert "Hidden mattress project" not in html
    assert "Draft mattress project" not in html


def test_results_are_grouped_by_type(client):
    published_project(title="Recycling project")
    CouncilFactory(short_name="Recycling Authority", name="Recycling Authority")

    html = search(client, "recycling")

    projects, councils = html.index('id="results-projects"'), html.index('id="results-councils"')
    assert projects < html.index("Recycling project") < councils
    assert councils < html.index("Recycling Authority</a>")
    assert "Projects (1)" in html and "Councils (1)" in html and "Pages (0)" in html


def test_one_type_is_paginated(client):
    for n in range(RESULTS_PER_PAGE + 3):
        CouncilFactory(short_name=f"Borough {n}", name=f"Borough {n} Council")

    all_types = search(client, "borough")
    first = search(client, "borough", type="councils")
    second = search(client, "borough", type="councils", page=2)

    assert f"See all {RESULTS_PER_PAGE + 3} councils" in all_types
    assert first.count('class="govuk-link govuk-!-font-weight-bold"') == RESULTS_PER_PAGE
    assert second.count('class="govuk-link govuk-!-font-weight-bold"') == 3
    assert 'class="govuk-pagination"' in first
    assert "q=borough&amp;type=councils&amp;page=2" in first


def test_welsh_search_is_at_cy_search(client):
    CouncilFactory(short_name="Cardiff", name_cy="Caerdydd", name="Cardiff Council")

    assert reverse("search") == "/search/"
    response = client.get("/cy/search/", {"q": "Caerdydd"})

    assert response.status_code == 200
    assert '<html lang="cy"' in response.content.decode()
    assert "Caerdydd" in response.content.decode()


def test_an_overlong_query_shows_an_error_summary(client):
    html = search(client, "x" * 300)

    assert "govuk-error-summary" in html
    assert 'href="#id_q"' in html
    assert "<title>Error:" in html
