"""Council pages in sitemap.xml, at their English and Welsh addresses."""

from django.contrib.sitemaps import Sitemap

from .selectors import council_sitemap_rows


class CouncilSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return council_sitemap_rows()

    def lastmod(self, council) -> object:
        return council.updated_at
