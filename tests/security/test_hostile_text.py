"""Hostile text in every user-written field stays text: inert on every page, in feeds, in
emails, and returned by the API as the same string, not markup.

Each field gets a payload naming the field (so a failure says which field leaked): a script
element, an image with an event handler, an SVG, a javascript: link (as HTML and as Markdown),
a style element, quote and tag breakers, and an attempt to close a feed's CDATA or title.
"""

import json

import pytest
from defusedxml import ElementTree
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.markdown import ALLOWED_TAGS
from projects.services import people, pledges
from tests.factories import CouncilFactory, verified_member

from .test_headers import inline_code
from .world import make_world

pytestmark = pytest.mark.django_db

FIELDS = [
    "title",
    "summary",
    "description",
    "problem",
    "users",
    "outcomes",
    "need",
    "note",
    "reason",
    "update_title",
    "update_body",
    "message",
    "first_name",
    "last_name",
    "job_title",
    "council",
]
# Names and titles have short limits; the longer fields get the whole corpus.
SHORT = {"title": 120, "summary": 300, "need": 300, "first_name": 150, "last_name": 150}
SHORT |= {"job_title": 150, "update_title": 150, "council": 100}


def payload(field: str) -> str:
    corpus = [
        f'<script>alert("{field}")</script>',
        f'"><img src=x onerror=alert("{field}")>',
        f"<svg/onload=alert('{field}')>",
        f"<a href=\"javascript:alert('{field}')\">{field}</a>",
        f"[{field} link](javascript:alert(1))",
        "<style>body{display:none}</style>",
        "]]></title><script>x</script>",
        "'';!--\"<XSS>=&{()}",
        "<iframe src=//evil.example>",
        '<div onmouseover="alert(1)">hover</div>',
    ]
    text = " ".join(corpus)
    limit = SHORT.get(field)
    return text[:limit] if limit else text


class _Elements:
    """Tags and attributes an HTML parser sees: what a browser would build."""

    BAD_TAGS = {"script", "img", "svg", "iframe", "style", "xss", "div"}

    def __init__(self, html: str):
        from html.parser import HTMLParser

        found = self.found = []

        class P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                found.append((tag, dict(attrs)))

        P().feed(html)

    def hostile(self) -> list:
        out = []
        for tag, attrs in self.found:
            if tag in ("xss",) or (tag == "img" and attrs.get("src") == "x"):
                out.append((tag, attrs))
            if tag == "iframe" or (tag == "script" and not attrs.get("src")):
                out.append((tag, attrs))
            if any(name.startswith("on") for name in attrs):
                out.append((tag, attrs))
            if any((v or "").strip().lower().startswith("javascript:") for v in attrs.values()):
                out.append((tag, attrs))
        return out


@pytest.fixture
def world():
    w = make_world(**{field: payload(field) for field in FIELDS})
    # A council named by an organiser (register names are organiser-edited), and its member's
    # profile, so council pages and names show hostile text too.
    w.users["organiser"].first_name = payload("first_name")
    return w


def _pages(w) -> list[tuple[str, str]]:
    pledge = w.to_withdraw
    pledges.pledge_withdraw(actor=w.users["pledger"], pledge=pledge, reason=payload("reason"))
    return [
        ("anonymous", "/"),
        ("anonymous", reverse("projects:list")),
        ("anonymous", reverse("projects:list") + "?q=%3Cscript%3E"),
        ("anonymous", reverse("projects:detail", args=[w.project.slug])),
        ("anonymous", reverse("projects:pledge_detail", args=[pledge.pk])),
        ("anonymous", reverse("projects:pledge_detail", args=[w.offered.pk])),
        ("anonymous", reverse("councils:detail", args=[w.lead.slug])),
        ("anonymous", reverse("councils:directory") + "?q=Leadshire"),
        ("anonymous", "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E"),
        ("owner", reverse("dashboard")),
        ("owner", reverse("projects:manage", args=[w.project.slug])),
        ("owner", reverse("projects:team", args=[w.project.slug])),
        ("owner", reverse("projects:needs", args=[w.project.slug])),
        ("owner", reverse("projects:pledge_action", args=[w.offered.pk, "accept"])),
        ("owner", reverse("accounts:profile")),
        ("pledger", reverse("projects:pledge", args=[w.project.slug])),
        ("pledger", reverse("dashboard")),
        ("organiser", reverse("councils:members", args=[w.lead.slug])),
        ("pending", reverse("accounts:profile")),
    ]


def test_hostile_text_is_inert_on_every_page(world):
    w = world
    leaks, shown = {}, 0
    for role, path in _pages(w):
        client = Client()
        if role != "anonymous":
            client.force_login(w.users[role])
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        bad = _Elements(html).hostile() + inline_code(html)
        if bad:
            leaks[path] = bad
        shown += html.count("&lt;script&gt;alert(")
    assert not leaks, json.dumps(leaks, indent=1, default=str)[:4000]
    assert shown > 20, "the payloads should be shown, escaped, on these pages"


def test_markdown_fields_are_sanitised_not_just_escaped():
    """Description and update bodies are Markdown: rendered, then cleaned by nh3."""
    text = "**kept** [link](javascript:alert(1)) <b onclick='x()'>b</b> <script>gone()</script>"
    w = make_world(description=text, update_body=text)
    html = Client().get(reverse("projects:detail", args=[w.project.slug])).content.decode()
    assert html.count("<strong>kept</strong>") == 2  # description and the update
    assert not _Elements(html).hostile()
    assert "gone()" not in html or "&lt;script&gt;gone()" in html


def _feed_texts(xml: bytes) -> list[str]:
    root = ElementTree.fromstring(xml)  # well-formed, whatever the text
    return [el.text or "" for el in root.iter() if el.tag.split("}")[-1] in FEED_TEXT]


def _feed_markup_is_unsafe(text: str) -> bool:
    """Escaped text has no elements; an update's rendered Markdown has only nh3's safe ones."""
    elements = _Elements(text)
    return bool(elements.hostile()) or any(tag not in ALLOWED_TAGS for tag, _ in elements.found)


# What readers render as HTML: RSS descriptions, Atom summaries and content. (Titles, an Atom
# author's name and categories are plain text, shown as written.)
FEED_TEXT = {"description", "summary", "content"}


def test_feeds_carry_the_text_escaped_for_readers_that_render_html(world):
    """RSS descriptions and Atom summaries are HTML to feed readers: after XML parsing, the text
    must still be escaped (no element a reader would build), or be nh3-cleaned Markdown."""
    w = world
    feeds = [
        reverse("projects:feed"),
        reverse("projects:feed_atom"),
        reverse("projects:updates_feed", args=[w.project.slug]),
        reverse("projects:updates_feed_atom", args=[w.project.slug]),
        reverse("councils:feed", args=[w.lead.slug]),
        reverse("councils:feed_atom", args=[w.lead.slug]),
        reverse("projects:area_feed", args=[w.area.slug]),
        reverse("projects:area_feed_atom", args=[w.area.slug]),
    ]
    leaks = {}
    for url in feeds:
        response = Client().get(url)
        assert response.status_code == 200, url
        texts = _feed_texts(response.content)
        assert any("alert(" in t for t in texts), f"{url}: the payload is not in the feed"
        bad = [t[:120] for t in texts if _feed_markup_is_unsafe(t)]
        if bad:
            leaks[url] = bad
    assert not leaks, leaks


def test_emails_are_plain_text_with_the_text_as_written(world, django_capture_on_commit_callbacks):
    w = world
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pledge = pledges.pledge_offer(
            actor=w.users["pledger"],
            project=w.project,
            council=w.partner,
            kind="money",
            amount=100,
            note=payload("note"),
        )
        pledges.pledge_withdraw(actor=w.users["pledger"], pledge=pledge, reason=payload("reason"))
        people.update_post(
            actor=w.users["owner"],
            project=w.project,
            title=payload("update_title"),
            body=payload("update_body"),
        )
    assert mail.outbox, "no email was sent"
    for message in mail.outbox:
        assert not getattr(message, "alternatives", None), "emails are plain text only"
        assert "\n" not in message.subject and "\r" not in message.subject
        # Plain text shows the text as written: not HTML-escaped (&lt;…) and not dropped.
        assert "&lt;" not in message.body and "&lt;" not in message.subject, message.subject
    bodies = "\n".join(m.body for m in mail.outbox)
    assert '<script>alert("note")</script>' in bodies
    assert any("<script>" in m.subject for m in mail.outbox)


def test_a_title_with_line_breaks_cannot_inject_email_headers(django_capture_on_commit_callbacks):
    w = make_world(title="Waste\r\nBcc: everyone@example.org")
    mail.outbox.clear()
    council = CouncilFactory()
    with django_capture_on_commit_callbacks(execute=True):
        pledges.pledge_offer(
            actor=verified_member(council),
            project=w.project,
            council=council,
            kind="money",
            amount=100,
        )
    assert mail.outbox
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.bcc == [] and "everyone@example.org" not in message.recipients()


def test_the_api_returns_the_text_as_data(world):
    w = world
    client = APIClient()
    project = client.get(f"/api/v1/projects/{w.project.slug}/")
    assert project["Content-Type"] == "application/json"
    data = project.json()
    for key, field in [
        ("title", "title"),
        ("summary", "summary"),
        ("description", "description"),
        ("problem", "problem"),
        ("users", "users"),
        ("outcomes", "outcomes"),
    ]:
        assert data[key] == payload(field), key  # the same string, not escaped or rendered
    assert data["owner"] == f"{payload('first_name')} {payload('last_name')}"
    assert {n["description"] for n in data["needs"]} >= {payload("need")}
    pledge = client.get(f"/api/v1/pledges/{w.offered.pk}/").json()
    assert pledge["note"] == payload("note")
    updates = client.get(f"/api/v1/projects/{w.project.slug}/updates/").json()
    posted = next(u for u in updates if u["title"] == payload("update_title"))
    assert posted["body"] == payload("update_body")
    council = client.get(f"/api/v1/councils/{w.lead.code}/").json()
    assert council["name"] == payload("council")
    raw = project.content.decode()
    assert "<script>" in raw and "&lt;script" not in raw  # JSON strings, not HTML
