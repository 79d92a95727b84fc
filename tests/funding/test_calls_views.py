"""The funding pages: /funding/ in its sections, a call's page in words people use, and the
funder admins' form, which answers bad input with errors (never a 500), in English and Welsh."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.models import Call, CallStatus, FunderRole
from tests.factories import (
    CallFactory,
    CommitmentFactory,
    CouncilFactory,
    FunderFactory,
    FunderMembershipFactory,
    OrganiserFactory,
    ServiceAreaFactory,
    UserFactory,
    funder_member,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
# A Tuesday in spring, 10:00 in London (BST).
NOW = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=datetime.UTC)


def text(response) -> str:
    """The page's words, without tags or repeated spaces."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def error_summary(response) -> str:
    html = response.content.decode()
    start = html.find('class="govuk-error-summary"')
    if start == -1:
        return ""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.find("</ul>", start)]))


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def calls(traveller):
    """One call in each public stage, and a draft."""
    funder = FunderFactory(name="Department for Digital Things", slug="ddt")
    return {
        "open": CallFactory(
            funder=funder,
            title="Open round",
            opens_at=NOW - 10 * DAY,
            closes_at=NOW + 3 * DAY + datetime.timedelta(hours=3),
        ),
        "upcoming": CallFactory(
            funder=funder, title="Next round", opens_at=NOW + 20 * DAY, closes_at=NOW + 50 * DAY
        ),
        "closed": CallFactory(
            funder=funder,
            title="Closed round",
            opens_at=datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC),
            closes_at=datetime.datetime(2027, 2, 25, 12, tzinfo=datetime.UTC),
            decision_expected_on=datetime.date(2027, 4, 30),
        ),
        "decided": CallFactory(
            funder=funder,
            title="Decided round",
            opens_at=NOW - 200 * DAY,
            closes_at=NOW - 150 * DAY,
            status=CallStatus.DECIDED,
            decided_at=datetime.datetime(2026, 11, 20, 15, tzinfo=datetime.UTC),
        ),
        "draft": CallFactory(
            funder=funder,
            title="Secret round",
            status=CallStatus.DRAFT,
            published_at=None,
            opens_at=NOW + 40 * DAY,
            closes_at=NOW + 80 * DAY,
        ),
    }


def section(page: str, heading: str) -> str:
    """The words of one section of /funding/ (up to the next section)."""
    start = page.index(heading)
    ends = [page.find(h, start + 1) for h in ("Opening soon", "Closed, awaiting", "Decided ")]
    ends = [e for e in ends if e > start] + [page.find("Filter calls", start + 1)]
    return page[start : min(e for e in ends if e > 0)]


# --- the listing ---------------------------------------------------------------------------


def test_the_listing_has_a_section_for_each_stage_and_no_drafts(client, calls):
    page = text(client.get("/funding/"))

    assert "Open round" in section(page, "Open now")
    assert "Closes in 3 days, on 5 March 2027 at 12:00" in section(page, "Open now")
    assert "Next round" in section(page, "Opening soon")
    assert "Opens on 22 March 2027 at 09:00" in page  # GMT: summer time starts on 28 March
    closed = section(page, "Closed, awaiting decisions")
    assert "Closed round" in closed
    assert "Closed on 25 February 2027. Decisions expected by 30 April 2027" in closed
    assert "Decided on 20 November 2026" in page
    assert "Secret round" not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status=open", {"Open round"}, {"Next round", "Closed round", "Decided round"}),
        ("status=decided", {"Decided round"}, {"Open round", "Next round"}),
        ("nation=Scotland", {"Open round", "Next round"}, {"Closed round"}),
        ("area=waste", {"Open round", "Decided round"}, {"Next round"}),
        ("funder=ddt", {"Open round", "Next round", "Closed round"}, set()),
        ("funder=someone-else", set(), {"Open round", "Next round"}),
    ],
)
def test_filters(client, calls, query, shown, hidden):
    waste, parking = ServiceAreaFactory(slug="waste"), ServiceAreaFactory(slug="parking")
    FunderFactory(slug="someone-else")
    calls["upcoming"].service_areas.add(parking)
    calls["decided"].service_areas.add(waste)
    Call.objects.filter(pk=calls["closed"].pk).update(nations=["Wales"])
    Call.objects.filter(pk=calls["upcoming"].pk).update(nations=["Scotland", "England"])

    page = text(client.get(f"/funding/?{query}"))

    assert {t for t in shown if t in page} == shown
    assert {t for t in hidden if t in page} == set()


@pytest.mark.parametrize(
    "query",
    ["status=soon", "nation=Mars", "area=nowhere", "funder=%00", "status=open&cursor=zzz"],
)
def test_bad_filters_are_explained_not_a_500(client, calls, query):
    response = client.get(f"/funding/?{query}")
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert "There is a problem" in error_summary(response)


def test_a_section_with_more_calls_links_to_all_of_them_paged(client, traveller):
    for n in range(22):
        CallFactory(title=f"Round {n}", opens_at=NOW - DAY, closes_at=NOW + (n + 2) * DAY)

    page = client.get("/funding/")
    html = page.content.decode()
    assert len(page.context["sections"][0][2]) == 20
    assert 'href="?status=open"' in html

    first = client.get("/funding/?status=open")
    assert len(first.context["page"]) == 22
    assert [c.title for c in first.context["page"]][:2] == ["Round 0", "Round 1"]


def test_the_listing_runs_as_many_queries_for_many_calls_as_for_one(client, traveller):
    CallFactory(opens_at=NOW - DAY)
    client.get("/funding/")
    with CaptureQueriesContext(connection) as one:
        client.get("/funding/")
    area = ServiceAreaFactory()
    for n in range(12):
        call = CallFactory(
            opens_at=NOW + (n - 6) * DAY,
            closes_at=NOW + (n - 3) * DAY if n < 6 else NOW + 30 * DAY,
        )
        call.service_areas.add(area)
        call.required_commitments.add(CommitmentFactory())
    CallFactory(status=CallStatus.DECIDED, decided_at=NOW, opens_at=NOW - 9 * DAY, closes_at=NOW)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/funding/")
    assert sum(len(rows) for _s, _t, rows, _m in response.context["sections"]) == 14
    assert len(many) == len(one), [q["sql"][:120] for q in many.captured_queries]


# --- a call's page ---------------------------------------------------------------------------


def test_a_calls_page_says_everything_in_plain_words(client, calls):
    call = calls["open"]
    CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")
    Call.objects.filter(pk=call.pk).update(
        min_partners=2,
        nations=["England", "Wales"],
        council_types=["UA"],
        phases=["discovery", "alpha"],
        awards_per_service_area=1,
        description="Read the **prospectus**.",
    )
    call.required_commitments.add(CommitmentFactory())
    call.service_areas.add(ServiceAreaFactory(name="Waste and recycling"))

    response = client.get(f"/funding/calls/{call.slug}/")
    page = text(response)

    assert response.status_code == 200
    for words in (
        "Open Closes in 3 days, on 5 March 2027 at 12:00",
        "Budget £500,000",
        "Largest award £80,000",
        "At least 2 partner councils besides the lead",
        "Every council in the bid must have signed the Local Digital Declaration",
        "Every council in the bid must be in England or Wales",
        "Every council in the bid must be one of these types: Unitary authority",
        "Projects in this service area only: Waste and recycling",
        "The money is for discovery or alpha work",
        "Usually no more than 1 bid is funded in each service area",
        "What problem will you solve? Up to 250 words",
        "Need and impact – 60 (60%)",
        "Collaboration – 40 (40%)",
        "Apply with a project No applications have been submitted yet.",
    ):
        assert words in page, words
    assert "<strong>prospectus</strong>" in response.content.decode()


def test_a_call_with_no_rules_says_anyone_may_apply(client, calls):
    page = text(client.get(f"/funding/calls/{calls['upcoming'].slug}/"))
    assert "Any council may apply, with a project in any service area and phase" in page
    assert "Opening soon Opens on 22 March 2027 at 09:00" in page


def test_closing_wording_on_the_last_days(client, calls, traveller):
    call = calls["open"]
    traveller.move_to(call.closes_at - datetime.timedelta(hours=30))
    assert "Closes tomorrow at 12:00" in text(client.get(f"/funding/calls/{call.slug}/"))
    traveller.move_to(call.closes_at - datetime.timedelta(hours=2))
    assert "Closes today at 12:00" in text(client.get(f"/funding/calls/{call.slug}/"))
    traveller.move_to(call.closes_at)
    page = text(client.get(f"/funding/calls/{call.slug}/"))
    assert "Closed Closed on 5 March 2027" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("stranger", 404), ("other_funder", 404), ("member", 200), ("org", 200)],
)
def test_a_draft_is_seen_only_by_the_funders_members_and_organisers(client, calls, who, status):
    draft = calls["draft"]
    people = {
        "stranger": UserFactory(),
        "other_funder": funder_member(role=FunderRole.ADMIN),
        "member": funder_member(draft.funder),
        "org": OrganiserFactory(),
    }
    if who != "anonymous":
        client.force_login(people[who])
    response = client.get(f"/funding/calls/{draft.slug}/")
    assert response.status_code == status
    if status == 200:
        page = text(response)
        assert "This call is a draft" in page
        assert "No applications have been submitted yet" not in page


def test_the_pages_in_welsh(client, calls):
    funder = calls["open"].funder
    funder.name_cy = "Adran Pethau Digidol"
    funder.save()

    listing = text(client.get("/cy/funding/"))
    page = text(client.get(f"/cy/funding/calls/{calls['open'].slug}/"))
    closed = text(client.get(f"/cy/funding/calls/{calls['closed'].slug}/"))

    assert "Ar agor nawr" in listing
    assert "Adran Pethau Digidol" in listing
    assert "Yn cau ymhen 3 diwrnod, ar 5 Mawrth 2027 am 12:00" in page
    assert "Pwy all wneud cais" in page
    assert "Ceisiadau" in page
    assert "Ar gau ar 25 Chwefror 2027" in closed
    assert "Closes in" not in page


def test_funding_is_in_the_navigation_in_both_languages(client, calls):
    english = client.get("/projects/").content.decode()
    welsh = client.get("/cy/projects/").content.decode()
    assert re.search(r'href="/funding/"[^>]*>\s*Funding\s*<', english)
    assert re.search(r'href="/cy/funding/"[^>]*>\s*Cyllid\s*<', welsh)


# --- the funder admins' form ----------------------------------------------------------------


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }


def form_data(**overrides) -> dict:
    data = {
        "title": "Local Digital Fund, round 9",
        "summary": "Money for councils that build together.",
        "description": "",
        "language": "en",
        "budget": "£500,000",
        "max_award": "80000.50",
        "opens_on_day": "1",
        "opens_on_month": "4",
        "opens_on_year": "2027",
        "opens_time": "9:00",
        "closes_on_day": "30",
        "closes_on_month": "4",
        "closes_on_year": "2027",
        "closes_time": "5pm",
        "decision_expected_on_day": "",
        "decision_expected_on_month": "",
        "decision_expected_on_year": "",
        "min_partners": "2",
        "nations": ["England", "Wales"],
        "awards_per_service_area": "",
        **management("questions", 3),
        "questions-0-text": "What problem will you solve?",
        "questions-0-word_limit": "300",
        "questions-0-required": "on",
        "questions-0-ORDER": "2",
        "questions-1-text": "Who are the users?",
        "questions-1-word_limit": "250",
        "questions-1-required": "on",
        "questions-1-ORDER": "1",
        "questions-2-text": "",
        "questions-2-word_limit": "250",
        "questions-2-required": "on",
        **management("criteria", 2),
        "criteria-0-title": "Need and impact",
        "criteria-0-weight": "60",
        "criteria-1-title": "",
        "criteria-1-weight": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def funder_client(client, calls):
    admin = funder_member(calls["open"].funder, role=FunderRole.ADMIN)
    client.force_login(admin)
    client.admin = admin
    return client


def test_a_funder_admin_creates_a_call_in_pounds_and_uk_time(funder_client, calls):
    response = funder_client.post("/funding/funders/ddt/calls/new/", form_data())

    call = Call.objects.get(title="Local Digital Fund, round 9")
    assert response.status_code == 302
    assert response["Location"] == f"/funding/calls/{call.slug}/"
    assert call.status == CallStatus.DRAFT
    assert (call.budget, call.max_award) == (500_000_00, 80_000_50)
    assert timezone.localtime(call.opens_at).isoformat() == "2027-04-01T09:00:00+01:00"
    assert timezone.localtime(call.closes_at).isoformat() == "2027-04-30T17:00:00+01:00"
    assert call.nations == ["England", "Wales"]
    assert list(call.questions.values_list("text", flat=True)) == [
        "Who are the users?",
        "What problem will you solve?",
    ]
    assert list(call.criteria.values_list("title", "weight")) == [("Need and impact", 60)]
    page = text(funder_client.get(response["Location"]))
    assert "The call is saved as a draft" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_award": "600000"}, "The largest award cannot be more than the budget"),
        ({"budget": "lots"}, "Enter an amount in pounds, like 2500 or 2500.50"),
        ({"budget": "-5"}, "The amount must be more than zero"),
        ({"budget": "0"}, "The amount must be more than zero"),
        ({"closes_on_month": "3"}, "The call must close after it opens"),
        (
            {"closes_on_year": "2020", "opens_on_year": "2020"},
            "The closing time must be in the future",
        ),
        ({"closes_on_day": "31", "closes_on_month": "2"}, "must be a real date"),
        ({"closes_time": "25:00"}, "Enter a time like 9:00, 17:30 or 5pm"),
        ({"opens_time": "noonish"}, "Enter a time like 9:00, 17:30 or 5pm"),
        ({"title": ""}, "Enter the call’s title"),
        ({"min_partners": "many"}, "Enter a whole number of partner councils"),
        ({"min_partners": "99"}, "from 0 to 50"),
        ({"nations": ["Atlantis"]}, "Choose from the list"),
        ({"criteria-0-weight": "0"}, "Criterion 1: The weight must be more than 0"),
        ({"criteria-0-weight": "-3"}, "Criterion 1: The weight must be more than 0"),
        ({"criteria-0-weight": "heavy"}, "Enter the weight as a whole number"),
        ({"criteria-0-title": ""}, "Enter what assessors score, or tick"),
        ({"questions-0-word_limit": "0"}, "Question 1: Enter a word limit from 1 to 5,000"),
        ({"questions-2-guidance": "Half-filled"}, "Question 3: Enter the question"),
        ({"questions-0-ORDER": "x"}, "Enter the position as a whole number"),
        (
            {
                "decision_expected_on_day": "1",
                "decision_expected_on_month": "1",
                "decision_expected_on_year": "2027",
            },
            "Decisions cannot be expected before",
        ),
        ({"questions-TOTAL_FORMS": None}, "ManagementForm data is missing"),
        ({"criteria-TOTAL_FORMS": "100000"}, "Please submit at most 20 forms"),
        ({"title": "x" * 200}, "at most 160 characters"),
        ({"title": "Round\x00 9"}, ""),
    ],
)
def test_bad_input_comes_back_with_errors_never_a_500(funder_client, calls, overrides, message):
    before = Call.objects.count()

    response = funder_client.post("/funding/funders/ddt/calls/new/", form_data(**overrides))

    assert response.status_code in (200, 400)
    assert Call.objects.count() == before
    if response.status_code == 200:
        summary = error_summary(response)
        assert message in summary, summary
        assert "<title>Error: " in response.content.decode()


def test_the_form_in_welsh_with_errors(funder_client, calls):
    response = funder_client.post(
        "/cy/funding/funders/ddt/calls/new/", form_data(max_award="600000")
    )
    summary = error_summary(response)
    assert "Mae problem" in summary
    assert "Ni all y dyfarniad mwyaf fod yn fwy na’r gyllideb" in summary
    assert "<title>Gwall: " in response.content.decode()


def test_editing_a_draft_keeps_and_reorders_its_questions(funder_client, calls):
    call = calls["draft"]
    first, second = call.questions.order_by("position")
    data = form_data(
        title="Secret round, renamed",
        **management("questions", 3, initial=2),
        **{
            "questions-0-id": str(first.pk),
            "questions-0-ORDER": "2",
            "questions-1-id": str(second.pk),
            "questions-1-ORDER": "1",
            "questions-1-DELETE": "",
        },
        **management("criteria", 3, initial=2),
        **{
            "criteria-0-id": str(call.criteria.get(position=1).pk),
            "criteria-1-id": str(call.criteria.get(position=2).pk),
            "criteria-1-title": "Collaboration",
            "criteria-1-weight": "40",
            "criteria-1-DELETE": "on",
            "criteria-2-title": "",
            "criteria-2-weight": "",
        },
    )

    response = funder_client.post(f"/funding/calls/{call.slug}/edit/", data)

    assert response.status_code == 302, error_summary(response)
    call.refresh_from_db()
    assert call.title == "Secret round, renamed"
    assert list(call.questions.values_list("pk", "text")) == [
        (second.pk, "Who are the users?"),
        (first.pk, "What problem will you solve?"),
    ]
    assert list(call.criteria.values_list("title", flat=True)) == ["Need and impact"]


def test_once_open_the_edit_page_explains_and_changes_only_two_things(funder_client, calls):
    call = calls["open"]

    page = funder_client.get(f"/funding/calls/{call.slug}/edit/")
    assert "its rules, questions and criteria can no longer change" in text(page)
    assert 'name="title"' not in page.content.decode()

    response = funder_client.post(
        f"/funding/calls/{call.slug}/edit/",
        {
            "description": "Now with FAQs.",
            "title": "Sneaky new title",
            "min_partners": "0",
            "decision_expected_on_day": "30",
            "decision_expected_on_month": "6",
            "decision_expected_on_year": "2027",
        },
    )

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.description == "Now with FAQs."
    assert call.decision_expected_on == datetime.date(2027, 6, 30)
    assert call.title == "Open round" and call.min_partners == 0


def test_publishing_from_the_calls_page(funder_client, calls):
    draft = calls["draft"]

    response = funder_client.post(f"/funding/calls/{draft.slug}/publish/", follow=True)

    draft.refresh_from_db()
    assert draft.status == CallStatus.PUBLISHED
    assert "The call is published. It opens to bids on 11 April 2027 at 10:00." in text(response)


def test_a_refused_publication_says_why(funder_client, calls):
    draft = calls["draft"]
    draft.criteria.all().delete()

    response = funder_client.post(f"/funding/calls/{draft.slug}/publish/", follow=True)

    assert "Add at least one assessment criterion." in text(response)
    draft.refresh_from_db()
    assert draft.status == CallStatus.DRAFT


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up(client, calls):
    unenrolled = FunderMembershipFactory(
        funder=calls["open"].funder, role=FunderRole.ADMIN, enrolled=False
    ).user
    client.force_login(unenrolled)

    response = client.get("/funding/funders/ddt/calls/new/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"


def test_members_who_are_not_admins_are_refused_the_form(client, calls):
    client.force_login(funder_member(calls["open"].funder, role=FunderRole.MODERATOR))
    response = client.get("/funding/funders/ddt/calls/new/")
    assert response.status_code == 403
    assert "Only an admin of Department for Digital Things" in text(response)


# --- the anonymous page cache ------------------------------------------------------------------


def test_publishing_a_call_retires_the_cached_listing_and_api(client, on_commit, settings):
    settings.PAGE_CACHE_SECONDS = 60
    funder = FunderFactory()
    admin = funder_member(funder, role=FunderRole.ADMIN)
    draft = on_commit(
        CallFactory, funder=funder, title="Fresh round", status=CallStatus.DRAFT, published_at=None
    )
    for url in ("/funding/", "/api/v1/calls/", f"/funding/funders/{funder.slug}/"):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
        assert "Fresh round" not in client.get(url).content.decode()
    assert client.get(f"/funding/calls/{draft.slug}/").status_code == 404

    from funding.services.calls import call_publish

    on_commit(call_publish, actor=admin, call=draft)

    for url in ("/funding/", "/api/v1/calls/", f"/funding/funders/{funder.slug}/"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "Fresh round" in response.content.decode()
    assert client.get(f"/funding/calls/{draft.slug}/").status_code == 200
