"""News: newest first, paginated with GOV.UK pagination, filterable by tag, with an RSS feed."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from cms.models import NEWS_PER_PAGE, HomePage, NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_index() -> NewsIndexPage:
    home = HomePage.objects.get()
    index = NewsIndexPage(title="News", slug="news", introduction="What is new")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def add_post(index, n: int, *, date: datetime.date, tags=(), live: bool = True) -> NewsPage:
    post = NewsPage(
        title=f"Post {n}",
        slug=f"post-{n}",
        date=date,
        author="LocalGov Digital",
        summary=f"Summary {n}",
        body=[{"type": "rich_text", "value": f"<p>Body {n}</p>"}],
        live=live,
    )
    post.tags.add(*tags)
    index.add_child(instance=post)
    if live:
        post.save_revision().publish()
    return post


def test_news_is_newest_first_and_paginated(client, news_index):
    start = datetime.date(2026, 1, 1)
    for n in range(NEWS_PER_PAGE + 2):
        add_post(news_index, n, date=start + datetime.timedelta(days=n))

    first = client.get("/news/").content.decode()
    second = client.get("/news/?page=2").content.decode()

    newest, oldest = f"Post {NEWS_PER_PAGE + 1}<", "Post 0<"
    assert first.index(newest) < first.index(f"Post {NEWS_PER_PAGE}<")
    assert oldest not in first
    assert oldest in second and "Post 1<" in second
    assert 'class="govuk-pagination"' in first
    assert 'href="?page=2"' in first


def test_draft_posts_are_not_listed(client, news_index):
    add_post(news_index, 1, date=datetime.date(2026, 1, 1))
    add_post(news_index, 2, date=datetime.date(2026, 1, 2), live=False)

    html = client.get("/news/").content.decode()

    assert "Post 1<" in html
    assert "Post 2<" not in html


def test_news_can_be_filtered_by_tag(client, news_index):
    add_post(news_index, 1, date=datetime.date(2026, 1, 1), tags=["waste"])
    add_post(news_index, 2, date=datetime.date(2026, 1, 2), tags=["planning"])

    html = client.get("/news/?tag=waste").content.decode()

    assert "Post 1<" in html
    assert "Post 2<" not in html


def test_the_index_links_its_rss_feed(client, news_index):
    html = client.get("/news/").content.decode()

    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/news/feed/"' in html


def test_the_rss_feed_lists_posts_newest_first(client, news_index):
    add_post(news_index, 1, date=datetime.date(2026, 1, 1), tags=["waste"])
    add_post(news_index, 2, date=datetime.date(2026, 2, 1))
    add_post(news_index, 3, date=datetime.date(2026, 3, 1), live=False)

    response = client.get("/news/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Post 2", "Post 1"]
    assert items[0].findtext("link") == "http://testserver/news/post-2/"
    assert items[0].findtext("description") == "Summary 2"
    assert [c.text for c in items[1].findall("category")] == ["waste"]
