"""Published projects in sitemap.xml, at their English and Welsh addresses."""

from django.contrib.sitemaps import Sitemap

from .selectors import project_sitemap_rows


class ProjectSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return project_sitemap_rows()

    def lastmod(self, project) -> object:
        return project.updated_at
