from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _localised(path: str) -> str:
    """Prefix a page path with the language, as i18n_patterns does (English has no prefix)."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.startswith("cy"):
        return f"/cy{path}"
    return path


def _navigation(path: str) -> dict:
    from cms.selectors import site_sections

    sections = site_sections()  # news and collections, where the site has them
    nav = [
        (reverse("projects:list"), _("Projects")),
        (reverse("councils:directory"), _("Councils")),
        (sections.get("collections"), _("Collections")),
        (sections.get("news"), _("News")),
        (_localised("/about/"), _("About")),
    ]
    return {
        "nav_items": [
            {"href": href, "label": label, "current": path.startswith(href)}
            for href, label in nav
            if href
        ],
        "footer_items": [
            (href, label)
            for href, label in (
                (sections.get("news"), _("News")),
                (sections.get("collections"), _("Collections")),
                (_localised("/about/"), _("About")),
                (_localised("/accessibility/"), _("Accessibility statement")),
                (_localised("/privacy/"), _("Privacy")),
                (_localised("/terms/"), _("Terms")),
            )
            if href
        ],
    }


def site(request: HttpRequest) -> dict:
    """Navigation, footer and language links that every page's layout needs (the navigation
    only when a template asks for it: the Wagtail admin's pages never do)."""
    navigation = SimpleLazyObject(lambda: _navigation(request.path))
    current = get_language() or settings.LANGUAGE_CODE
    # A Wagtail page says where its translations are (cms.wagtail_hooks); elsewhere the same
    # address under the other language's prefix.
    page_urls = getattr(request, "language_urls", {})
    languages = [
        {
            "code": code,
            "name": name,
            "lang": "cy" if code == "cy" else "en",
            "href": page_urls.get(code) or translate_url(request.get_full_path(), code),
            "current": current == code,
        }
        for code, name in (("en-gb", "English"), ("cy", "Cymraeg"))
    ]
    return {
        "SERVICE_NAME": settings.PIPELINE_SERVICE_NAME,
        "nav_items": SimpleLazyObject(lambda: navigation["nav_items"]),
        "footer_items": SimpleLazyObject(lambda: navigation["footer_items"]),
        "language_links": languages,
    }
