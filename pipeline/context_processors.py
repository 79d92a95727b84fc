from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _localised(path: str) -> str:
    """Prefix a page path with the language, as i18n_patterns does (English has no prefix)."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.startswith("cy"):
        return f"/cy{path}"
    return path


def site(request: HttpRequest) -> dict:
    """Navigation, footer and language links that every page's layout needs."""
    path = request.path
    nav = [
        (reverse("projects:list"), _("Projects")),
        (reverse("councils:directory"), _("Councils")),
        (_localised("/about/"), _("About")),
    ]
    nav_items = [
        {"href": href, "label": label, "current": path.startswith(href)} for href, label in nav
    ]
    footer_items = [
        (_localised("/about/"), _("About")),
        (_localised("/accessibility/"), _("Accessibility statement")),
        (_localised("/privacy/"), _("Privacy")),
        (_localised("/terms/"), _("Terms")),
    ]
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
        "nav_items": nav_items,
        "footer_items": footer_items,
        "language_links": languages,
    }
