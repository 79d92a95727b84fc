"""Demo pages for ``make run``: a collection, news and the home page. Idempotent.

The standard pages (About, accessibility, privacy, terms) are the site's own, made by migrate
(``cms.services.site_pages_ensure``); the demo uses those. Pages are found by slug and made only
when missing. A standard page Pipeline made and nobody has edited since (its latest revision has
no user) is brought up to date; a page a person has edited is left alone. The home page and the
standard pages also have Welsh versions
(``demo.cms_cy``), made as an organiser would with "Translate"; news and the collection are left
in English, so the demo shows how a page not yet in Welsh is served under /cy/.
"""

import datetime
import uuid

from django.db import transaction
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

from cms.models import (
    CollectionIndexPage,
    CollectionPage,
    CollectionProject,
    HomePage,
    NewsIndexPage,
    NewsPage,
)
from cms.services import site_page, site_pages_ensure, standard_page_refresh
from councils.models import Council
from demo import cms_cy
from projects.models import Project

WASTE_PROJECTS = [
    "Book a bulky waste collection",
    "Rhoi gwybod am fin heb ei gasglu",
    "Garden waste subscriptions",
]

NEWS = [
    (
        "pipeline-is-open-to-every-council",
        "Pipeline is open to every council",
        datetime.date(2026, 11, 2),
        "Any officer at a UK council can now propose a shared project and pledge their "
        "council's money or staff time.",
        "<p>After a pilot with twelve councils, Pipeline is open to officers at every UK "
        "local authority. Sign in with your council email address and you are verified at "
        "once; otherwise a council admin approves your request.</p>"
        "<h2>What the pilot taught us</h2><ul><li>Councils pledge staff time more readily "
        "than money, so projects can ask for both.</li><li>Finance teams want an open "
        "ledger of every pledge, so every change is recorded and nothing is deleted.</li>"
        "</ul>",
        ["announcements"],
    ),
    (
        "bulky-waste-booking-reaches-beta",
        "Bulky waste booking reaches beta",
        datetime.date(2026, 11, 16),
        "Hackney's bulky waste booking service is in public beta, with partners in Leeds, "
        "Cardiff and Manchester.",
        "<p>The shared bulky waste booking service led by Hackney is now in public beta. "
        "Residents book and pay online in under five minutes, and crews get a clean list "
        "for each round.</p><p>Leeds, Cardiff and Manchester have pledged money and "
        'developer time. Read more in the <a href="/collections/waste-and-recycling/">'
        "waste and recycling collection</a>.</p>",
        ["waste and recycling", "project news"],
    ),
]


def _key(slug: str) -> uuid.UUID:
    """A demo page's translation key, the same on every machine: unlike its slug, nobody can
    change it, so the page is found again after an organiser retitles or moves it."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://pipeline.localgov.digital/demo/{slug}")


def _find(model, home: HomePage, slug: str):
    """The demo's page first made at this slug (pages made before the keys: by slug)."""
    pages = model.objects.descendant_of(home)
    return pages.filter(translation_key=_key(slug)).first() or pages.filter(slug=slug).first()


def _publish(page) -> None:
    page.save_revision().publish()


def _add(parent, page):
    parent.add_child(instance=page)
    _publish(page)
    return page


def _collections(home: HomePage) -> CollectionPage:
    index = CollectionIndexPage.objects.child_of(home).first() or _add(
        home,
        CollectionIndexPage(
            title="Collections",
            slug="collections",
            introduction="Projects grouped by theme, chosen by LocalGov Digital organisers.",
        ),
    )
    collection = _find(CollectionPage, home, "waste-and-recycling")
    if collection is None:
        collection = CollectionPage(
            title="Waste and recycling",
            slug="waste-and-recycling",
            translation_key=_key("waste-and-recycling"),
            summary="Booking collections, reporting missed bins and paying for garden waste: "
            "services every council runs, built once.",
            introduction="<p>Waste services are among the most used council services online. "
            "These projects share the work of building them.</p>",
        )
        projects = {p.title: p for p in Project.objects.filter(title__in=WASTE_PROJECTS)}
        collection.collection_projects = [
            CollectionProject(project=projects[title], sort_order=n)
            for n, title in enumerate(WASTE_PROJECTS)
            if title in projects
        ]
        _add(index, collection)
    return collection


def _news(home: HomePage) -> None:
    index = NewsIndexPage.objects.child_of(home).first() or _add(
        home,
        NewsIndexPage(
            title="News",
            slug="news",
            introduction="What is new on Pipeline and in the projects councils share.",
        ),
    )
    for slug, title, date, summary, html, tags in NEWS:
        if _find(NewsPage, home, slug) is not None:
            continue
        post = NewsPage(
            title=title,
            slug=slug,
            translation_key=_key(slug),
            date=date,
            author="LocalGov Digital",
            summary=summary,
            body=[{"type": "rich_text", "value": html}],
        )
        post.tags.add(*tags)
        _add(index, post)


CALL_TO_ACTION = {
    "heading": "Got a project other councils need?",
    "text": "Propose it, say what it needs, and let other councils pledge money and staff time.",
    "link_text": "Propose a project",
    "link_url": "/projects/new/",
}


def _home_blocks(collection: CollectionPage, *, heading: str, call_to_action: dict) -> list:
    return [
        {"type": "featured_projects", "value": {"heading": heading}},
        {"type": "collection_teaser", "value": {"collection": collection.pk, "text": ""}},
        {"type": "call_to_action", "value": call_to_action},
    ]


def _home_body(home: HomePage, collection: CollectionPage) -> None:
    if list(home.body.raw_data):
        return  # an organiser has arranged the home page already
    home.body = _home_blocks(collection, heading="Featured projects", call_to_action=CALL_TO_ACTION)
    _publish(home)


def _welsh(home: HomePage, collection: CollectionPage) -> None:
    """The Welsh home page and standard pages, made once as translations of the English ones."""
    welsh = Locale.objects.filter(language_code="cy").first()
    if welsh is None:
        return
    if home.get_translation_or_none(welsh) is None:
        cartref = home.copy_for_translation(welsh).specific
        cartref.hero_heading, cartref.hero_text = cms_cy.HERO_HEADING, cms_cy.HERO_TEXT
        cartref.body = _home_blocks(
            collection,
            heading=cms_cy.FEATURED_HEADING,
            call_to_action=cms_cy.CALL_TO_ACTION,
        )
        _publish(cartref)
    for slug, title, summary, html in cms_cy.STANDARD_PAGES:
        english = site_page(home, slug)
        if english is None:
            continue
        page = english.get_translation_or_none(welsh) or english.copy_for_translation(welsh)
        standard_page_refresh(page.specific, title=title, summary=summary, html=html)


def _index_for_search() -> None:
    """Councils imported in bulk skip the save signals, so put them in the search index."""
    backend = get_search_backend()
    backend.add_bulk(Council, list(Council.objects.all()))


@transaction.atomic
def load() -> None:
    home = HomePage.objects.filter(locale=Locale.get_default()).first()
    if home is None:
        return
    site_pages_ensure()  # what migrate made already; the demo adds nothing twice
    collection = _collections(home)
    _news(home)
    _home_body(home, collection)
    _welsh(home, collection)
    _index_for_search()
