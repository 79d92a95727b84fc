from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def site(request: HttpRequest) -> dict:
    """The service's name and the language links that every page's layout needs (the
    navigation and footer links are ``cms.context_processors.navigation``)."""
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
        "language_links": languages,
        "PART_CACHE_SECONDS": settings.PART_CACHE_SECONDS,  # {% cache %} of shared page parts
    }
