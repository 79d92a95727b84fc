"""Council pages: directory, council page, joining, and the members page for council admins."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import Council, Membership, MembershipRole, MembershipStatus, Nation
from tests.factories import (
    CouncilDomainFactory,
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    UserFactory,
    verified_member,
)

pytestmark = pytest.mark.django_db

DIRECTORY = "/councils/"
YESTERDAY = datetime.timedelta(days=1)


def names_listed(response) -> list[str]:
    """Council names in the directory's table, in order."""
    return [c.display_name for c in response.context["councils"]]


def csrf_token(response) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert match, "the page has no CSRF token"
    return match.group(1).decode()


def error_summary(response) -> str:
    """The text of the GOV.UK error summary, or "" when there is none."""
    html = response.content.decode()
    start = html.find('class="govuk-error-summary"')
    if start == -1:
        return ""
    return re.sub(r"<[^>]+>", " ", html[start : html.find("</ul>", start)])


@pytest.fixture
def directory_councils():
    today = timezone.localdate()
    return {
        "guildford": CouncilFactory(
            short_name="Guildford",
            region="South East",
            authority_type_name="Non-metropolitan district",
        ),
        "kent": CouncilFactory(
            short_name="Kent", region="South East", authority_type_name="County"
        ),
        "leeds": CouncilFactory(
            short_name="Leeds",
            region="Yorkshire and The Humber",
            authority_type_name="Metropolitan district",
        ),
        "cardiff": CouncilFactory(
            short_name="Cardiff",
            name="City of Cardiff Council",
            name_cy="Caerdydd",
            nation=Nation.WALES,
            region="Wales",
            authority_type_name="Welsh unitary authority",
        ),
        "fife": CouncilFactory(
            short_name="Fife",
            nation=Nation.SCOTLAND,
            region="Scotland",
            authority_type_name="Scottish unitary authority",
        ),
        "waverley": CouncilFactory(
            short_name="Waverley",
            region="South East",
            authority_type_name="Non-metropolitan district",
            start_date=datetime.date(1974, 4, 1),
            end_date=today - YESTERDAY,
        ),
    }


# --- Directory ------------------------------------------------------------------------------


def test_directory_lists_current_councils_and_hides_ended_ones(client, directory_councils):
    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert names_listed(response) == ["Cardiff", "Fife", "Guildford", "Kent", "Leeds"]
    assert b"Waverley" not in response.content
    assert b"5 councils" in response.content


def test_directory_shows_ended_councils_when_asked(client, directory_councils):
    response = client.get(DIRECTORY, {"status": "ended"})

    assert names_listed(response) == ["Waverley"]
    assert b'govuk-tag--grey">Ended' in response.content
    assert len(names_listed(client.get(DIRECTORY, {"status": "all"}))) == 6


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"nation": "Wales"}, ["Cardiff"]),
        ({"nation": "Scotland"}, ["Fife"]),
        ({"region": "South East"}, ["Guildford", "Kent"]),
        ({"type": "County"}, ["Kent"]),
        ({"region": "South East", "type": "Non-metropolitan district"}, ["Guildford"]),
        ({"q": "leed"}, ["Leeds"]),
        ({"q": "city of cardiff"}, ["Cardiff"]),
        ({"q": "Caerdydd"}, ["Cardiff"]),
        ({"q": "waverley"}, []),
        ({"q": "waverley", "status": "ended"}, ["Waverley"]),
    ],
)
def test_directory_filters(client, directory_councils, params, expected):
    response = client.get(DIRECTORY, params)

    assert response.status_code == 200
    assert names_listed(response) == expected


def test_directory_search_by_register_code(client, directory_councils):
    kent = directory_councils["kent"]

    response = client.get(DIRECTORY, {"q": kent.code.lower()})

    assert names_listed(response) == ["Kent"]


def test_directory_shows_a_message_when_nothing_matches(client, directory_councils):
    response = client.get(DIRECTORY, {"q": "Atlantis"})

    assert b"No councils match your filters" in response.content


def test_an_unknown_filter_value_is_an_error_not_a_crash(client, directory_councils):
    response = client.get(DIRECTORY, {"nation": "Atlantis"})

    assert response.status_code == 200
    assert "Select a valid choice" in error_summary(response)


def test_directory_is_paginated_fifty_to_a_page_keeping_the_filters(client):
    CouncilFactory.create_batch(60, region="North West")
    CouncilFactory.create_batch(3, region="London")

    first = client.get(DIRECTORY, {"region": "North West"})
    second = client.get(DIRECTORY, {"region": "North West", "page": 2})

    assert len(names_listed(first)) == 50
    assert len(names_listed(second)) == 10
    assert not set(names_listed(first)) & set(names_listed(second))
    assert b"60 councils" in first.content
    assert b'href="?region=North+West&amp;page=2"' in first.content


def test_directory_runs_the_same_number_of_queries_for_one_row_or_fifty(client):
    CouncilFactory()
    client.get(DIRECTORY)  # the first request fills the caches (locales, the navigation)
    with CaptureQueriesContext(connection) as one:
        client.get(DIRECTORY)
    for council in CouncilFactory.create_batch(49):
        MembershipFactory(council=council)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(DIRECTORY)

    assert len(names_listed(response)) == 50
    assert len(fifty) == len(one)


def test_the_directory_counts_verified_members(client):
    council = CouncilFactory(short_name="Guildford")
    MembershipFactory.create_batch(2, council=council)
    MembershipFactory(council=council, status=MembershipStatus.PENDING)

    response = client.get(DIRECTORY)

    assert response.context["councils"][0].verified_members == 2


# --- Council page ---------------------------------------------------------------------------


def test_council_page_shows_the_council(client):
    council = CouncilFactory(
        short_name="Cardiff", name="City of Cardiff Council", name_cy="Caerdydd"
    )

    response = client.get(council.get_absolute_url())

    assert response.status_code == 200
    assert b"City of Cardiff Council" in response.content
    assert b"Caerdydd" in response.content
    assert b'class="govuk-skip-link"' in response.content
    assert b"Sign in</a> to join this council" in response.content


def test_council_page_in_welsh_uses_the_welsh_name(client):
    council = CouncilFactory(
        short_name="Cardiff",
        name="City of Cardiff Council",
        name_cy="Caerdydd",
        official_name_cy="Cyngor Dinas Caerdydd",
    )

    response = client.get(f"/cy{council.get_absolute_url()}")

    assert response.status_code == 200
    assert b'<h1 class="govuk-heading-xl">Cyngor Dinas Caerdydd</h1>' in response.content


def test_unknown_council_is_a_404_in_the_site_layout(client):
    response = client.get("/councils/no-such-council/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'class="govuk-footer"' in response.content


def test_ended_council_page_says_it_ended_and_offers_no_join_button(client):
    council = CouncilFactory(end_date=timezone.localdate() - YESTERDAY, replaced_by="NEW")
    client.force_login(UserFactory())

    response = client.get(council.get_absolute_url())

    assert b"This authority ended on" in response.content
    assert b"It was replaced by NEW" in response.content
    assert b"Ask to join this council" not in response.content


def test_council_page_offers_joining_then_shows_the_request(client):
    council = CouncilFactory()
    user = UserFactory()
    client.force_login(user)

    assert b"Ask to join this council" in client.get(council.get_absolute_url()).content
    client.post(reverse("councils:join_this", args=[council.slug]))
    response = client.get(council.get_absolute_url())

    assert b"Ask to join this council" not in response.content
    assert b"Your request to join is waiting" in response.content


def test_council_page_links_admins_to_the_members_page(client):
    council = CouncilFactory()
    members_url = reverse("councils:members", args=[council.slug]).encode()
    client.force_login(verified_member(council))
    assert members_url not in client.get(council.get_absolute_url()).content

    client.force_login(verified_member(council, admin=True))
    assert members_url in client.get(council.get_absolute_url()).content


# --- Joining --------------------------------------------------------------------------------


def test_joining_needs_signing_in(client):
    council = CouncilFactory()

    response = client.post(reverse("councils:join_this", args=[council.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.exists()


def test_joining_from_the_council_page_with_a_council_address_verifies_at_once(client):
    council = CouncilFactory(short_name="Guildford")
    CouncilDomainFactory(council=council, domain="guildford.gov.uk")
    user = UserFactory(email="ann@guildford.gov.uk")
    client.force_login(user)

    response = client.post(reverse("councils:join_this", args=[council.slug]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert b"You are now a verified member of Guildford" in response.content
    assert Membership.objects.get(user=user).status == MembershipStatus.VERIFIED


def test_joining_from_the_join_page_sends_a_request(client):
    council = CouncilFactory(short_name="Guildford")
    user = UserFactory(email="ann@example.org")
    client.force_login(user)

    response = client.post(
        reverse("councils:join"), {"council": council.pk, "message": "Digital team"}, follow=True
    )

    assert b"Your request to join Guildford has been sent" in response.content
    membership = Membership.objects.get(user=user)
    assert membership.status == MembershipStatus.PENDING
    assert membership.message == "Digital team"


def test_the_join_page_chooses_the_council_at_your_email_domain(client):
    CouncilFactory(short_name="Adur")
    guildford = CouncilFactory(short_name="Guildford")
    CouncilDomainFactory(council=guildford, domain="guildford.gov.uk")
    client.force_login(UserFactory(email="ann@guildford.gov.uk"))

    html = client.get(reverse("councils:join")).content.decode()

    assert re.search(rf'<option value="{guildford.pk}"[^>]*selected', html)
    assert "Your email address is at Guildford’s domain" in html
    client.post(reverse("councils:join"), {"council": guildford.pk})
    # Joined: nothing is chosen for them any more.
    html = client.get(reverse("councils:join")).content.decode()
    assert re.search(r'<option value=""[^>]*selected', html)


def test_the_join_page_chooses_nothing_for_an_address_at_no_councils_domain(client):
    CouncilFactory(short_name="Guildford")
    client.force_login(UserFactory(email="ann@example.org"))

    html = client.get(reverse("councils:join")).content.decode()

    assert "Your email address is at" not in html
    assert re.search(r'<option value=""[^>]*selected', html)


def test_join_page_lists_current_councils_only(client):
    CouncilFactory(short_name="Guildford")
    CouncilFactory(short_name="Waverley", end_date=timezone.localdate() - YESTERDAY)
    client.force_login(UserFactory())

    response = client.get(reverse("councils:join"))

    assert b"Guildford" in response.content
    assert b"Waverley" not in response.content


def test_joining_twice_shows_an_error_summary(client):
    council = CouncilFactory(short_name="Guildford")
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("councils:join_this", args=[council.slug]))

    on_page = client.post(reverse("councils:join_this", args=[council.slug]))
    on_join = client.post(reverse("councils:join"), {"council": council.pk})

    for response in (on_page, on_join):
        assert response.status_code == 200
        assert "already a member of Guildford" in error_summary(response)
        assert b"<title>Error: " in response.content
    assert b'href="#id_council"' in on_join.content
    assert Membership.objects.filter(user=user).count() == 1


def test_joining_an_ended_council_shows_an_error_summary(client):
    council = CouncilFactory(short_name="Waverley", end_date=timezone.localdate() - YESTERDAY)
    client.force_login(UserFactory())

    on_page = client.post(reverse("councils:join_this", args=[council.slug]))
    on_join = client.post(reverse("councils:join"), {"council": council.pk})

    assert on_page.status_code == 200
    assert "Waverley has ended, so it cannot take new members" in error_summary(on_page)
    assert on_join.status_code == 200
    assert "Choose a council from the list" in error_summary(on_join)
    assert not Membership.objects.exists()


def test_joining_without_choosing_a_council_is_an_error(client):
    client.force_login(UserFactory())

    response = client.post(reverse("councils:join"), {"council": ""})

    assert "Choose the council you work for" in error_summary(response)


def test_joining_an_unknown_council_is_a_404(client):
    client.force_login(UserFactory())

    assert client.post("/councils/no-such-council/join/").status_code == 404


def test_a_post_without_the_csrf_token_is_refused():
    council = CouncilFactory()
    user = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    response = browser.post(reverse("councils:join_this", args=[council.slug]))

    assert response.status_code == 403
    assert not Membership.objects.exists()


def test_a_post_with_the_token_from_the_page_works():
    council = CouncilFactory()
    user = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    token = csrf_token(browser.get(council.get_absolute_url()))

    response = browser.post(
        reverse("councils:join_this", args=[council.slug]), {"csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=user).status == MembershipStatus.PENDING


# --- Members page and decisions -------------------------------------------------------------


@pytest.fixture
def council():
    return CouncilFactory(short_name="Guildford")


@pytest.fixture
def request_waiting(council):
    return MembershipFactory(
        council=council,
        status=MembershipStatus.PENDING,
        user=UserFactory(first_name="Nia", last_name="Thomas"),
        message="I joined last month",
    )


@pytest.mark.parametrize("who", ["stranger", "member", "pending admin", "admin elsewhere"])
def test_members_page_is_forbidden_to_anyone_but_admins(client, council, who):
    if who == "stranger":
        user = UserFactory()
    elif who == "member":
        user = verified_member(council)
    elif who == "pending admin":
        user = MembershipFactory(
            council=council, role=MembershipRole.ADMIN, status=MembershipStatus.PENDING
        ).user
    else:
        user = verified_member(CouncilFactory(), admin=True)
    client.force_login(user)

    response = client.get(reverse("councils:members", args=[council.slug]))

    assert response.status_code == 403
    assert b"You cannot do that" in response.content
    assert b'class="govuk-footer"' in response.content


def test_members_page_needs_signing_in(client, council):
    response = client.get(reverse("councils:members", args=[council.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["admin", "organiser"])
def test_members_page_lists_members_and_requests(client, council, request_waiting, who):
    client.force_login(
        verified_member(council, admin=True) if who == "admin" else OrganiserFactory()
    )

    response = client.get(reverse("councils:members", args=[council.slug]))

    assert response.status_code == 200
    assert b"Nia Thomas" in response.content
    assert b"I joined last month" in response.content
    assert reverse("councils:membership_approve", args=[request_waiting.pk]).encode() in (
        response.content
    )


def test_admin_approves_a_request(client, council, request_waiting):
    client.force_login(verified_member(council, admin=True))

    response = client.post(
        reverse("councils:membership_approve", args=[request_waiting.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("councils:members", args=[council.slug])
    assert b"Nia Thomas is now a verified member" in response.content
    request_waiting.refresh_from_db()
    assert request_waiting.status == MembershipStatus.VERIFIED


def test_a_member_cannot_approve_a_request(client, council, request_waiting):
    client.force_login(verified_member(council))

    response = client.post(reverse("councils:membership_approve", args=[request_waiting.pk]))

    assert response.status_code == 403
    request_waiting.refresh_from_db()
    assert request_waiting.status == MembershipStatus.PENDING


def test_approving_needs_a_post(client, council, request_waiting):
    client.force_login(verified_member(council, admin=True))

    response = client.get(reverse("councils:membership_approve", args=[request_waiting.pk]))

    assert response.status_code == 405
    request_waiting.refresh_from_db()
    assert request_waiting.status == MembershipStatus.PENDING


def test_approving_a_decided_request_says_so(client, council, request_waiting):
    client.force_login(verified_member(council, admin=True))
    url = reverse("councils:membership_approve", args=[request_waiting.pk])
    client.post(url)

    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert b"This request has already been decided" in response.content


def test_refusing_needs_a_reason_which_the_person_then_sees(client, council, request_waiting):
    client.force_login(verified_member(council, admin=True))
    url = reverse("councils:membership_refuse", args=[request_waiting.pk])

    page = client.get(url)
    empty = client.post(url, {"reason": "   "})

    assert page.status_code == 200
    assert b"Refuse Nia Thomas" in page.content
    assert empty.status_code == 200
    assert "Enter a reason; the person will see it" in error_summary(empty)
    request_waiting.refresh_from_db()
    assert request_waiting.status == MembershipStatus.PENDING

    done = client.post(url, {"reason": "We cannot find you on our staff list"}, follow=True)

    assert b"The request from Nia Thomas was refused" in done.content
    request_waiting.refresh_from_db()
    assert request_waiting.status == MembershipStatus.REFUSED

    client.force_login(request_waiting.user)
    profile = client.get(reverse("accounts:profile"))
    assert b"Refused" in profile.content
    assert b"We cannot find you on our staff list" in profile.content


def test_refuse_page_is_forbidden_to_members(client, council, request_waiting):
    client.force_login(verified_member(council))
    url = reverse("councils:membership_refuse", args=[request_waiting.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "No"}).status_code == 403
    request_waiting.refresh_from_db()
    assert request_waiting.status == MembershipStatus.PENDING


def test_admin_makes_a_member_an_admin_and_removes_one(client, council):
    client.force_login(verified_member(council, admin=True))
    member = Membership.objects.get(user=verified_member(council))
    other = Membership.objects.get(user=verified_member(council))

    client.post(reverse("councils:membership_role", args=[member.pk]), {"role": "admin"})
    client.post(reverse("councils:membership_leave", args=[other.pk]))

    member.refresh_from_db()
    other.refresh_from_db()
    assert member.is_admin
    assert other.status == MembershipStatus.LEFT


def test_a_member_leaves_from_their_profile(client, council):
    user = verified_member(council)
    membership = Membership.objects.get(user=user)
    client.force_login(user)

    response = client.post(reverse("councils:membership_leave", args=[membership.pk]), follow=True)

    assert b"You have left Guildford" in response.content
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT


def test_admin_adds_an_email_domain(client, council):
    client.force_login(verified_member(council, admin=True))
    url = reverse("councils:members", args=[council.slug])

    response = client.post(url, {"domain": "Guildford.gov.uk"}, follow=True)
    bad = client.post(url, {"domain": "not a domain"})

    assert b"Domain added" in response.content
    assert list(council.domains.values_list("domain", flat=True)) == ["guildford.gov.uk"]
    assert "Enter a domain such as example.gov.uk" in error_summary(bad)


def test_council_admin_page_urls_cannot_be_guessed_for_another_council(client, council):
    """An admin of one council cannot decide another council's requests."""
    other_request = MembershipFactory(status=MembershipStatus.PENDING)
    client.force_login(verified_member(council, admin=True))

    client.post(reverse("councils:membership_approve", args=[other_request.pk]))
    client.post(reverse("councils:membership_refuse", args=[other_request.pk]), {"reason": "x"})

    other_request.refresh_from_db()
    assert other_request.status == MembershipStatus.PENDING
    assert Council.objects.count() == 2


def test_a_council_that_ends_while_the_site_runs_is_no_longer_offered():
    """The join form's list is made per form: it once froze 'current' at the date the server
    started (and in the test suite, at whatever date a test had travelled to)."""
    import time_machine

    from councils.forms import JoinCouncilForm

    ending = CouncilFactory(short_name="Ending", end_date=timezone.localdate() + YESTERDAY)
    assert ending in JoinCouncilForm().fields["council"].queryset
    with time_machine.travel(timezone.now() + 3 * YESTERDAY):
        assert ending not in JoinCouncilForm().fields["council"].queryset
