"""The site's Wagtail pages in sitemap.xml, every language's version at its own address."""

from django.contrib.sitemaps import Sitemap
from wagtail.models import Site

from .selectors import site_pages


class PageSitemap(Sitemap):
    """Django's sitemap rather than wagtail.contrib.sitemaps: Wagtail's lists only the pages
    under the site's root page (the default language's; the Welsh home page is its translation,
    beside it) and takes the host from the Site record, where projects and councils take it from
    the request."""

    def items(self):
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        root = site.root_page if site else None
        return site_pages(root).order_by("path").defer_streamfields()

    def location(self, page) -> str:
        return page.get_url()

    def lastmod(self, page):
        return page.last_published_at or page.latest_revision_created_at
