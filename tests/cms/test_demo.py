"""The demo content ``load_demo`` makes: standard pages with real content, a collection, news and
an arranged home page; loading again adds nothing and never overwrites a person's edits."""

import io

import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision

from accounts.models import User
from cms.demo import WASTE_PROJECTS
from cms.models import CollectionPage, HomePage, NewsPage, StandardPage
from projects.models import Project

pytestmark = pytest.mark.django_db


def load_demo() -> None:
    call_command("load_demo", force=True, stdout=io.StringIO())


@pytest.fixture
def demo():
    load_demo()


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_standard_pages_have_real_content(client, demo):
    for url, words in {
        "/about/": ["How it works", "LocalGov Digital"],
        "/privacy/": ["Your rights", "Cookies"],
        "/terms/": ["Acting for your council", "Open Government Licence"],
    }.items():
        html = text(client, url)
        assert all(word in html for word in words), url


def test_the_accessibility_statement_follows_the_model_statement(client, demo):
    html = text(client, "/accessibility/")

    for heading in [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Compliance status",
        "Non-accessible content",
        "Disproportionate burden",
        "Preparation of this accessibility statement",
    ]:
        assert f"<h2>{heading}</h2>" in html or f"<h3>{heading}</h3>" in html, heading
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in html
    assert "large print, easy read, audio recording or braille" in html
    assert "Equality Advisory and Support Service" in html
    assert "last tested on 22 November 2026" in html
    assert "axe-core" in html and "keyboard" in html


def test_the_waste_collection_holds_the_demo_waste_projects_in_order(client, demo):
    collection = CollectionPage.objects.get(slug="waste-and-recycling")

    chosen = [item.project.title for item in collection.collection_projects.all()]

    assert chosen == WASTE_PROJECTS
    html = text(client, collection.url)
    positions = [html.index(f">{title}</a>") for title in WASTE_PROJECTS]
    assert positions == sorted(positions)


def test_there_are_two_news_posts_and_a_feed(client, demo):
    assert NewsPage.objects.live().count() == 2
    html = text(client, "/news/")
    assert "Bulky waste booking reaches beta" in html
    assert "Pipeline is open to every council" in html
    assert "Bulky waste booking reaches beta" in text(client, "/news/feed/")


def test_the_home_page_has_featured_projects_and_the_collection_teaser(client, demo):
    home = HomePage.objects.get()
    assert [block.block_type for block in home.body] == [
        "featured_projects",
        "collection_teaser",
        "call_to_action",
    ]

    html = text(client, "/")

    assert "Book a bulky waste collection" in html
    assert 'href="/collections/waste-and-recycling/"' in html
    assert "Propose a project" in html


def test_demo_councils_and_projects_can_be_found_by_search(client, demo):
    assert "Cyngor Dinas Caerdydd" in text(client, "/cy/search/?q=Caerdydd")
    assert "Garden waste subscriptions" in text(client, "/search/?q=garden")
    assert "Rhoi gwybod am fin heb ei gasglu" in text(client, "/search/?q=gasglu")


def test_loading_again_adds_no_pages_or_revisions(demo):
    pages, revisions = Page.objects.count(), Revision.objects.count()
    featured = set(Project.objects.filter(is_featured=True).values_list("pk", flat=True))

    load_demo()

    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)
    assert set(Project.objects.filter(is_featured=True).values_list("pk", flat=True)) == featured


def test_a_page_a_person_edited_is_left_alone(demo):
    page = StandardPage.objects.get(slug="about")
    page.summary = "Our own words"
    page.save_revision(user=User.objects.get(email="organiser@example.com")).publish()

    load_demo()

    assert StandardPage.objects.get(slug="about").summary == "Our own words"


def test_a_page_from_an_older_demo_is_brought_up_to_date(demo):
    page = StandardPage.objects.get(slug="accessibility")
    page.body = [{"type": "rich_text", "value": "<p>Old demo text</p>"}]
    page.save_revision().publish()  # no user: the demo made it

    load_demo()

    page = StandardPage.objects.get(slug="accessibility")
    assert "Compliance status" in page.body.raw_data[0]["value"]


def test_an_arranged_home_page_is_left_alone(demo):
    home = HomePage.objects.get()
    home.body = [{"type": "rich_text", "value": "<p>Our arrangement</p>"}]
    home.save_revision().publish()

    load_demo()

    assert [b.block_type for b in HomePage.objects.get().body] == ["rich_text"]
