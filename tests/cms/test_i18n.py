"""Wagtail pages in Welsh: /cy/ serves a page's Welsh version, falls back to the English page
where there is none, the language switcher leads to the translation, listings and search show
one version of each page, and organisers can translate a page in the admin."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from wagtail.models import Locale, Page

from cms.models import HomePage, NewsIndexPage, NewsPage, StandardPage
from tests.factories import OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db


def welsh() -> Locale:
    return Locale.objects.get(language_code="cy")


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def translate(page: Page, **fields) -> Page:
    """The page's Welsh version, with ``fields`` in Welsh, published (as the admin does)."""
    version = page.copy_for_translation(welsh()).specific
    for name, value in fields.items():
        setattr(version, name, value)
    version.save_revision().publish()
    version.refresh_from_db()
    return version


def standard(parent: Page, slug: str, title: str, text: str) -> StandardPage:
    """The published standard page at ``slug`` saying ``text``: the site's own page where
    migrate made one there (about, accessibility, privacy, terms), else a new one."""
    page = StandardPage.objects.child_of(parent).filter(slug=slug).first() or StandardPage(
        slug=slug
    )
    page.title, page.summary = title, title
    page.body = [{"type": "rich_text", "value": text}]
    if page.pk is None:
        parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def switcher_href(html: str, language: str) -> str:
    return re.search(rf'href="([^"]*)" rel="alternate" lang="{language}"', html).group(1)


@pytest.fixture
def home() -> HomePage:
    return HomePage.objects.get()


@pytest.fixture
def cymraeg(home) -> HomePage:
    return translate(
        home,
        hero_heading="Adeiladu unwaith, gyda'n gilydd",
        hero_text="Mae cynghorau'n rhannu eu prosiectau digidol.",
    )


# --- locales --------------------------------------------------------------------------------


def test_the_migration_made_english_the_default_and_welsh():
    assert Locale.get_default().language_code == "en-gb"
    assert Locale.objects.filter(language_code="cy").exists()
    assert HomePage.objects.get().locale == Locale.get_default()


def test_the_migration_renames_an_english_locale_made_with_another_code():
    migration = importlib.import_module("cms.migrations.0004_locales")
    english = Locale.get_default()
    Locale.objects.filter(pk=english.pk).update(language_code="en")
    Locale.objects.filter(language_code="cy").delete()

    migration.create_locales(apps, None)

    assert Locale.objects.get(pk=english.pk).language_code == "en-gb"
    assert sorted(Locale.objects.values_list("language_code", flat=True)) == ["cy", "en-gb"]


# --- serving --------------------------------------------------------------------------------


def test_cy_serves_the_welsh_home_page(client, home, cymraeg):
    html = html_of(client, "/cy/")

    assert '<html lang="cy"' in html
    assert "Adeiladu unwaith, gyda&#x27;n gilydd</h1>" in html
    assert "Build it once, together" not in html
    assert "Build it once, together" in html_of(client, "/")


def test_cy_slug_serves_the_welsh_version_of_a_page(client, home, cymraeg):
    about = standard(home, "about", "About Pipeline", "<p>Councils share projects.</p>")
    translate(about, title="Am Pipeline", body=[{"type": "rich_text", "value": "<p>Rhannu.</p>"}])

    html = html_of(client, "/cy/about/")

    assert '<h1 class="govuk-heading-xl">Am Pipeline</h1>' in html  # Welsh, so no lang attribute
    assert "<p>Rhannu.</p>" in html and "Councils share projects" not in html
    assert "Councils share projects" in html_of(client, "/about/")


def test_a_page_with_no_welsh_version_is_served_in_english_under_cy(client, home, cymraeg):
    standard(home, "privacy", "Privacy notice", "<p>What we hold.</p>")

    html = html_of(client, "/cy/privacy/")

    assert '<html lang="cy"' in html  # the interface stays Welsh …
    assert "Neidio i" in html
    assert '<h1 class="govuk-heading-xl" lang="en-GB">Privacy notice</h1>' in html  # … the text
    assert 'lang="en-GB"><p>What we hold.</p>' in html  # is marked as English (WCAG 3.1.2)


def test_the_fallback_also_works_before_any_page_is_translated(client, home):
    standard(home, "privacy", "Privacy notice", "<p>What we hold.</p>")

    assert "Privacy notice" in html_of(client, "/cy/privacy/")


def test_a_page_that_exists_in_no_language_is_still_not_found(client, home, cymraeg):
    html_of(client, "/cy/no-such-page/", status=404)
    html_of(client, "/no-such-page/", status=404)


def test_a_draft_welsh_version_is_not_served(client, home, cymraeg):
    about = standard(home, "about", "About Pipeline", "<p>English.</p>")
    draft = about.copy_for_translation(welsh()).specific
    draft.title = "Am Pipeline (drafft)"
    draft.save_revision()

    html = html_of(client, "/cy/about/")

    assert "About Pipeline" in html and "drafft" not in html


# --- language switcher ----------------------------------------------------------------------


def test_the_switcher_leads_to_the_translation_even_when_its_slug_differs(client, home, cymraeg):
    about = standard(home, "about", "About Pipeline", "<p>English.</p>")
    translate(about, title="Amdanom ni", slug="amdanom")

    to_welsh = switcher_href(html_of(client, "/about/"), "cy")
    to_english = switcher_href(html_of(client, "/cy/amdanom/"), "en")

    # Straight to the translation's own address; the old, slug-keeping links still redirect.
    assert (to_welsh, to_english) == ("/cy/amdanom/", "/about/")
    assert client.get("/cy/about/")["Location"] == "/cy/amdanom/"
    assert client.get("/amdanom/")["Location"] == "/about/"
    assert switcher_href(html_of(client, "/cy/"), "en") == "/"
    assert switcher_href(html_of(client, "/"), "cy") == "/cy/"


def test_a_retitled_translation_of_the_news_is_reached_both_ways(client, home, cymraeg):
    # News is a routable page: its sub-paths (the feed) and query (a tag) go along.
    news = publish(home, NewsIndexPage(title="News", slug="news"))
    translate(news, title="Newyddion", slug="newyddion")

    english = html_of(client, "/news/?tag=launch")
    welsh = html_of(client, "/cy/newyddion/")

    assert switcher_href(english, "cy") == "/cy/newyddion/?tag=launch"
    assert switcher_href(welsh, "en") == "/news/"
    assert '<html lang="cy"' in welsh and "Newyddion" in welsh
    assert client.get("/cy/news/")["Location"] == "/cy/newyddion/"
    assert client.get("/cy/news/feed/?tag=x")["Location"] == "/cy/newyddion/feed/?tag=x"
    # The Welsh page is never served at an English address.
    assert client.get("/newyddion/")["Location"] == "/news/"
    assert client.get("/newyddion/feed/")["Location"] == "/news/feed/"


def test_a_page_only_in_welsh_is_served_only_at_its_welsh_address(client, home, cymraeg):
    standard(cymraeg, "cyfarfodydd", "Cyfarfodydd", "<p>Cymraeg yn unig.</p>")

    assert client.get("/cyfarfodydd/")["Location"] == "/cy/cyfarfodydd/"
    assert "Cymraeg yn unig" in html_of(client, "/cy/cyfarfodydd/")


def test_the_language_links_of_a_page_cost_one_query_however_many_pages(client, home, cymraeg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    about = standard(home, "about", "About Pipeline", "<p>English.</p>")
    translate(about, title="Amdanom ni", slug="amdanom")
    before = queries("/about/")
    for n in range(5):
        translate(standard(home, f"page-{n}", f"Page {n}", "<p>x</p>"), slug=f"tudalen-{n}")

    assert queries("/about/") == before


def test_the_switcher_on_an_untranslated_page_leads_to_it_under_cy(client, home, cymraeg):
    standard(home, "privacy", "Privacy notice", "<p>English.</p>")

    assert switcher_href(html_of(client, "/privacy/"), "cy") == "/cy/privacy/"
    assert switcher_href(html_of(client, "/cy/privacy/"), "en") == "/privacy/"


def test_links_to_untranslated_pages_keep_a_welsh_reader_in_welsh(client, home, cymraeg):
    news = publish(home, NewsIndexPage(title="News", slug="news"))
    publish(
        news,
        NewsPage(
            title="Pipeline opens",
            slug="pipeline-opens",
            author="LocalGov Digital",
            summary="Open to all",
            body=[],
        ),
    )

    html = html_of(client, "/cy/news/")

    assert 'href="/cy/news/pipeline-opens/"' in html
    assert 'href="/news/pipeline-opens/"' not in html
    assert "Pipeline opens" in html_of(client, "/cy/news/pipeline-opens/")


# --- listings and search show one version of each page --------------------------------------


@pytest.fixture
def news(home, cymraeg) -> tuple[NewsIndexPage, NewsPage, NewsPage]:
    index = publish(home, NewsIndexPage(title="News", slug="news"))
    translate(index, title="Newyddion")
    posts = [
        publish(
            index,
            NewsPage(
                title=title,
                slug=slug,
                author="LocalGov Digital",
                summary=f"{title} summary",
                body=[],
            ),
        )
        for slug, title in [("opens", "Pipeline opens"), ("beta", "Bulky waste in beta")]
    ]
    translate(posts[0], title="Pipeline yn agor", summary="Ar agor i bob cyngor")
    return index, *posts


def test_welsh_news_lists_each_post_once_in_welsh_where_it_can(client, news):
    html = html_of(client, "/cy/news/")

    assert html.count("Pipeline yn agor</a>") == 1
    assert "Pipeline opens" not in html  # its Welsh version stands in for it
    assert html.count("Bulky waste in beta</a>") == 1  # no Welsh version: the English one
    assert '<h2 class="govuk-heading-m govuk-!-margin-bottom-1" lang="en-GB">' in html


def test_english_news_lists_only_english_posts(client, news):
    html = html_of(client, "/news/")

    assert "Pipeline opens</a>" in html and "Bulky waste in beta</a>" in html
    assert "Pipeline yn agor" not in html


def test_search_finds_one_version_of_a_page(client, home, cymraeg):
    about = standard(home, "about", "Pipeline partnership", "<p>Partnership.</p>")
    translate(about, title="Partneriaeth Pipeline", summary="Partneriaeth")
    standard(home, "terms", "Partnership terms", "<p>Partnership.</p>")

    welsh_html = html_of(client, "/cy/search/?q=partnership&type=pages")
    english_html = html_of(client, "/search/?q=partnership&type=pages")

    assert "Partneriaeth Pipeline" in welsh_html and "Pipeline partnership" not in welsh_html
    assert "Partnership terms" in welsh_html  # not yet in Welsh: found in English
    assert 'href="/cy/terms/"' in welsh_html
    assert "Pipeline partnership" in english_html and "Partneriaeth" not in english_html


# --- translating in the admin ---------------------------------------------------------------


def test_organisers_may_translate_pages(client, home):
    organiser = OrganiserFactory()
    about = standard(home, "about", "About Pipeline", "<p>English.</p>")
    client.force_login(organiser)
    url = reverse("simple_translation:submit_page_translation", args=[home.pk])

    assert organiser.has_perm("simple_translation.submit_translation")
    assert client.get(url).status_code == 200
    response = client.post(url, {"locales": [welsh().pk], "include_subtree": "on"})

    assert response.status_code == 302
    welsh_home = HomePage.objects.get(locale=welsh())
    assert welsh_home.get_parent().is_root()
    assert about.get_translation(welsh()).get_parent().pk == welsh_home.pk


def test_the_translate_button_is_offered_to_organisers_in_the_page_editor(client, home):
    client.force_login(OrganiserFactory())

    html = html_of(client, reverse("wagtailadmin_pages:edit", args=[home.pk]))

    assert reverse("simple_translation:submit_page_translation", args=[home.pk]) in html


def test_people_outside_the_organisers_group_may_not_translate(client, home):
    client.force_login(UserFactory())
    url = reverse("simple_translation:submit_page_translation", args=[home.pk])

    assert client.get(url).status_code in (302, 403)


def test_the_migration_lets_an_existing_organisers_group_translate():
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("accounts.migrations.0003_organisers_translate")
    group = Group.objects.get(name="Organisers")  # made by accounts 0002
    translate_perm = Permission.objects.get(codename="submit_translation")
    group.permissions.remove(translate_perm)

    migration.grant(apps, None)

    assert group.permissions.filter(pk=translate_perm.pk).exists()


def test_language_links_survive_a_cache_of_site_roots_from_before_the_welsh_home(client):
    # Wagtail keeps its sites' root paths in each process's cache; a process that cached them
    # before the Welsh home page existed gives Welsh pages no address (None): the English page
    # must still load, its Welsh link leading where an untranslated page's would.
    from django.core.cache import cache
    from wagtail.models import Site
    from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION

    home = HomePage.objects.get()
    about = standard(home, "about", "About Pipeline", "<p>English.</p>")
    stale = Site.get_site_root_paths()  # the English home only
    translate(home, hero_heading="Adeiladu unwaith")
    translate(about, title="Amdanom ni", slug="amdanom")
    cache.set(SITE_ROOT_PATHS_CACHE_KEY, stale, 3600, version=SITE_ROOT_PATHS_CACHE_VERSION)

    html = html_of(client, "/about/")

    assert switcher_href(html, "cy") == "/cy/about/"
    assert "About Pipeline" in html_of(client, "/cy/about/")  # served, not redirected to None
