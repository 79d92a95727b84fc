"""The service navigation and the footer's links, which lead to the site's pages."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .selectors import site_sections


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
