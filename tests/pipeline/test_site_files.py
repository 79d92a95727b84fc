"""Files that crawlers, browsers and security researchers ask for at fixed addresses."""

import datetime
import re

import pytest
from django.utils import timezone
from wagtail.models import Locale

from cms.models import HomePage, NewsIndexPage, StandardPage
from projects.models import State
from tests.factories import CouncilFactory, ProjectFactory, published_project

pytestmark = pytest.mark.django_db


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_robots_txt_keeps_crawlers_out_of_accounts_and_admin_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    for path in ("/cms-admin/", "/accounts/", "/cy/accounts/", "/my-pipeline/", "/api/"):
        assert f"Disallow: {path}\n" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /\n" not in text


def test_the_sitemap_lists_pages_projects_and_councils_in_both_languages(client):
    home = HomePage.objects.get()
    cymraeg = Locale.objects.get(language_code="cy")
    home.copy_for_translation(cymraeg).save_revision().publish()
    funding = publish(home, StandardPage(title="Funding", slug="funding", summary="s", body=[]))
    welsh = funding.copy_for_translation(cymraeg).specific
    welsh.slug = "cyllid"
    welsh.save_revision().publish()
    draft = StandardPage(title="Draft", slug="draft", summary="s", body=[], live=False)
    home.add_child(instance=draft)
    project = published_project(title="Book a bulky waste collection")
    hidden = published_project(title="Hidden one", is_hidden=True, hidden_reason="Spam")
    unpublished = ProjectFactory(title="Not yet", state=State.DRAFT)
    council = CouncilFactory(short_name="Guildford")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    xml = response.content.decode()
    locations = set(re.findall(r"<loc>([^<]+)</loc>", xml))
    base = "http://testserver"
    assert {
        f"{base}/",
        f"{base}/cy/",
        f"{base}/funding/",
        f"{base}/cy/cyllid/",
        f"{base}{project.get_absolute_url()}",
        f"{base}/cy{project.get_absolute_url()}",
        f"{base}{council.get_absolute_url()}",
        f"{base}/cy{council.get_absolute_url()}",
    } <= locations
    assert f"{base}/draft/" not in locations
    for other in (hidden, unpublished):
        assert other.slug not in xml
    assert f'hreflang="cy" href="{base}/cy{project.get_absolute_url()}"' in xml


def test_security_txt_follows_rfc_9116(client, settings):
    settings.PIPELINE_SECURITY_CONTACT = "mailto:security@example.gov.uk"

    response = client.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(
        line.split(": ", 1)
        for line in response.content.decode().splitlines()
        if line and not line.startswith("#")
    )
    assert fields["Contact"] == "mailto:security@example.gov.uk"
    expires = datetime.datetime.fromisoformat(fields["Expires"])
    assert timezone.now() < expires < timezone.now() + datetime.timedelta(days=365)
    assert fields["Canonical"] == "http://testserver/.well-known/security.txt"
    assert fields["Preferred-Languages"] == "en, cy"
    policy = client.get(fields["Policy"].removeprefix("http://testserver"))
    assert policy.status_code == 200
    text = policy.content.decode()
    assert "mailto:security@example.gov.uk" in text
    assert "Polisi diogelwch Pipeline" in text  # and in Welsh


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/images/favicon.svg"


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_news_and_collections_are_in_the_navigation_and_footer(client, prefix):
    home = HomePage.objects.get()
    english = client.get(f"{prefix}/projects/").content.decode()
    assert "/news/" not in english  # no news pages yet: no link to nowhere

    publish(home, NewsIndexPage(title="News", slug="news"))
    from cms.models import CollectionIndexPage

    publish(home, CollectionIndexPage(title="Collections", slug="collections"))
    html = client.get(f"{prefix}/projects/").content.decode()

    navigation = html.split('id="navigation"')[1].split("</ul>")[0]
    footer = html.split('class="govuk-footer"')[1]
    for url in (f"{prefix}/news/", f"{prefix}/collections/"):
        assert f'href="{url}"' in navigation and f'href="{url}"' in footer
