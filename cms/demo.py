"""Demo pages for ``make run``: standard pages, a collection, news and the home page. Idempotent.

Pages are found by slug and made only when missing. A standard page the demo made earlier and
nobody has edited since (its latest revision has no user) is brought up to date; a page a person
has edited is left alone. The home page and the standard pages also have Welsh versions
(``cms.demo_cy``), made as an organiser would with "Translate"; news and the collection are left
in English, so the demo shows how a page not yet in Welsh is served under /cy/.
"""

import datetime
import uuid

from django.db import transaction
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

from councils.models import Council
from projects.models import Project

from . import demo_cy
from .models import (
    CollectionIndexPage,
    CollectionPage,
    CollectionProject,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
)

REVIEWED = datetime.date(2026, 11, 20)
CONTACT = '<a href="mailto:pipeline@localgov.digital">pipeline@localgov.digital</a>'

ABOUT = f"""
<p>Councils across the UK solve the same problems: booking a bulky waste collection, applying for a parking permit, reporting a housing repair. Each council building its own version costs money and staff time that could go further.</p>
<p>Pipeline lets a council post the digital project it is working on and say what it needs: money, or days of a developer, designer, user researcher or other role. Other councils pledge what they can and join the maker team that builds it, so the service is built once and used by many.</p>
<h2>How it works</h2>
<ol>
<li>An officer at a council proposes a project: the problem, who the users are, what it will deliver and what it needs.</li>
<li>Officers at other councils pledge money or staff time on behalf of their council. The project team accepts or declines each pledge.</li>
<li>The team posts updates as the project moves through discovery, alpha, beta and live, so partners can see their contribution at work.</li>
</ol>
<h2>An open record</h2>
<p>Every pledge is recorded in an open ledger that is never edited or deleted, so a council's finance team can see what it has offered, what was accepted and what was delivered.</p>
<h2>Who runs Pipeline</h2>
<p>Pipeline is run by LocalGov Digital, a network of digital practitioners in local government. Organisers curate the projects featured on the home page and look after the community.</p>
<p>Council data contains data from mySociety (CC-BY-4.0). Contact us at {CONTACT}.</p>
"""

ACCESSIBILITY = f"""
<p>This accessibility statement applies to the Pipeline website at pipeline.localgov.digital, run by LocalGov Digital.</p>
<p>We want as many people as possible to be able to use this website. For example, that means you should be able to:</p>
<ul>
<li>change colours, contrast levels and fonts using browser or device settings</li>
<li>zoom in up to 400% without the text spilling off the screen</li>
<li>navigate the website using just a keyboard</li>
<li>use every part of the website with JavaScript turned off</li>
<li>use the website in English or in Welsh</li>
</ul>
<p>We have also made the text as simple as possible to understand. AbilityNet has advice on making your device easier to use if you have a disability.</p>
<h2>How accessible this website is</h2>
<p>We know some parts of this website are not fully accessible:</p>
<ul>
<li>the notes that officers add to pledges, to requests to join and to adopting a project are not marked with the language they are written in, so on the Welsh pages a screen reader may read English words as if they were Welsh</li>
<li>we have not yet tested the website with screen readers or speech recognition software</li>
<li>links to councils' own prototypes and code repositories go to websites we do not run, which may not be accessible</li>
</ul>
<h2>Feedback and contact information</h2>
<p>If you need information on this website in a different format like accessible PDF, large print, easy read, audio recording or braille, email {CONTACT}. Tell us the web address of the page, the format you need and how to send it to you. You can write to us in English or in Welsh.</p>
<p>We'll consider your request and get back to you in 5 working days.</p>
<h2>Reporting accessibility problems with this website</h2>
<p>We're always looking to improve the accessibility of this website. If you find any problems not listed on this page or think we're not meeting accessibility requirements, email {CONTACT}.</p>
<h2>Enforcement procedure</h2>
<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the 'accessibility regulations'). If you're not happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS).</p>
<p>If you are in Northern Ireland and are not happy with how we respond to your complaint, you can contact the Equality Commission for Northern Ireland.</p>
<h2>Technical information about this website's accessibility</h2>
<p>LocalGov Digital is committed to making its website accessible, in accordance with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.</p>
<h3>Compliance status</h3>
<p>This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard, due to the non-compliances listed below.</p>
<h2>Non-accessible content</h2>
<p>The content listed below is non-accessible for the following reasons.</p>
<h3>Non-compliance with the accessibility regulations</h3>
<p>The notes that officers write when they pledge, decide on a pledge, ask to join a team or record that their council has adopted a project are not marked with the language they are written in, because Pipeline does not ask which language that is. On the Welsh pages a screen reader reads them in Welsh even when they are in English. This fails WCAG 2.2 success criterion 3.1.2 (language of parts). Councils say which language each project is written in, and its name, summary, description, needs and updates are marked with that language. Pages that LocalGov Digital has not yet translated into Welsh are shown in English on the Welsh pages, and marked as English.</p>
<h3>Disproportionate burden</h3>
<p>We have not assessed any content as a disproportionate burden.</p>
<h3>Content that's not within the scope of the accessibility regulations</h3>
<p>Prototypes, code repositories and other websites that councils link to from their projects are run by those councils or by third parties. They are not within our control and their owners are responsible for their accessibility.</p>
<h2>What we're doing to improve accessibility</h2>
<p>Automated accessibility tests run on every change to the website before it is released, and a change that fails them is not released. Next we plan to test the website with screen readers and to fix the problems listed on this page. We will update this statement when we do.</p>
<h2>Preparation of this accessibility statement</h2>
<p>This statement was prepared on 20 November 2026. It was last updated on 22 November 2026, after the tests described below.</p>
<p>This website was last tested on 22 November 2026 against the WCAG 2.2 AA standard. The test was carried out by the Pipeline team at LocalGov Digital, using automated tests in a real browser.</p>
<p>The tests run axe-core 4.12 in the Chromium browser. It checks each page for failures of WCAG 2.0, 2.1 and 2.2 at levels A and AA, as a person sees the page. The pages tested are: the home page; the project listing with filters applied; a project page, signed out and signed in; a council page and the council directory; search results; a news page and a collection page; this statement; in Welsh, the home page, the project listing, a project page, this statement and a page not yet translated into Welsh; sign in and create an account, each with and without errors; the page shown when a page is not found; My Pipeline, your profile, editing your profile and personal API tokens; joining a council and joining a project's maker team; managing a project; every step of proposing a project, with its errors, the task list and the check your answers page; and pledging support, with its errors, the confirmation and the pledge's history. On 22 November 2026 axe-core found no failures on any of these pages.</p>
<p>The tests also check what axe-core does not: that each page has one main heading, a title and the right language; that labels, descriptions and links to errors lead to something that exists; and that the list of errors on a form takes focus and each error in it leads to its field. A keyboard test signs in and pledges support using only the Tab, Shift, Space and Enter keys and typing, and checks that the link to skip to the main content comes first and that every link, button and field on the way shows clearly when it has focus. Another test proposes a project and pledges support with JavaScript turned off. Another opens the busiest pages 320 pixels wide, which is like zooming to 400%, and checks that the page does not scroll sideways and that each wide table scrolls by itself and can be reached with the keyboard.</p>
<p>We have not yet tested:</p>
<ul>
<li>with screen readers (such as JAWS, NVDA or VoiceOver), screen magnifiers or speech recognition software</li>
<li>in browsers other than Chromium</li>
<li>the content editor that LocalGov Digital organisers use (the Wagtail admin)</li>
<li>the API documentation page (Swagger UI)</li>
<li>the pages council admins use to manage members, and the pages for deciding on pledges and requests to join a team</li>
<li>emails, RSS and Atom feeds, and CSV downloads</li>
</ul>
"""

PRIVACY = f"""
<p>This notice explains what information Pipeline holds about you, why, and your rights. LocalGov Digital is the data controller for Pipeline.</p>
<h2>What we hold</h2>
<ul>
<li>your name, job title and email addresses, so that you can sign in and we can contact you about your account, pledges and the projects you follow</li>
<li>the councils you belong to and your role in them, so that you can act for your council</li>
<li>the projects you propose, the pledges you make or decide, the teams you join and the updates you post</li>
<li>when you last used a personal API token, so that you can spot one you no longer use</li>
</ul>
<h2>What is public</h2>
<p>Your name, job title and council are shown on the projects, pledges and teams you take part in. Pledges are a public record of what councils have offered each other, and the ledger of changes to a pledge is never deleted.</p>
<h2>Our lawful basis</h2>
<p>We process this information as part of a task in the public interest: helping councils share the cost of building digital services.</p>
<h2>How long we keep it</h2>
<p>We keep your account for as long as you use it. If you close your account we remove your personal details within 30 days, but pledges your council made stay on the record without your contact details.</p>
<h2>Your rights</h2>
<p>You can ask to see, correct or delete the information we hold about you, or object to how we use it, by emailing {CONTACT}. If you are unhappy with how we have used your information you can complain to the Information Commissioner's Office (ICO).</p>
<h2>Cookies</h2>
<p>Pipeline sets only the cookies it needs to work: one to keep you signed in, one to protect forms from misuse, and one to remember your language. We do not use analytics or advertising cookies.</p>
"""

TERMS = f"""
<p>By using Pipeline you agree to these terms. They are simple on purpose; email {CONTACT} with any question.</p>
<h2>Acting for your council</h2>
<p>Only act for a council you work for. Pledges are statements of intent between councils. They do not replace each council's own procurement, finance and legal rules, and each council remains responsible for following them.</p>
<h2>What you post</h2>
<ul>
<li>Content you post is published under the Open Government Licence v3.0 unless you say otherwise.</li>
<li>Do not post personal data about residents, or anything that is not yours to share.</li>
<li>Keep it civil. Organisers may hide a project that breaks these terms and will tell its owner why.</li>
</ul>
<h2>Our service</h2>
<p>We try to keep Pipeline available and correct but cannot promise it will always be. We may change these terms and will say so on this page.</p>
"""

STANDARD_PAGES = [
    (
        "about",
        "About Pipeline",
        "Pipeline helps UK councils build digital services once and share them.",
        ABOUT,
    ),
    (
        "accessibility",
        "Accessibility statement for Pipeline",
        "How accessible the Pipeline website is, what we are doing about it and how to ask "
        "for content in another format.",
        ACCESSIBILITY,
    ),
    ("privacy", "Privacy notice", "How Pipeline uses the information you give it.", PRIVACY),
    ("terms", "Terms of use", "The rules for using Pipeline.", TERMS),
]

WASTE_PROJECTS = [
    "Book a bulky waste collection",
    "Rhoi gwybod am fin heb ei gasglu",
    "Garden waste subscriptions",
]
FEATURED_ON_HOME = [
    "Book a bulky waste collection",
    "Comment on a planning application",
    "Trwyddedau parcio i breswylwyr",
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


def _bring_up_to_date(page: StandardPage, title: str, summary: str, html: str) -> None:
    """Publish the demo's text on a page the demo made and nobody has edited since."""
    revision = page.latest_revision
    untouched = revision is None or revision.user_id is None
    raw = list(page.body.raw_data)
    current = (page.title, page.summary, page.last_reviewed, raw[0]["value"] if raw else "")
    if untouched and current != (title, summary, REVIEWED, html.strip()):
        page.title, page.summary, page.last_reviewed = title, summary, REVIEWED
        page.body = [{"type": "rich_text", "value": html.strip()}]
        _publish(page)


def _standard_pages(home: HomePage) -> None:
    for slug, title, summary, html in STANDARD_PAGES:
        page = _find(StandardPage, home, slug)
        if page is None:
            body = [{"type": "rich_text", "value": html.strip()}]
            _add(
                home,
                StandardPage(
                    title=title,
                    slug=slug,
                    translation_key=_key(slug),
                    summary=summary,
                    body=body,
                    last_reviewed=REVIEWED,
                ),
            )
            continue
        _bring_up_to_date(page, title, summary, html)


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
    by_title = {p.title: p.pk for p in Project.objects.filter(title__in=FEATURED_ON_HOME)}
    return [
        {
            "type": "featured_projects",
            "value": {
                "heading": heading,
                "projects": [by_title[t] for t in FEATURED_ON_HOME if t in by_title],
            },
        },
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
        cartref.hero_heading, cartref.hero_text = demo_cy.HERO_HEADING, demo_cy.HERO_TEXT
        cartref.body = _home_blocks(
            collection,
            heading=demo_cy.FEATURED_HEADING,
            call_to_action=demo_cy.CALL_TO_ACTION,
        )
        _publish(cartref)
    for slug, title, summary, html in demo_cy.STANDARD_PAGES:
        english = _find(StandardPage, home, slug)
        if english is None:
            continue
        page = english.get_translation_or_none(welsh) or english.copy_for_translation(welsh)
        _bring_up_to_date(page.specific, title, summary, html)


def _index_for_search() -> None:
    """Councils imported in bulk skip the save signals, so put them in the search index."""
    backend = get_search_backend()
    backend.add_bulk(Council, list(Council.objects.all()))


@transaction.atomic
def load() -> None:
    home = HomePage.objects.filter(locale=Locale.get_default()).first()
    if home is None:
        return
    _standard_pages(home)
    collection = _collections(home)
    _news(home)
    _home_body(home, collection)
    _welsh(home, collection)
    _index_for_search()
