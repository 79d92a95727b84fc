"""The demo content ``load_demo`` makes: standard pages with real content, a collection, news and
an arranged home page; loading again adds nothing and never overwrites a person's edits."""

import io

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page, Revision

from accounts.models import User
from cms.models import CollectionPage, HomePage, NewsPage, StandardPage
from demo.cms import WASTE_PROJECTS
from projects.models import Project

pytestmark = pytest.mark.django_db


def load_demo() -> None:
    call_command("load_demo", force=True, stdout=io.StringIO())


@pytest.fixture
def demo():
    load_demo()


def english(model, **lookup):
    """The English version of a demo page (each has a Welsh version too)."""
    return model.objects.get(locale=Locale.get_default(), **lookup)


def welsh(model, **lookup):
    return model.objects.get(locale__language_code="cy", **lookup)


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
    home = english(HomePage)
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
    page = english(StandardPage, slug="about")
    page.summary = "Our own words"
    page.save_revision(user=User.objects.get(email="organiser@example.com")).publish()

    load_demo()

    assert english(StandardPage, slug="about").summary == "Our own words"


def test_a_page_from_an_older_demo_is_brought_up_to_date(demo):
    page = english(StandardPage, slug="accessibility")
    page.body = [{"type": "rich_text", "value": "<p>Old demo text</p>"}]
    page.save_revision().publish()  # no user: the demo made it

    load_demo()

    page = english(StandardPage, slug="accessibility")
    assert "Compliance status" in page.body.raw_data[0]["value"]


def test_an_arranged_home_page_is_left_alone(demo):
    home = english(HomePage)
    home.body = [{"type": "rich_text", "value": "<p>Our arrangement</p>"}]
    home.save_revision().publish()

    load_demo()

    assert [b.block_type for b in english(HomePage).body] == ["rich_text"]


# --- Welsh ----------------------------------------------------------------------------------


def test_the_home_page_and_standard_pages_have_welsh_versions(client, demo):
    home = text(client, "/cy/")
    assert "Adeiladu unwaith, gyda&#x27;n gilydd</h1>" in home
    assert "Prosiectau dan sylw</h2>" in home
    assert 'href="/cy/projects/new/">Cynnig prosiect</a>' in home
    assert "Build it once, together" not in home

    for url, words in {
        "/cy/about/": ["Sut mae'n gweithio", "Cofnod agored", "LocalGov Digital"],
        "/cy/privacy/": ["Eich hawliau", "Cwcis"],
        "/cy/terms/": ["Gweithredu ar ran eich cyngor", "Drwydded Llywodraeth Agored"],
    }.items():
        html = text(client, url)
        assert all(word in html for word in words), url
        assert '<h1 class="govuk-heading-xl">' in html  # Welsh text: no lang attribute needed
    assert "How it works" in text(client, "/about/")  # the English page is unchanged


def test_the_welsh_accessibility_statement_is_a_full_translation(client, demo):
    html = text(client, "/cy/accessibility/")

    for heading in [
        "Pa mor hygyrch yw'r wefan hon",
        "Adborth a gwybodaeth gyswllt",
        "Y drefn orfodi",
        "Statws cydymffurfio",
        "Cynnwys nad yw'n hygyrch",
        "Baich anghymesur",
        "Paratoi'r datganiad hygyrchedd hwn",
    ]:
        assert f"<h2>{heading}</h2>" in html or f"<h3>{heading}</h3>" in html, heading
    assert "Gwasanaeth Cynghori a Chymorth Cydraddoldeb" in html
    assert "ddiwethaf ar 22 Tachwedd 2026" in html
    english_page = english(StandardPage, slug="accessibility").body.raw_data[0]["value"]
    welsh_page = welsh(StandardPage, slug="accessibility").body.raw_data[0]["value"]
    assert english_page.count("<h2>") == welsh_page.count("<h2>")
    assert english_page.count("<li>") == welsh_page.count("<li>")


def test_news_not_yet_in_welsh_is_served_in_english_inside_the_welsh_interface(client, demo):
    html = text(client, "/cy/news/pipeline-is-open-to-every-council/")

    assert '<html lang="cy"' in html
    assert (
        '<h1 class="govuk-heading-xl" lang="en-GB">Pipeline is open to every council</h1>' in html
    )


def test_welsh_search_finds_each_standard_page_once_in_welsh(client, demo):
    html = text(client, "/cy/search/?q=Pipeline&type=pages")

    assert "Am Pipeline" in html and "About Pipeline" not in html
    assert "Pipeline is open to every council" in html  # not in Welsh: found in English


def test_two_demo_projects_from_welsh_councils_are_written_in_welsh(demo):
    welsh_projects = Project.objects.filter(language="cy").select_related("lead_council")

    assert {(p.title, p.lead_council.code) for p in welsh_projects} == {
        ("Trwyddedau parcio i breswylwyr", "CRF"),
        ("Rhoi gwybod am fin heb ei gasglu", "GWN"),
    }


def test_a_demo_loaded_before_those_projects_were_in_welsh_gets_them_in_welsh(demo):
    project = Project.objects.get(title="Trwyddedau parcio i breswylwyr")
    Project.objects.filter(pk=project.pk).update(title="Resident parking permits", language="en")
    project.needs.filter(description="Cynnwys dwyieithog").update(description="Bilingual content")

    load_demo()

    project.refresh_from_db()
    assert (project.title, project.language) == ("Trwyddedau parcio i breswylwyr", "cy")
    assert project.needs.filter(description="Cynnwys dwyieithog").exists()
    assert Project.objects.filter(lead_council=project.lead_council).count() == 1
