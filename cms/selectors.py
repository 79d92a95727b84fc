"""Reading Wagtail pages in the reader's language.

Each page may have a version per language (its translations share a ``translation_key``).
Listings show one version of each: the reader's language where a live one exists, otherwise
the default language's, which is also what ``HomePage.route`` serves for an untranslated page.
So a Welsh reader never sees a page twice, nor misses one that has no Welsh version yet.
"""

from django.conf import settings
from django.db.models import Q
from django.urls import translate_url
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page
from wagtail.query import PageQuerySet

from core.locales import content_languages, locale_codes, page_language


def in_reader_language(pages: PageQuerySet) -> PageQuerySet:
    """One version of each page in ``pages``: the active locale's, else the default locale's.

    Filters on the page's own columns (locale, translation_key) only, so that Wagtail's search
    can take the queryset (it refuses filters across relations).
    """
    ids = {code: pk for pk, code in locale_codes().items()}
    active, default = (ids.get(code) for code in content_languages())
    if active == default:
        return pages.filter(locale_id=active)
    translated = Page.objects.live().filter(locale_id=active).values("translation_key")
    return pages.filter(
        Q(locale_id=active) | Q(locale_id=default) & ~Q(translation_key__in=translated)
    )


def children_in_reader_language(page: Page, model: type[Page]) -> PageQuerySet:
    """Children of ``page`` and of its translations, one version of each (see above)."""
    under = Q()
    for path, depth in page.get_translations(inclusive=True).values_list("path", "depth"):
        under |= Q(path__startswith=path, depth=depth + 1)
    return in_reader_language(model.objects.filter(under))


def site_pages(root: Page | None) -> PageQuerySet:
    """Live, public pages under the site's home page, in every language (each home page is a
    translation of the site's root page, beside it in the tree, not under it)."""
    pages = Page.objects.live().public().filter(depth__gt=1)
    if root is not None:
        under = Q()
        for path in root.get_translations(inclusive=True).values_list("path", flat=True):
            under |= Q(path__startswith=path)
        pages = pages.filter(under)
    return pages


def site_pages_in_reader_language(root: Page | None) -> PageQuerySet:
    """Live, public pages under the site's home page in any language, one version of each."""
    return in_reader_language(site_pages(root))


def reader_version(page: Page) -> Page:
    """The page's live version in the reader's language, else the page itself.

    Like Wagtail's ``page.localized``, with no query when the page is in that language already.
    """
    active, _ = content_languages()
    if page_language(page) == active:
        return page
    ids = {code: pk for pk, code in locale_codes().items()}
    version = (
        type(page)
        ._default_manager.live()
        .filter(translation_key=page.translation_key, locale_id=ids.get(active))
        .first()
    )
    return version if version is not None else page


def reader_url(page: Page, request=None) -> str:
    """The address to link to ``page`` for this reader, which never changes their language.

    Its version in the reader's language where there is a live one; otherwise its own text at
    the reader's language's address (``HomePage.route`` serves it there). Wagtail's own
    ``page.url`` is always in the page's language, so a Welsh reader following it to a page
    not yet in Welsh would find the whole interface in English.
    """
    reader = translation.get_language()
    page = reader_version(page)
    url = page.get_url(request) or ""
    language = page_language(page)
    if not url or language == content_languages()[0]:
        return url
    with translation.override(language):
        return translate_url(url, reader)


def language_urls(page: Page, request) -> dict[str, str]:
    """{language code: the address of this page for that language's reader}, for the language
    links: its live version in that language, else its own text under that language's prefix
    (``HomePage.route`` serves it there, or takes a Welsh page to its Welsh address). What
    followed the page's own address (a routable page's sub-path, the query) goes along.
    One query (none on the home page), whatever the number of languages."""
    own = page.get_url(request)
    if not own:
        return {}
    language = page_language(page)
    with translation.override(language):
        at = {code: translate_url(own, code) for code, _name in settings.LANGUAGES}
    served_at = max(
        (url for url in (own, *at.values()) if request.path.startswith(url)),
        key=len,
        default=request.path,
    )
    tail = request.path[len(served_at) :]
    if query := request.META.get("QUERY_STRING", ""):
        tail += f"?{query}"
    codes = locale_codes()
    versions = {}
    if page.depth > 2:  # a home page's versions are the languages' roots: no query needed
        versions = {
            codes.get(version.locale_id): version
            for version in page.get_translations(inclusive=False)
            .live()
            .only("url_path", "locale_id", "translation_key", "depth", "path")
        }
    urls = {}
    for code, _name in settings.LANGUAGES:
        wanted = get_supported_content_language_variant(code)
        version = page if wanted == language else versions.get(wanted)
        # A version Wagtail cannot place under a site (its cached site roots may predate the
        # version's home page) is reached the way an untranslated page is.
        url = version.get_url(request) if version is not None else None
        urls[code] = (url or at[code]) + tail
    return urls
