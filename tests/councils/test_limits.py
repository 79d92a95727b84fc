"""Delegated limits: set by council admins, on the web and through the API."""

import pytest
from django.urls import reverse

from core.errors import InvalidInput, NotAllowed
from councils import services
from councils.models import Council, MembershipRole
from tests.api.conftest import token_client
from tests.factories import CouncilFactory, MembershipFactory, approver, verified_member

pytestmark = pytest.mark.django_db


def test_an_admin_sets_and_clears_the_limits():
    council = CouncilFactory()
    admin = verified_member(council, admin=True)
    services.council_set_limits(
        actor=admin, council=council, money_limit=2_500_000, half_days_limit=7
    )
    council.refresh_from_db()
    assert (council.money_limit, council.half_days_limit) == (2_500_000, 7)
    services.council_set_limits(actor=admin, council=council, money_limit=None, half_days_limit=0)
    council.refresh_from_db()
    assert (council.money_limit, council.half_days_limit) == (None, 0)


@pytest.mark.parametrize("who", ["member", "approver", "other_admin"])
def test_only_its_admins_set_the_limits(who):
    council = CouncilFactory()
    actor = {
        "member": lambda: verified_member(council),
        "approver": lambda: approver(council),
        "other_admin": lambda: verified_member(CouncilFactory(), admin=True),
    }[who]()
    with pytest.raises(NotAllowed):
        services.council_set_limits(
            actor=actor, council=council, money_limit=1, half_days_limit=None
        )
    assert Council.objects.get(pk=council.pk).money_limit is None


def test_a_negative_limit_is_refused():
    council = CouncilFactory()
    with pytest.raises(InvalidInput) as excinfo:
        services.council_set_limits(
            actor=verified_member(council, admin=True),
            council=council,
            money_limit=-1,
            half_days_limit=None,
        )
    assert excinfo.value.field == "money_limit"


def test_the_limits_form_reads_pounds_and_days_exactly(client):
    council = CouncilFactory()
    client.force_login(verified_member(council, admin=True))
    url = reverse("councils:limits", args=[council.slug])
    response = client.post(url, {"money_limit": "£2,500.50", "half_days_limit": "3.5"})
    assert response.status_code == 302
    council.refresh_from_db()
    assert (council.money_limit, council.half_days_limit) == (250_050, 7)
    page = client.get(reverse("councils:members", args=[council.slug]))
    assert "£2,500.50" in page.text and "3.5 days" in page.text


@pytest.mark.parametrize(
    ("money", "days", "field", "message"),
    [
        ("lots", "", "money_limit", None),
        ("", "2.25", "half_days_limit", None),
        ("12.345", "", "money_limit", None),
        ("-5", "", "money_limit", "A limit cannot be below 0. Enter 0 if every pledge"),
        ("", "-1", "half_days_limit", "A limit cannot be below 0. Enter 0 if every pledge"),
        ("99999999999999", "", "money_limit", "The amount must be £10,000,000 or less."),
        ("", "5000", "half_days_limit", "The time must be 2,000 days or less."),
    ],
)
def test_bad_limits_are_form_errors_and_change_nothing(client, money, days, field, message):
    council = CouncilFactory()
    client.force_login(verified_member(council, admin=True))
    url = reverse("councils:limits", args=[council.slug])
    response = client.post(url, {"money_limit": money, "half_days_limit": days})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    if message:  # out of range: say what is allowed
        assert message in response.text
        assert "more than zero" not in response.text  # 0 is a limit: all need sign-off
        assert "between nothing and the largest pledge" not in response.text
    council.refresh_from_db()
    assert (council.money_limit, council.half_days_limit) == (None, None)


def test_a_limit_of_zero_is_taken_and_a_negative_one_explained_in_welsh(client):
    council = CouncilFactory()
    client.force_login(verified_member(council, admin=True))
    url = reverse("councils:limits", args=[council.slug])
    welsh = client.post(f"/cy{url}", {"money_limit": "-1", "half_days_limit": ""}).text
    assert "Ni all terfyn fod yn is na 0" in welsh
    assert client.post(url, {"money_limit": "0", "half_days_limit": "0"}).status_code == 302
    council.refresh_from_db()
    assert (council.money_limit, council.half_days_limit) == (0, 0)


def test_the_members_page_shows_and_gives_the_approver_role(client):
    council = CouncilFactory()
    client.force_login(verified_member(council, admin=True))
    member = MembershipFactory(council=council)
    page = client.get(reverse("councils:members", args=[council.slug]))
    assert "Make approver" in page.text
    response = client.post(
        reverse("councils:membership_role", args=[member.pk]), {"role": "approver"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == MembershipRole.APPROVER
    assert "Approver" in client.get(reverse("councils:members", args=[council.slug])).text


def test_the_api_sets_limits_and_shows_them_on_the_council():
    council = CouncilFactory()
    client = token_client(verified_member(council, admin=True))
    url = reverse("api:council-limits", kwargs={"code": council.code})
    response = client.post(url, {"money_limit_pence": 100_000, "days_limit": "2.5"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "money": {"amount_pence": 100_000, "currency": "GBP"},
        "days": "2.5",
    }
    detail = client.get(reverse("api:council-detail", kwargs={"code": council.code})).json()
    assert detail["delegated_limits"] == response.json()
    assert "pending" not in detail["pledge_totals"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"money_limit_pence": -5}, "money_limit_pence"),
        ({"days_limit": "1.25"}, "days_limit"),
        ({"money_limit_pence": "many"}, "money_limit_pence"),
        ({"money_limit_pence": 10**15}, "money_limit"),
        ({"limit": 5}, "limit"),
    ],
)
def test_bad_api_limits_are_400_field_errors(body, field):
    council = CouncilFactory()
    client = token_client(verified_member(council, admin=True))
    url = reverse("api:council-limits", kwargs={"code": council.code})
    response = client.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
