"""The pages every site has from its first migrate (``site_pages_ensure``, run after migrate):
the footer's links work on a new, empty site, in English and under /cy/; they are ordinary
pages organisers edit; making them again, or loading the demo, adds nothing twice."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse
from wagtail.models import Locale, Page, Revision

from cms.models import HomePage, StandardPage
from cms.services import site_pages_ensure
from cms.site_pages import STANDARD_PAGES
from tests.factories import OrganiserFactory

pytestmark = pytest.mark.django_db

SLUGS = [slug for slug, *_ in STANDARD_PAGES]


def english_pages() -> dict[str, StandardPage]:
    return {
        page.slug: page
        for page in StandardPage.objects.filter(locale=Locale.get_default(), slug__in=SLUGS)
    }


def footer_links(html: str) -> list[str]:
    footer = html[html.index('<footer class="govuk-footer"') :]
    return re.findall(r'class="govuk-footer__link" href="([^"]+)"', footer)


@pytest.mark.parametrize("home", ["/", "/cy/"])
def test_after_migrate_every_footer_link_answers_200(client, home):
    """The test database is what migrate makes of an empty one: nothing else is loaded."""
    links = footer_links(client.get(home).content.decode())

    assert len(links) == 4
    assert {link: client.get(link).status_code for link in links} == dict.fromkeys(links, 200)


def test_the_pages_say_what_pipeline_is_and_does(client):
    about = client.get("/about/").content.decode()
    statement = client.get("/accessibility/").content.decode()
    privacy = client.get("/privacy/").content.decode()

    assert "Pipeline lets a council post the digital project it is working on" in about
    assert "Compliance status" in statement and "partially compliant" in statement
    assert "Cookies" in privacy and "We do not use analytics or advertising cookies" in privacy


def test_they_are_live_pages_with_a_published_revision_organisers_can_edit(client):
    client.force_login(OrganiserFactory())
    for page in english_pages().values():
        assert page.live and page.live_revision is not None
        edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert edit.status_code == 200, page.slug
    assert sorted(english_pages()) == sorted(SLUGS)


def test_making_them_again_adds_nothing():
    pages, revisions = Page.objects.count(), Revision.objects.count()

    assert site_pages_ensure() == []
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)


def test_a_page_deleted_by_mistake_comes_back_with_the_next_migrate(client):
    english_pages()["privacy"].delete()
    assert client.get("/privacy/").status_code == 404

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert client.get("/privacy/").status_code == 200


def test_an_edited_page_is_left_alone_and_an_untouched_one_brought_up_to_date():
    organiser = OrganiserFactory()
    pages = english_pages()
    pages["terms"].summary = "Our own terms"
    pages["terms"].save_revision(user=organiser).publish()
    pages["privacy"].body = [{"type": "rich_text", "value": "<p>An older text</p>"}]
    pages["privacy"].save_revision().publish()  # no user: Pipeline wrote it

    written = site_pages_ensure()

    pages = english_pages()
    assert [page.slug for page in written] == ["privacy"]
    assert pages["terms"].summary == "Our own terms"
    assert "Your rights" in pages["privacy"].body.raw_data[0]["value"]


def test_a_page_an_organiser_made_at_one_of_the_addresses_is_kept():
    home = HomePage.objects.get()
    english_pages()["terms"].delete()
    ours = Page(title="Terms and conditions", slug="terms")
    home.add_child(instance=ours)

    site_pages_ensure()

    assert Page.objects.child_of(home).get(slug="terms").pk == ours.pk


def test_load_demo_uses_them_and_adds_welsh_versions():
    before = {slug: page.pk for slug, page in english_pages().items()}

    call_command("load_demo", force=True, stdout=io.StringIO())

    assert {slug: page.pk for slug, page in english_pages().items()} == before
    assert StandardPage.objects.filter(slug__in=SLUGS).count() == 2 * len(SLUGS)
    welsh = StandardPage.objects.filter(locale__language_code="cy", slug__in=SLUGS)
    assert {page.translation_key for page in welsh} == {
        page.translation_key for page in english_pages().values()
    }
