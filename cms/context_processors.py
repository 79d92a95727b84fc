"""The service navigation and the footer's links, which lead to the site's pages (and to its
news and collections, wherever organisers have put them)."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import CollectionIndexPage, NewsIndexPage
from .selectors import content_languages, locale_codes, reader_url

SECTIONS_CACHE_KEY = "cms:sections"


def site_sections() -> dict[str, str]:
    """{"news": address, "collections": address} of the site's news and collections, for the
    reader's language (only those that exist, live and public).

    Kept in the cache per language, and forgotten whenever a page is saved, moved or deleted
    (``cms.apps``), so reading it costs no query."""
    key = f"{SECTIONS_CACHE_KEY}:{content_languages()[0]}"
    sections = cache.get(key)
    if sections is not None:
        return sections
    sections = {}
    default = {code: pk for pk, code in locale_codes().items()}.get(content_languages()[1])
    for name, model in (("news", NewsIndexPage), ("collections", CollectionIndexPage)):
        page = model.objects.live().public().filter(locale_id=default).order_by("path").first()
        if page is not None:
            sections[name] = reader_url(page)
    cache.set(key, sections, 3600)
    return sections


def forget_site_sections(**kwargs) -> None:
    """A page was saved, moved or deleted: the sections may have moved (every language)."""
    cache.delete_many(
        [f"{SECTIONS_CACHE_KEY}:{code}" for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    )


def _localised(path: str) -> str:
    """Prefix a page path with the language, as i18n_patterns does (English has no prefix)."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.startswith("cy"):
        return f"/cy{path}"
    return path


def _links(path: str) -> dict:
    sections = site_sections()  # news and collections, where the site has them
    nav = [
        (reverse("projects:list"), _("Projects")),
        (reverse("councils:directory"), _("Councils")),
        (reverse("funding:calls"), _("Funding")),
        (sections.get("collections"), _("Collections")),
        (sections.get("news"), _("News")),
        (_localised("/about/"), _("About")),
    ]
    footer = [
        (sections.get("news"), _("News")),
        (sections.get("collections"), _("Collections")),
        (_localised("/about/"), _("About")),
        (_localised("/accessibility/"), _("Accessibility statement")),
        (_localised("/privacy/"), _("Privacy")),
        (_localised("/terms/"), _("Terms")),
    ]
    return {
        "nav_items": [
            {"href": href, "label": label, "current": path.startswith(href)}
            for href, label in nav
            if href
        ],
        "footer_items": [(href, label) for href, label in footer if href],
    }


def navigation(request: HttpRequest) -> dict:
    """Worked out only when a template shows them (the Wagtail admin's pages never do)."""
    links = SimpleLazyObject(lambda: _links(request.path))
    return {
        "nav_items": SimpleLazyObject(lambda: links["nav_items"]),
        "footer_items": SimpleLazyObject(lambda: links["footer_items"]),
    }
