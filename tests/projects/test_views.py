"""The project pages as a person uses them: listing, propose flow, pledging, the owner's side."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Kind, Language, Pledge, PledgeState, Project, State
from tests.factories import (
    CouncilFactory,
    ServiceAreaFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    """Queries of a second request: the first fills the caches (locales, the navigation)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_listing_runs_the_same_number_of_queries_for_1_and_20_projects(client):
    area = ServiceAreaFactory(name="Waste", slug="waste")
    published_project(service_areas=[area])
    one = count_queries(client, "/projects/")
    for _ in range(19):
        published_project(service_areas=[area])
    many = count_queries(client, "/projects/")
    assert one == many
    assert b"20 projects" in client.get("/projects/").content


def test_listing_with_filters_applied_keeps_a_constant_query_count(client):
    area = ServiceAreaFactory(name="Waste", slug="waste")
    published_project(service_areas=[area])
    url = "/projects/?phase=idea&area=waste&needs=money&sort=most_supported&q=Shared"
    one = count_queries(client, url)
    for _ in range(10):
        published_project(service_areas=[area])
    assert count_queries(client, url) == one


def _titles(page) -> list[str]:
    """The titles of a listing page's projects (its rows hold only their keys)."""
    titles = dict(Project.objects.filter(pk__in=[p.pk for p in page]).values_list("pk", "title"))
    return [titles[p.pk] for p in page]


def _walk(client, url: str) -> list[tuple[str, list[str], int, list[str]]]:
    """Follow Next from ``url``: each page's address, titles, query count and SQL."""
    pages = []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        page = response.context["page"]
        sql = [q["sql"] for q in ctx.captured_queries]
        pages.append((url, _titles(page), len(sql), sql))
        url = f"/projects/{page.next_url}" if page.next_url else None
    return pages


def test_listing_pages_by_cursor_with_no_count_and_the_last_page_as_cheap_as_the_first(
    client, monkeypatch
):
    monkeypatch.setattr("projects.views.pages.LIST_PAGE_SIZE", 5)
    area = ServiceAreaFactory(name="Waste", slug="waste")
    start = timezone.now() - datetime.timedelta(days=30)
    for n in range(12):
        published_project(title=f"Service {n:02}", service_areas=[area])
        Project.objects.filter(title=f"Service {n:02}").update(
            published_at=start + datetime.timedelta(days=n)
        )
    published_project(title="Not waste")  # filtered out below

    client.get("/projects/?area=waste")  # fills the caches (locales, the navigation)
    pages = _walk(client, "/projects/?area=waste")
    titles = [t for _url, page_titles, _n, _sql in pages for t in page_titles]
    assert titles == [f"Service {n:02}" for n in reversed(range(12))]
    assert [len(p[1]) for p in pages] == [5, 5, 2]
    assert all("area=waste" in url for url, *_ in pages)  # Next keeps the filters
    assert len({n for _url, _t, n, _sql in pages}) == 1
    assert not [q for *_rest, sql in pages for q in sql if "COUNT(" in q.upper()]

    last = client.get(pages[-1][0])
    assert last.context["page"].next_url is None
    content = last.content.decode()
    assert 'rel="prev"' in content and 'rel="next"' not in content
    assert "Showing 2 projects on this page" in content
    back = client.get(f"/projects/{last.context['page'].previous_url}")
    assert _titles(back.context["page"]) == titles[5:10]


def test_listing_pages_keep_the_chosen_sort(client, monkeypatch):
    monkeypatch.setattr("projects.views.pages.LIST_PAGE_SIZE", 2)
    for target in [3, 1, 4, 5, 2]:
        published_project(title=f"Target {target}", partner_target=target)
    for project in Project.objects.all():
        Project.objects.filter(pk=project.pk).update(partner_count=project.partner_target)
    pages = _walk(client, "/projects/?sort=most_supported")
    titles = [t for _url, page_titles, _n, _sql in pages for t in page_titles]
    assert titles == ["Target 5", "Target 4", "Target 3", "Target 2", "Target 1"]


def test_a_forged_cursor_is_a_404_in_the_site_layout(client):
    published_project()
    response = client.get("/projects/?cursor=not-a-cursor")
    assert response.status_code == 404
    assert b"govuk-footer" in response.content and b"Page not found" in response.content


def test_project_page_query_count_does_not_grow_with_pledges(client):
    project = published_project()
    make_pledge(project, state=PledgeState.ACCEPTED)
    url = project.get_absolute_url()
    one = count_queries(client, url)
    for state in [PledgeState.OFFERED, PledgeState.ACCEPTED, PledgeState.FULFILLED] * 16 + [
        PledgeState.WITHDRAWN
    ]:
        make_pledge(project, state=state)
    assert Pledge.objects.filter(project=project).count() == 50
    assert count_queries(client, url) == one


def test_drafts_are_visible_only_to_members_of_the_lead_council(client):
    project = published_project()
    Project.objects.filter(pk=project.pk).update(state=State.DRAFT)
    url = project.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(verified_member(CouncilFactory()))
    assert client.get(url).status_code == 404
    client.force_login(verified_member(project.lead_council))
    response = client.get(url)
    assert response.status_code == 200
    assert b"Only members of the lead council can see this draft" in response.content
    assert project.title.encode() not in client.get("/projects/").content


def test_proposing_a_project_step_by_step_then_publishing(client):
    council = CouncilFactory(short_name="Hackney")
    officer = verified_member(council)
    other = verified_member(CouncilFactory())
    ServiceAreaFactory(name="Waste", slug="waste")
    client.force_login(officer)

    response = client.post(
        "/projects/new/",
        {
            "lead_council": council.pk,
            "title": "Book a bulky waste collection",
            "summary": "Book and pay online.",
            "description": "Some **bold** text <script>alert(1)</script>",
            "service_areas": ["waste"],
        },
    )
    project = Project.objects.get(title="Book a bulky waste collection")
    assert project.state == State.DRAFT and project.owner == officer
    assert response["Location"] == reverse("projects:edit", args=[project.slug, "problem"])

    response = client.post(
        reverse("projects:edit", args=[project.slug, "problem"]),
        {"problem": "Phone bookings are slow", "users": "Residents", "outcomes": ""},
    )
    assert response["Location"] == reverse("projects:needs", args=[project.slug])

    # Publishing without needs is refused with a message.
    response = client.post(reverse("projects:check", args=[project.slug]))
    assert response.status_code == 200
    assert b"Add at least one need" in response.content

    client.post(
        reverse("projects:needs", args=[project.slug]), {"kind": "money", "amount": "25,000.50"}
    )
    client.post(
        reverse("projects:needs", args=[project.slug]),
        {"kind": "time", "amount": "12.5", "role": "developer"},
    )
    project.refresh_from_db()
    assert project.money_needed == 2_500_050
    assert project.half_days_needed == 25
    # Each need's row names its role once, in the key, and its amount in the value.
    needs_page = client.get(reverse("projects:needs", args=[project.slug])).content.decode()
    assert re.search(r"Developer</dt>\s*<dd[^>]*>12.5 days", needs_page), needs_page

    deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("projects:edit", args=[project.slug, "details"]),
        {
            "pledging_deadline_day": str(deadline.day),
            "pledging_deadline_month": str(deadline.month),
            "pledging_deadline_year": str(deadline.year),
            "partner_target": "3",
            "licence": "MIT",
        },
    )
    assert response["Location"] == reverse("projects:check", args=[project.slug])

    check = client.get(reverse("projects:check", args=[project.slug]))
    assert b"Check your answers before publishing" in check.content
    assert b"Phone bookings are slow" in check.content
    assert project.pledging_deadline is None
    project.refresh_from_db()
    assert project.pledging_deadline == deadline

    # Another council's officer cannot see or publish the draft.
    client.force_login(other)
    assert client.get(reverse("projects:check", args=[project.slug])).status_code == 404

    client.force_login(officer)
    response = client.post(reverse("projects:check", args=[project.slug]))
    assert response["Location"] == project.get_absolute_url()
    project.refresh_from_db()
    assert project.state == State.SEEKING_SUPPORT
    page = client.get(project.get_absolute_url()).content
    assert b"<strong>bold</strong>" in page
    assert b"<script>alert(1)</script>" not in page
    assert b"&pound;25,000.50" in page or "£25,000.50".encode() in page


def test_proposing_needs_a_verified_membership(client):
    client.force_login(UserFactory())
    response = client.get("/projects/new/")
    assert response.status_code == 403
    assert b"Join your council first" in response.content


@pytest.mark.parametrize(
    ("towards", "amount", "message"),
    [
        ("money", "", b"Enter how much you are pledging"),
        ("money", "0", b"The amount must be more than zero."),
        ("money", "-10", b"The amount must be more than zero."),
        ("money", "10000000.01", b"The amount must be \xc2\xa310,000,000 or less."),
        ("money", "ten pounds", b"Enter an amount in pounds"),
        ("money", "10.001", b"no more than 2 decimals"),
        ("time", "2.25", b"whole or half days"),
        ("time", "2000.5", b"2,000 days or less"),
        ("", "10", b"Choose what you are pledging toward"),
    ],
)
def test_pledge_form_explains_bad_input_and_saves_nothing(client, towards, amount, message):
    project = published_project()
    pledger = verified_member(CouncilFactory())
    client.force_login(pledger)
    response = client.post(
        reverse("projects:pledge", args=[project.slug]),
        {"council": pledger.memberships.get().council_id, "towards": towards, "amount": amount},
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert message in response.content
    assert not Pledge.objects.exists()


def test_empty_pledge_form_shows_errors(client):
    project = published_project()
    client.force_login(verified_member(CouncilFactory()))
    response = client.post(reverse("projects:pledge", args=[project.slug]), {})
    assert b"Choose what you are pledging toward" in response.content
    assert b"Enter how much you are pledging" in response.content


def test_pledge_to_a_closed_project_is_refused_with_a_page(client):
    project = published_project()
    Project.objects.filter(pk=project.pk).update(state=State.CLOSED)
    client.force_login(verified_member(CouncilFactory()))
    response = client.get(reverse("projects:pledge", args=[project.slug]))
    assert response.status_code == 409
    assert b"not taking pledges" in response.content


def test_whole_pledge_flow_through_the_web(client, django_capture_on_commit_callbacks):
    """Two councils pledge; the owner accepts, declines and fulfils; a council withdraws."""
    project = published_project()
    money_need, time_need = list(project.needs.order_by("pk"))
    owner = project.owner
    guildford, cardiff = (
        CouncilFactory(short_name="Guildford"),
        CouncilFactory(short_name="Cardiff"),
    )
    g_officer, c_officer = verified_member(guildford), verified_member(cardiff)

    def pledge(user, council, towards, amount):
        client.force_login(user)
        response = client.post(
            reverse("projects:pledge", args=[project.slug]),
            {"council": council.pk, "towards": towards, "amount": amount, "note": "Budget"},
        )
        assert response["Location"] == reverse("projects:pledge_check", args=[project.slug])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(response["Location"])
        pledge = Pledge.objects.latest("pk")
        assert response["Location"] == reverse("projects:pledge_confirmation", args=[pledge.pk])
        assert b"Pledge made" in client.get(response["Location"]).content
        return pledge

    mail.outbox.clear()
    p1 = pledge(g_officer, guildford, str(money_need.pk), "2000")
    p2 = pledge(c_officer, cardiff, str(time_need.pk), "5.5")
    p3 = pledge(c_officer, cardiff, "money", "750.25")
    p4 = pledge(g_officer, guildford, "money", "100")
    assert [m.to for m in mail.outbox] == [[owner.email]] * 4

    def act(user, pledge, action, data):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("projects:pledge_action", args=[pledge.pk, action]), data
            )
        assert response["Location"] == reverse("projects:pledge_detail", args=[pledge.pk]), (
            response.content
        )

    mail.outbox.clear()
    act(owner, p1, "accept", {"note": "Thank you"})
    act(owner, p2, "accept", {})
    act(owner, p2, "fulfil", {"note": "Days delivered"})
    act(owner, p3, "decline", {"note": "We have enough money"})
    act(g_officer, p4, "withdraw", {"reason": "Budget cut"})
    assert {tuple(m.to) for m in mail.outbox} == {
        (g_officer.email,),
        (c_officer.email,),
        (owner.email,),
    }

    # An owner-only action tried by the pledger is refused, and the withdrawn pledge stays so.
    client.force_login(g_officer)
    assert (
        client.post(reverse("projects:pledge_action", args=[p1.pk, "fulfil"]), {}).status_code
        == 403
    )
    client.force_login(owner)
    response = client.post(reverse("projects:pledge_action", args=[p4.pk, "accept"]), {})
    assert b"This pledge is withdrawn, so it cannot be accepted." in response.content

    project.refresh_from_db()
    assert (project.money_offered, project.money_accepted, project.money_fulfilled) == (
        0,
        200_000,
        0,
    )
    assert (project.half_days_offered, project.half_days_accepted, project.half_days_fulfilled) == (
        0,
        0,
        11,
    )
    assert project.partner_count == 2

    page = client.get(project.get_absolute_url()).content.decode()
    assert "£2,000 committed, £0 offered, of £5,000 needed" in page
    assert "5.5 days committed, 0 days offered, of 20 days needed" in page
    listing = client.get("/projects/").content.decode()
    assert "£2,000 committed of £5,000" in listing

    page = client.get(reverse("projects:pledge_detail", args=[p2.pk])).content.decode()
    history = page[page.index('<h2 class="govuk-heading-m">History</h2>') :]
    assert history.index("Offered") < history.index("Accepted") < history.index("Fulfilled")
    assert "Days delivered" in history


def test_owner_manages_phase_and_state_with_clear_refusals(client):
    project = published_project()
    client.force_login(project.owner)
    url = reverse("projects:manage", args=[project.slug])
    client.post(url, {"action": "phase", "phase": "beta"})
    project.refresh_from_db()
    assert project.phase == "beta"
    response = client.post(url, {"action": "phase", "phase": "idea"})
    assert b"The project cannot move to that phase now. Choose one listed." in response.content
    response = client.post(url, {"action": "state", "state": "completed"})
    assert b"The project cannot move to that state now. Choose one listed." in response.content
    client.post(url, {"action": "state", "state": "in_delivery"})
    project.refresh_from_db()
    assert project.state == State.IN_DELIVERY


def test_manage_page_is_refused_to_other_councils(client):
    project = published_project()
    client.force_login(verified_member(CouncilFactory()))
    assert client.get(reverse("projects:manage", args=[project.slug])).status_code == 403
    response = client.post(
        reverse("projects:manage", args=[project.slug]), {"action": "state", "state": "closed"}
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.state == State.SEEKING_SUPPORT


def test_pledge_kind_is_shown_in_money_and_days(client):
    project = published_project()
    make_pledge(project, kind=Kind.TIME, amount=3, state=PledgeState.OFFERED)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "1.5 days" in page


# --- the language a project is written in (WCAG 3.1.2, language of parts) ------------------


def test_the_first_step_asks_which_language_the_project_is_written_in(client):
    council = CouncilFactory()
    client.force_login(verified_member(council))

    html = client.get("/projects/new/").content.decode()

    assert 'name="language" type="radio" value="en" checked' in html
    assert 'name="language" type="radio" value="cy"' in html


def test_proposing_a_project_in_welsh_stores_its_language(client):
    council = CouncilFactory(short_name="Gwynedd")
    client.force_login(verified_member(council))

    client.post(
        "/projects/new/",
        {
            "lead_council": council.pk,
            "language": "cy",
            "title": "Rhoi gwybod am fin heb ei gasglu",
            "summary": "Rhoi gwybod ar-lein.",
        },
    )

    project = Project.objects.get()
    assert project.language == Language.WELSH
    check = client.get(reverse("projects:check", args=[project.slug])).content.decode()
    assert "Welsh" in check
    assert '<dd class="govuk-summary-list__value" lang="cy">Rhoi gwybod ar-lein.</dd>' in check


def test_editing_the_first_step_changes_the_language_and_keeps_it_when_left_out(client):
    project = published_project(title="Bin day finder")
    client.force_login(project.owner)
    url = reverse("projects:edit", args=[project.slug, "about"])
    about = {
        "lead_council": project.lead_council_id,
        "title": "Pryd mae'r biniau",
        "summary": "Dod o hyd i'ch diwrnod casglu.",
    }

    assert 'value="en" checked' in client.get(url).content.decode()
    client.post(url, {**about, "language": "cy"})
    project.refresh_from_db()
    assert project.language == Language.WELSH
    assert 'value="cy" checked' in client.get(url).content.decode()

    client.post(url, about)  # a client that leaves the field out changes nothing
    project.refresh_from_db()
    assert project.language == Language.WELSH


def test_an_unknown_language_is_refused(client):
    project = published_project()
    client.force_login(project.owner)

    response = client.post(
        reverse("projects:edit", args=[project.slug, "about"]),
        {
            "lead_council": project.lead_council_id,
            "title": project.title,
            "summary": project.summary,
            "language": "fr",
        },
    )

    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    assert b'<a href="#id_language_0">Choose English or Welsh</a>' in response.content
    project.refresh_from_db()
    assert project.language == Language.ENGLISH


def test_project_text_is_marked_with_its_language_where_the_interface_differs(client):
    welsh = published_project(
        title="Trwyddedau parcio",
        slug="trwyddedau-parcio",
        summary="Gwneud cais ar-lein.",
        description="Disgrifiad",
        language="cy",
    )
    english = published_project(title="Bin day finder", slug="bin-day-finder")

    page = client.get(welsh.get_absolute_url()).content.decode()
    assert '<h1 class="govuk-heading-xl" lang="cy">Trwyddedau parcio</h1>' in page
    assert '<p class="govuk-body-l" lang="cy">Gwneud cais ar-lein.</p>' in page
    assert '<div class="pipeline-prose" lang="cy"><p>Disgrifiad</p>' in page

    welsh_page = client.get(f"/cy{welsh.get_absolute_url()}").content.decode()
    assert '<h1 class="govuk-heading-xl">Trwyddedau parcio</h1>' in welsh_page  # same language

    listing = client.get("/projects/").content.decode()
    assert 'href="/projects/trwyddedau-parcio/" lang="cy">Trwyddedau parcio</a>' in listing
    assert 'href="/projects/bin-day-finder/">Bin day finder</a>' in listing

    welsh_listing = client.get("/cy/projects/").content.decode()
    assert 'href="/cy/projects/bin-day-finder/" lang="en">Bin day finder</a>' in welsh_listing
    assert 'href="/cy/projects/trwyddedau-parcio/">Trwyddedau parcio</a>' in welsh_listing
    assert english.language == Language.ENGLISH


# --- proposing: steps, phase, needs kept, Markdown, the GOV.UK date input --------------------


def _draft(client, **about):
    council = CouncilFactory(short_name="Hackney")
    client.force_login(verified_member(council))
    client.post(
        "/projects/new/",
        {"lead_council": council.pk, "title": "Bulky waste", "summary": "Online", **about},
    )
    return Project.objects.get(title="Bulky waste")


def test_proposing_asks_the_phase_and_says_which_step_of_five(client):
    council = CouncilFactory()
    client.force_login(verified_member(council))
    page = client.get("/projects/new/").content.decode()
    assert "Step 1 of 5" in page and "Which phase is the project in?" in page
    assert 'value="retired"' not in page  # nobody proposes a retired project
    project = _draft(client, phase="discovery")
    assert project.phase == "discovery"
    for url, step in (
        (reverse("projects:edit", args=[project.slug, "problem"]), 2),
        (reverse("projects:needs", args=[project.slug]), 3),
        (reverse("projects:edit", args=[project.slug, "details"]), 4),
        (reverse("projects:check", args=[project.slug]), 5),
    ):
        assert f"Step {step} of 5" in client.get(url).content.decode(), url
    # The phase can be changed while it is a draft, back as well as forward.
    client.post(
        reverse("projects:edit", args=[project.slug, "about"]),
        {"lead_council": project.lead_council_id, "title": "Bulky waste", "summary": "Online"}
        | {"phase": "beta"},
    )
    client.post(
        reverse("projects:edit", args=[project.slug, "about"]),
        {"lead_council": project.lead_council_id, "title": "Bulky waste", "summary": "Online"}
        | {"phase": "idea"},
    )
    project.refresh_from_db()
    assert project.phase == "idea"
    check = client.get(reverse("projects:check", args=[project.slug])).content.decode()
    assert "Phase" in check and "Idea" in check


def test_a_published_project_shows_no_steps_and_changes_phase_on_manage_only(client):
    project = published_project()
    client.force_login(project.owner)
    page = client.get(reverse("projects:edit", args=[project.slug, "about"])).content.decode()
    assert "Step 1 of 5" not in page
    assert 'name="phase"' not in page


def test_continue_adds_a_need_that_was_typed_but_not_added(client):
    project = _draft(client)
    response = client.post(
        reverse("projects:needs", args=[project.slug]),
        {"kind": "money", "amount": "25000", "continue": "1"},
    )
    assert response["Location"] == reverse("projects:edit", args=[project.slug, "details"])
    assert list(project.needs.values_list("kind", "amount")) == [("money", 2_500_000)]


def test_continue_with_a_half_typed_need_says_it_was_not_added(client):
    project = _draft(client)
    response = client.post(
        reverse("projects:needs", args=[project.slug]),
        {"kind": "time", "amount": "10", "continue": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The need you started has not been added." in page
    assert "Choose the role you need" in page
    assert 'value="10"' in page  # what was typed is kept
    assert not project.needs.exists()
    # With nothing typed, Continue simply moves on.
    response = client.post(reverse("projects:needs", args=[project.slug]), {"continue": "1"})
    assert response["Location"] == reverse("projects:edit", args=[project.slug, "details"])


def test_check_your_answers_shows_markdown_as_the_project_page_does(client):
    project = _draft(client, description="Some **bold** text\n\n- one\n- two")
    client.post(
        reverse("projects:edit", args=[project.slug, "problem"]),
        {"problem": "It is *slow*", "users": "Residents"},
    )
    page = client.get(reverse("projects:check", args=[project.slug])).content.decode()
    assert "<strong>bold</strong>" in page and "<li>one</li>" in page
    assert "<em>slow</em>" in page
    assert "**bold**" not in page


def _details(client, project, day="", month="", year=""):
    return client.post(
        reverse("projects:edit", args=[project.slug, "details"]),
        {
            "pledging_deadline_day": day,
            "pledging_deadline_month": month,
            "pledging_deadline_year": year,
        },
    )


def test_the_pledging_deadline_is_a_gov_uk_date_input_not_a_date_picker(client):
    project = _draft(client)
    page = client.get(reverse("projects:edit", args=[project.slug, "details"])).content.decode()
    assert 'type="date"' not in page
    assert 'class="govuk-date-input"' in page
    for part in ("day", "month", "year"):
        assert f'name="pledging_deadline_{part}"' in page
    next_year = timezone.localdate().year + 1
    assert _details(client, project, "31", "3", str(next_year)).status_code == 302
    project.refresh_from_db()
    assert project.pledging_deadline == datetime.date(next_year, 3, 31)
    assert _details(client, project).status_code == 302  # left empty: no deadline
    project.refresh_from_db()
    assert project.pledging_deadline is None


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "marked"),
    [
        ("", "3", "2031", "Pledging deadline must include a day", ["day"]),
        ("31", "", "", "Pledging deadline must include a month and year", ["month", "year"]),
        ("", "", "2031", "Pledging deadline must include a day and month", ["day", "month"]),
        ("31", "2", "2031", "Pledging deadline must be a real date", ["day", "month", "year"]),
        ("x", "2", "2031", "Pledging deadline must be a real date", ["day", "month", "year"]),
        ("1", "2", "31", "Year must include 4 numbers", ["year"]),
        ("1", "1", "2020", "Pledging deadline must be today or in the future", None),
        ("1", "1", "0001", "Pledging deadline must be today or in the future", None),
    ],
)
def test_a_bad_deadline_gets_the_gov_uk_message_and_marks_the_wrong_boxes(
    client, day, month, year, message, marked
):
    project = _draft(client)
    response = _details(client, project, day, month, year)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    summary = page[page.index("govuk-error-summary") :]
    assert f'href="#id_pledging_deadline_{(marked or ["day"])[0]}"' in summary
    if marked:
        for part in ("day", "month", "year"):
            box = re.search(rf'<input class="([^"]*)" id="id_pledging_deadline_{part}"', page)
            assert ("govuk-input--error" in box.group(1)) is (part in marked), part
    assert f'value="{day}"' in page  # what was typed stays
    project.refresh_from_db()
    assert project.pledging_deadline is None


# --- pledging: what is still needed, check your answers, over-pledging ----------------------


def _pledger(client, project):
    council = CouncilFactory(short_name="Cardiff")
    client.force_login(verified_member(council))
    return council


def test_the_pledge_form_shows_what_is_still_needed(client):
    project = published_project()  # £5,000 and 20 developer days
    money, time = list(project.needs.order_by("pk"))
    make_pledge(project, amount=150_000, need=money, state=PledgeState.ACCEPTED)
    _pledger(client, project)
    page = client.get(reverse("projects:pledge", args=[project.slug])).content.decode()
    assert "£3,500 still to find (£5,000 asked, £1,500 pledged so far)" in page
    assert "20 days still to find (20 days asked, 0 days pledged so far)" in page


def test_a_pledge_is_checked_before_it_is_made_and_over_pledging_is_warned_not_refused(client):
    project = published_project()
    money = project.needs.get(kind=Kind.MONEY)
    council = _pledger(client, project)
    response = client.post(
        reverse("projects:pledge", args=[project.slug]),
        {
            "council": council.pk,
            "towards": str(money.pk),
            "amount": "50000",
            "note": "From our budget",
            "private_note": "Cost code 42",
        },
    )
    assert response["Location"] == reverse("projects:pledge_check", args=[project.slug])
    assert not Pledge.objects.exists(), "nothing is committed before the check"
    check = client.get(response["Location"]).content.decode()
    assert "Check your pledge before you make it" in check
    assert "You are offering £50,000, more than the £5,000 still to find." in check
    for answer in ("Cardiff", "£50,000", "From our budget", "Cost code 42"):
        assert answer in check
    assert f'href="/projects/{project.slug}/pledge/#id_amount"' in check  # Change
    # Change: the form again with the answers filled in.
    form = client.get(reverse("projects:pledge", args=[project.slug])).content.decode()
    assert 'value="50000"' in form and "Cost code 42" in form
    # Making it anyway: warned, not refused.
    response = client.post(reverse("projects:pledge_check", args=[project.slug]))
    pledge = Pledge.objects.get()
    assert (pledge.amount, pledge.note, pledge.private_note) == (
        5_000_000,
        "From our budget",
        "Cost code 42",
    )
    assert response["Location"] == reverse("projects:pledge_confirmation", args=[pledge.pk])


def test_a_pledge_within_what_is_needed_has_no_warning(client):
    project = published_project()
    council = _pledger(client, project)
    client.post(
        reverse("projects:pledge", args=[project.slug]),
        {"council": council.pk, "towards": "money", "amount": "5000"},
    )
    check = client.get(reverse("projects:pledge_check", args=[project.slug])).content.decode()
    assert "more than the" not in check


def test_a_need_still_open_warns_when_money_for_the_whole_project_has_covered_everything(client):
    """The walk's case: £50,000 accepted toward the project as a whole against £5,000 asked;
    the named need is still open by itself, but the project is not."""
    project = published_project()  # £5,000 and 20 developer days
    money = project.needs.get(kind=Kind.MONEY)
    make_pledge(project, amount=5_000_000, need=None, state=PledgeState.ACCEPTED)
    council = _pledger(client, project)
    client.post(
        reverse("projects:pledge", args=[project.slug]),
        {"council": council.pk, "towards": str(money.pk), "amount": "3000"},
    )
    check = client.get(reverse("projects:pledge_check", args=[project.slug])).content.decode()
    assert (
        "You are offering £3,000, but what the project asked for is already fully pledged." in check
    )
    assert "£0" not in check


def test_the_check_page_without_answers_goes_back_to_the_form(client):
    project = published_project()
    _pledger(client, project)
    response = client.get(reverse("projects:pledge_check", args=[project.slug]))
    assert response["Location"] == reverse("projects:pledge", args=[project.slug])
    response = client.post(reverse("projects:pledge_check", args=[project.slug]))
    assert response["Location"] == reverse("projects:pledge", args=[project.slug])
    assert not Pledge.objects.exists()


def test_every_form_whose_text_is_public_says_so(client):
    project = published_project()
    pledge = make_pledge(project)
    _pledger(client, project)
    form = client.get(reverse("projects:pledge", args=[project.slug])).content.decode()
    assert "The public note and your name are shown to everyone." in form
    assert "Note for the two councils only (optional)" in form
    client.force_login(project.owner)
    for action in ("accept", "decline"):
        page = client.get(reverse("projects:pledge_action", args=[pledge.pk, action])).content
        assert b"Public: anyone can read it, with your name" in page
        assert b"Note for the two councils only (optional)" in page
    assert (
        b"Updates are public"
        in client.get(reverse("projects:update_new", args=[project.slug])).content
    )
    assert (
        b"What you write here is public."
        in client.get(reverse("projects:edit", args=[project.slug, "about"])).content
    )


# --- managing: only the moves allowed, on the timeline ---------------------------------------


def test_manage_offers_only_the_states_and_phases_the_project_can_move_to(client):
    project = published_project(phase="beta")
    client.force_login(project.owner)
    page = client.get(reverse("projects:manage", args=[project.slug])).content.decode()
    states = re.findall(r'name="state" type="radio" value="(\w+)"', page)
    phases = re.findall(r'name="phase" type="radio" value="(\w+)"', page)
    assert states == ["in_delivery", "closed"]  # never Draft, never where it is
    assert phases == ["alpha", "live", "retired"]  # back one, or forward
    Project.objects.filter(pk=project.pk).update(state=State.COMPLETED)
    page = client.get(reverse("projects:manage", args=[project.slug])).content.decode()
    assert 'name="state"' not in page and "that is final" in page


def test_phase_and_state_changes_on_manage_appear_on_the_timeline_with_who_and_when(client):
    project = published_project(phase="alpha")
    client.force_login(project.owner)
    url = reverse("projects:manage", args=[project.slug])
    client.post(url, {"action": "phase", "phase": "beta"})
    client.post(url, {"action": "state", "state": "in_delivery"})
    updates = list(project.updates.order_by("created_at"))
    assert [(u.title, u.from_phase, u.to_phase) for u in updates] == [
        ("Now in beta", "alpha", "beta"),
        ("Now in delivery", "", ""),
    ]
    assert all(u.author == project.owner for u in updates)
    page = client.get(project.get_absolute_url()).content.decode()
    name = project.owner.get_full_name()
    assert f"{name} moved the project from alpha to beta." in page
    assert f"{name} changed the project’s state from seeking support to in delivery." in page
    assert timezone.localdate().strftime("%-d %B %Y") in page


def test_the_council_page_says_accepted_means_not_yet_fulfilled(client):
    council = CouncilFactory()
    page = client.get(council.get_absolute_url()).content.decode()
    assert "“Accepted” means accepted and not yet fulfilled" in page


# --- the listing on a phone: results first, filters reachable -------------------------------


def test_results_come_before_the_filters_which_a_link_reaches(client):
    published_project(title="Pothole reporting")
    page = client.get("/projects/?phase=idea").content.decode()
    assert page.index("Pothole reporting") < page.index('id="filters"')
    assert page.index('href="#filters"') < page.index("Pothole reporting")
    assert "1 filter applied" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"code_url": 'https://example.org/"><script>alert(1)</script>'},
            "code_url",
            "A web address cannot contain spaces, quotes, angle brackets",
        ),
        (
            {"prototype_url": "https://example.org/<b>"},
            "prototype_url",
            "A web address cannot contain spaces, quotes, angle brackets",
        ),
        (
            {"code_url": "javascript:alert(1)"},
            "code_url",
            "Enter a web address, like https://github.com/your-council/project",
        ),
        (
            {
                "pledging_deadline_day": "1",
                "pledging_deadline_month": "1",
                "pledging_deadline_year": "0001",
            },
            "pledging_deadline",
            "Pledging deadline must be today or in the future",
        ),
        (
            {
                "pledging_deadline_day": "1",
                "pledging_deadline_month": "1",
                "pledging_deadline_year": "2999",
            },
            "pledging_deadline",
            "The pledging deadline must be within 5 years",
        ),
    ],
)
def test_the_details_form_refuses_what_the_api_refuses(client, fields, field, message):
    """One web address check and one deadline rule for the form, the API and the services."""
    project = published_project()
    Project.objects.filter(pk=project.pk).update(state=State.IN_DELIVERY)
    before = Project.objects.filter(pk=project.pk).values().get()
    client.force_login(project.owner)
    response = client.post(
        reverse("projects:edit", args=[project.slug, "details"]), {"licence": "MIT", **fields}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert Project.objects.filter(pk=project.pk).values().get() == before


@pytest.mark.parametrize(
    ("url", "bad_filter", "title"),
    [("/projects/", "sort=nope", "Projects"), ("/councils/", "nation=nowhere", "Councils")],
)
def test_a_listing_with_a_filter_it_cannot_read_says_error_in_its_title(
    client, url, bad_filter, title
):
    """A screen reader hears the page title first: "Error:" tells its user at once that the
    filters they sent were not applied, as on any form with errors."""
    bad = client.get(f"{url}?{bad_filter}").content.decode()
    good = client.get(url).content.decode()
    assert f"<title>Error: {title} – Pipeline</title>" in bad
    assert f"<title>{title} – Pipeline</title>" in good


def test_the_project_page_offers_post_an_update_to_its_managers_and_active_team_only(client):
    from projects.models import Role
    from projects.services.people import team_approve, team_request_join

    project = published_project()
    joined, waiting, other = (verified_member(CouncilFactory()) for _ in range(3))
    team_approve(
        actor=project.owner,
        membership=team_request_join(actor=joined, project=project, role=Role.DEVELOPER),
    )
    team_request_join(actor=waiting, project=project, role=Role.DESIGNER)
    post_update = reverse("projects:update_new", args=[project.slug])

    def offered(user) -> bool:
        client.force_login(user)
        return post_update in client.get(project.get_absolute_url()).content.decode()

    assert offered(project.owner)
    assert offered(joined)
    assert not offered(waiting)  # asked to join; not on the team yet
    assert not offered(other)
