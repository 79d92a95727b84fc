"""Bidirectional control characters are removed from what people write, on the web and through
the API alike, before any form, serializer or service sees it: a title ending in U+202E showed
reversed in listings and in the browser tab."""

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from core.text import BIDI_CONTROLS, clean_form_data, strip_bidi
from projects.models import Pledge, Project
from tests.api.conftest import assert_error, token_client
from tests.factories import CouncilFactory, published_project, verified_member

# U+202E (right-to-left override) made "Bins" read "sniB".
REVERSED = "\u202eBins for everyone"
EVERY_CONTROL = "A" + "B".join(BIDI_CONTROLS) + "Z"


def test_every_bidi_control_is_removed_and_nothing_else():
    assert len(BIDI_CONTROLS) == 12
    assert strip_bidi(EVERY_CONTROL) == "A" + "B" * (len(BIDI_CONTROLS) - 1) + "Z"
    kept = "Caerdydd – ôl, e\u0301, 👩🏽‍💻, a\u200bb, \ufeff"
    assert strip_bidi(kept) is kept


def test_form_data_is_cleaned_except_passwords():
    data = QueryDict(mutable=True)
    data.setlist("title", [REVERSED, "x\u2066y"])
    data["password1"] = "secret\u202e"
    cleaned = clean_form_data(data)
    assert cleaned.getlist("title") == ["Bins for everyone", "xy"]
    assert cleaned["password1"] == "secret\u202e"
    plain = QueryDict("title=Bins")
    assert clean_form_data(plain) is plain


@pytest.mark.django_db
def test_a_title_typed_on_the_web_is_stored_and_shown_without_them():
    project = published_project()
    client = Client()
    client.force_login(project.owner)
    response = client.post(
        reverse("projects:edit", args=[project.slug, "about"]),
        {
            "lead_council": project.lead_council.pk,
            "language": "en",
            "title": REVERSED,
            "summary": f"Summary {EVERY_CONTROL}",
        },
    )
    assert response.status_code == 302, response.content[:500]
    project.refresh_from_db()
    assert project.title == "Bins for everyone"
    assert not any(c in project.summary for c in BIDI_CONTROLS)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<title>Bins for everyone" in page
    assert "\u202e" not in page


@pytest.mark.django_db
def test_a_title_of_nothing_but_controls_is_refused_as_empty_on_the_web():
    """Removed before the form checks it, so it cannot become an empty title."""
    project = published_project()
    client = Client()
    client.force_login(project.owner)
    response = client.post(
        reverse("projects:edit", args=[project.slug, "about"]),
        {"lead_council": project.lead_council.pk, "title": "\u202e\u202d", "summary": "s"},
    )
    assert response.status_code == 200
    assert "Enter the project name" in response.content.decode()
    project.refresh_from_db()
    assert project.title


@pytest.mark.django_db
def test_a_profile_name_is_cleaned():
    person = verified_member()
    client = Client()
    client.force_login(person)
    client.post(
        reverse("accounts:profile_edit"),
        {
            "first_name": "\u202eAda",
            "last_name": "Love\u2067lace",
            "job_title": "",
            "notification_frequency": person.notification_frequency,
            "language": person.language,
        },
    )
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Ada", "Lovelace")


@pytest.mark.django_db
def test_text_sent_to_the_api_is_stored_and_returned_without_them():
    lead = CouncilFactory()
    owner = verified_member(lead)
    api = token_client(owner)
    created = api.post(
        "/api/v1/projects/",
        {"lead_council": lead.code, "title": REVERSED, "summary": EVERY_CONTROL},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["title"] == "Bins for everyone"
    assert created.json()["summary"] == strip_bidi(EVERY_CONTROL)
    slug = created.json()["slug"]
    changed = api.patch(f"/api/v1/projects/{slug}/", {"title": "Now\u200f here"}, format="json")
    assert changed.json()["title"] == "Now here"
    assert Project.objects.get(slug=slug).title == "Now here"

    project = published_project()
    partner = CouncilFactory()
    pledge = token_client(verified_member(partner)).post(
        "/api/v1/pledges/",
        {
            "project": project.slug,
            "council": partner.code,
            "kind": "money",
            "amount_pence": 100,
            "note": "\u202bOur\u202c note",
        },
        format="json",
    )
    assert pledge.json()["note"] == "Our note"
    assert Pledge.objects.get().note == "Our note"


@pytest.mark.django_db
def test_an_api_title_of_nothing_but_controls_is_refused_as_blank():
    lead = CouncilFactory()
    api = token_client(verified_member(lead))
    response = api.post(
        "/api/v1/projects/",
        {"lead_council": lead.code, "title": "\u202e", "summary": "s"},
        format="json",
    )
    assert_error(response, 400, field="title")
    assert not Project.objects.exists()
