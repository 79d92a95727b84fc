"""Which language a Wagtail page is written in, and which the reader reads, without a query.

Wagtail's locales are two rows read on every page; they are kept in the cache, and the cache is
cleared when a locale is saved or deleted (``core.apps``).
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

LOCALES_CACHE_KEY = "cms:locale-codes"


def locale_codes() -> dict[int, str]:
    """{locale id: language code}, cached: two rows, read on every page. Cleared when a locale
    is saved or deleted (``core.apps``)."""
    codes = cache.get(LOCALES_CACHE_KEY)
    if codes is None:
        codes = dict(Locale.objects.values_list("pk", "language_code"))
        cache.set(LOCALES_CACHE_KEY, codes, 3600)
    return codes


def clear_locale_codes(**kwargs) -> None:
    cache.delete(LOCALES_CACHE_KEY)


def content_languages() -> tuple[str, str]:
    """(the reader's content language, the default one), as Wagtail locale codes."""
    default = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    try:
        active = get_supported_content_language_variant(translation.get_language())
    except LookupError:
        active = default
    return active, default


def page_language(page: Page) -> str:
    """The language code of the page's locale, without a query."""
    code = locale_codes().get(page.locale_id)
    return code if code is not None else page.locale.language_code
