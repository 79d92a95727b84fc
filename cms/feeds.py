"""The RSS feed of news posts, served by NewsIndexPage at feed/."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone

FEED_ITEMS = 20


class NewsFeed(Feed):
    def get_object(self, request, *args, index_page=None, **kwargs):
        self.request = request
        return index_page

    def title(self, index_page) -> str:
        site = index_page.get_site()
        site_name = site.site_name if site and site.site_name else "Pipeline"
        return f"{index_page.title} – {site_name}"

    def link(self, index_page) -> str:
        return index_page.get_url(request=self.request)

    def description(self, index_page) -> str:
        return index_page.introduction or index_page.title

    def feed_url(self, index_page) -> str:
        return index_page.get_url(request=self.request) + index_page.reverse_subpage("feed")

    def items(self, index_page):
        return index_page.news_items().prefetch_related("tags")[:FEED_ITEMS]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.summary

    def item_link(self, item) -> str:
        return item.get_url(request=self.request)

    def item_pubdate(self, item) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(9)))

    def item_author_name(self, item) -> str:
        return item.author

    def item_categories(self, item) -> list[str]:
        return [tag.name for tag in item.tags.all()]
