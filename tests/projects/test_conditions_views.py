"""Conditional and match pledges on the web: the pledge form's conditions, Check your answers,
the pledge's page, the totals kept apart on the project page and in listings."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import Kind, Pledge, PledgeState
from tests.factories import CouncilFactory, make_pledge, published_project, verified_member

pytestmark = pytest.mark.django_db


def pledger(client, project):
    council = CouncilFactory(short_name="Cardiff")
    client.force_login(verified_member(council))
    return council


def post_form(client, project, council, **extra):
    data = {"council": council.pk, "towards": "money", "amount": "20000", **extra}
    return client.post(reverse("projects:pledge", args=[project.slug]), data)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"only_if_others": "on", "min_other_councils": ""}, "Enter how many other councils"),
        ({"only_if_others": "on", "min_other_councils": "0"}, "between 1 and 50"),
        ({"only_if_others": "on", "min_other_councils": "51"}, "between 1 and 50"),
        ({"only_if_others": "on", "min_other_councils": "two"}, "between 1 and 50"),
        ({"only_if_others": "on", "min_other_councils": "2.5"}, "between 1 and 50"),
        ({"only_if_others": "on", "min_other_councils": "²"}, "between 1 and 50"),
        ({"match": "on", "match_percent": ""}, "Enter the percentage your council will match"),
        ({"match": "on", "match_percent": "0"}, "Enter a whole percentage between 1 and 100"),
        ({"match": "on", "match_percent": "101%"}, "Enter a whole percentage between 1 and 100"),
        ({"match": "on", "match_percent": "12.5"}, "Enter a whole percentage between 1 and 100"),
    ],
)
def test_bad_conditions_are_explained_beside_their_field_and_nothing_is_saved(
    client, extra, message
):
    project = published_project()
    council = pledger(client, project)
    response = post_form(client, project, council, **extra)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    field = "min_other_councils" if "min_other_councils" in extra else "match_percent"
    assert f'href="#id_{field}"' in page  # the summary links to the field
    assert not Pledge.objects.exists()


def test_an_unticked_condition_ignores_its_number(client):
    project = published_project()
    council = pledger(client, project)
    response = post_form(client, project, council, min_other_councils="lots", match_percent="x")
    assert response["Location"] == reverse("projects:pledge_check", args=[project.slug])
    client.post(response["Location"])
    pledge = Pledge.objects.get()
    assert (pledge.state, pledge.min_other_councils, pledge.match_percent) == (
        PledgeState.OFFERED,
        None,
        None,
    )


def test_a_conditional_match_is_checked_made_and_shown_apart(client):
    project = published_project(title="Bin collection finder")  # £5,000 money need
    council = pledger(client, project)
    form = client.get(reverse("projects:pledge", args=[project.slug])).content.decode()
    assert "Only if other councils pledge too" in form
    assert 'data-aria-controls="conditional-id_only_if_others"' in form
    response = post_form(
        client,
        project,
        council,
        amount="15000",
        only_if_others="on",
        min_other_councils="2",
        match="on",
        match_percent="50%",
    )
    check = client.get(response["Location"]).content.decode()
    assert "Only if at least 2 other councils also pledge" in check
    assert "50% of what other councils’ accepted pledges give, up to £15,000" in check
    assert "Your pledge will wait, shown as conditional" in check
    client.post(reverse("projects:pledge_check", args=[project.slug]))
    pledge = Pledge.objects.get()
    assert (pledge.state, pledge.min_other_councils, pledge.match_percent, pledge.amount) == (
        PledgeState.CONDITIONAL,
        2,
        50,
        1_500_000,
    )
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert "Conditional: waiting for other councils" in page
    assert "Waiting for other councils." in page
    assert "Gives £0 now." in page
    assert "Withdraw pledge" in page  # the pledger can still withdraw it

    # Two other councils pledge; the owner accepts one: it is an offer, and gives half of it.
    first = make_pledge(project, amount=400_000)
    make_pledge(project, amount=100_000)
    services.pledge_accept(actor=project.owner, pledge=first)
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert "Met on" in page
    assert "Gives £2,000 now." in page
    assert "Pipeline (automatic)" in page  # who made the move in the history
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Match pledges give £2,000 now, following what other councils give." in detail
    assert "Match of 50%, up to this: gives £2,000 now" in detail  # beside it in the pledges


def test_the_project_page_and_listing_show_conditional_money_apart(client):
    project = published_project(title="Bin collection finder")
    services.pledge_offer(
        actor=verified_member(council := CouncilFactory()),
        project=project,
        council=council,
        kind=Kind.MONEY,
        amount=2_000_000,
        min_other_councils=3,
    )
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Apart from this, £20,000 is conditional: waiting for other councils to pledge." in (
        detail
    )
    assert "£0 committed, £0 offered, of £5,000 needed" in detail
    assert "Only if 3 other councils pledge too" in detail  # its row in the pledges
    listing = client.get("/projects/").content.decode()
    assert "Apart from this, £20,000 is conditional" in listing


def test_the_project_page_query_count_does_not_grow_with_conditional_and_match_pledges(client):
    project = published_project()
    make_pledge(project, state=PledgeState.ACCEPTED)

    def count() -> int:
        client.get(project.get_absolute_url())
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(project.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(1, 11):
        council = CouncilFactory()
        services.pledge_offer(
            actor=verified_member(council),
            project=project,
            council=council,
            kind=Kind.MONEY,
            amount=1_000 * n,
            min_other_councils=40 + n % 5,
            match_percent=n * 5 if n % 2 else None,
        )
    assert count() == one


def test_the_form_and_its_errors_are_in_welsh(client):
    project = published_project()
    council = pledger(client, project)
    response = client.post(
        f"/cy{reverse('projects:pledge', args=[project.slug])}",
        {"council": council.pk, "towards": "money", "amount": "10", "match": "on"},
    )
    page = response.content.decode()
    assert "Dim ond os bydd cynghorau eraill yn addo hefyd" in page
    assert "Rhowch y ganran y bydd eich cyngor yn ei chyfateb" in page  # the error, in Welsh
    assert "Only if other councils pledge too" not in page


def test_the_council_page_and_api_show_its_conditional_and_match_pledges_apart(client):
    project = published_project()
    council = CouncilFactory(code="PWS", short_name="Powys")
    member = verified_member(council)
    for amount, conditions in ((2_000_000, {"min_other_councils": 9}), (1_500_000, {})):
        services.pledge_offer(
            actor=member,
            project=project,
            council=council,
            kind=Kind.MONEY,
            amount=amount,
            **conditions,
        )
    match = services.pledge_offer(
        actor=member,
        project=project,
        council=council,
        kind=Kind.MONEY,
        amount=900_000,
        match_percent=20,
    )
    services.pledge_accept(actor=project.owner, pledge=match)
    services.pledge_accept(actor=project.owner, pledge=make_pledge(project, amount=1_000_000))
    page = client.get(council.get_absolute_url()).content.decode()
    rows = re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</tr>', page, re.S)
    cells = {
        row.split("</th>")[0]: re.findall(r">([^<]+)</td>", row) for row in rows if "</td>" in row
    }
    assert cells["Conditional: waiting for other councils"] == ["1", "£20,000", "0 days"]
    assert cells["Offered"] == ["1", "£15,000", "0 days"]
    assert cells["Accepted"] == ["0", "£0", "0 days"]  # the match is not counted at its cap
    assert cells["Match pledges on the table (what they give now)"] == ["1", "£2,000", "0 days"]
    totals = client.get(f"/api/v1/councils/{council.code}/").json()["pledge_totals"]
    assert totals["conditional"]["money"]["amount_pence"] == 2_000_000
    assert totals["match"]["money"]["amount_pence"] == 200_000
    assert totals["accepted"]["count"] == 0


def test_the_charts_count_what_the_totals_count(client):
    """The project page's charts are drawn from the ledger: a pledge withdrawn or lapsed while
    waiting never counted, a match is apart, and one met counts from its offer."""
    from projects import selectors
    from projects.selectors import _ledger_changes

    project = published_project()
    plain = make_pledge(project, amount=300_000, state=PledgeState.ACCEPTED)
    council = CouncilFactory()
    member = verified_member(council)
    waiting = services.pledge_offer(
        actor=member,
        project=project,
        council=council,
        kind=Kind.MONEY,
        amount=100_000,
        min_other_councils=5,
    )
    services.pledge_withdraw(actor=member, pledge=waiting, reason="Changed plan")
    met = services.pledge_offer(
        actor=member,
        project=project,
        council=council,
        kind=Kind.MONEY,
        amount=50_000,
        min_other_councils=1,
    )
    assert Pledge.objects.get(pk=met.pk).state == PledgeState.OFFERED
    services.pledge_offer(
        actor=member, project=project, council=council, kind=Kind.MONEY, amount=70_000,
        match_percent=10,
    )  # fmt: skip
    changes = _ledger_changes("money", selectors.project_pledge_events(project=project))
    project.refresh_from_db()
    assert (
        sum(c[1] for c in changes)
        == 350_000
        == (project.money_offered + project.money_accepted + project.money_fulfilled)
    )
    assert sum(c[2] for c in changes) == plain.amount
    assert project.money_matched == 30_000


def test_the_confirmation_of_a_conditional_pledge_says_it_waits_for_other_councils(client):
    project = published_project()
    council = pledger(client, project)
    post_form(client, project, council, only_if_others="on", min_other_councils="2")
    response = client.post(reverse("projects:pledge_check", args=[project.slug]), follow=True)
    pledge = Pledge.objects.get()
    assert pledge.state == PledgeState.CONDITIONAL
    page = response.content.decode()
    assert "£20,000 to " in page and "waiting for other councils" in page
    assert "at least 2 other councils have pledged to this project" in page
    # Not an offer yet: nothing says the project team was told or can accept it.
    assert "offered to" not in page
    assert "We have told the project team" not in page
    assert "shows on the project page as offered" not in page
