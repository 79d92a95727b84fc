"""Writing Wagtail pages outside the admin: the pages every site has from its first migrate."""

from __future__ import annotations

import uuid

from django.db import transaction
from wagtail.models import Locale, Page

from .models import HomePage, StandardPage
from .site_pages import REVIEWED, STANDARD_PAGES


def _publish(page: Page) -> None:
    page.save_revision().publish()


def standard_page_refresh(page: StandardPage, *, title: str, summary: str, html: str) -> bool:
    """Publish Pipeline's own text on a page that Pipeline made and no person has edited since
    (its latest revision has no user): True if it changed. A page someone edited is theirs."""
    revision = page.latest_revision
    if revision is not None and revision.user_id is not None:
        return False
    raw = list(page.body.raw_data)
    current = (page.title, page.summary, page.last_reviewed, raw[0]["value"] if raw else "")
    if current == (title, summary, REVIEWED, html.strip()):
        return False
    page.title, page.summary, page.last_reviewed = title, summary, REVIEWED
    page.body = [{"type": "rich_text", "value": html.strip()}]
    _publish(page)
    return True


@transaction.atomic
def _site_page_key(slug: str) -> uuid.UUID:
    """A site page's translation key, the same on every site: unlike its slug, nobody can
    change it, so the page is found again after an organiser retitles or moves it."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://pipeline.localgov.digital/site/{slug}")


def site_page(home: HomePage, slug: str) -> Page | None:
    """The site's own page first made at ``slug`` (pages made before the keys: by address)."""
    return (
        Page.objects.filter(translation_key=_site_page_key(slug), locale_id=home.locale_id).first()
        or Page.objects.child_of(home).filter(slug=slug).first()
    )


def site_pages_ensure() -> list[StandardPage]:
    """Make the standard pages the footer links to (About, accessibility statement, privacy
    notice, terms) under the English home page where none has their address yet, and bring
    the untouched ones up to date. Returns the pages made or changed; idempotent.

    A page at one of those addresses that an organiser made, moved there or edited is left as
    it is, whatever its type.
    """
    try:
        home = HomePage.objects.filter(locale=Locale.get_default()).first()
    except Locale.DoesNotExist:  # a database migrated only part of the way
        return []
    if home is None:
        return []
    written = []
    for slug, title, summary, html in STANDARD_PAGES:
        existing = site_page(home, slug)
        if existing is None:
            page = StandardPage(
                title=title,
                slug=slug,
                translation_key=_site_page_key(slug),
                summary=summary,
                body=[{"type": "rich_text", "value": html.strip()}],
                last_reviewed=REVIEWED,
            )
            home.add_child(instance=page)
            _publish(page)
            written.append(page)
        elif isinstance(existing.specific, StandardPage) and standard_page_refresh(
            existing.specific, title=title, summary=summary, html=html
        ):
            written.append(existing.specific)
    return written
