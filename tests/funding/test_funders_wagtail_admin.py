"""Organisers add and change funders (and their email domains) in the Wagtail admin, through the
services; and the commitments councils can sign. Nobody else can."""

import pytest

from activity.models import ActivityAction, ActivityEntry
from councils.models import Commitment
from funding.models import Funder, FunderRole
from tests.factories import FunderFactory, OrganiserFactory, UserFactory, funder_member

pytestmark = pytest.mark.django_db

ADMIN = "/cms-admin/funding/funders/"


def _form(**changes) -> dict:
    return {
        "name": "Welsh Government",
        "name_cy": "Llywodraeth Cymru",
        "slug": "",
        "kind": "devolved",
        "website": "www.gov.wales",
        "description": "Runs the **Digital Fund**.",
        "domains": "gov.wales\nLLYW.cymru",
        **changes,
    }


@pytest.fixture
def admin_url():
    from django.urls import reverse

    return reverse("admin_funders:index")


def test_an_organiser_adds_and_changes_a_funder_with_its_domains(client, admin_url):
    client.force_login(OrganiserFactory())

    response = client.post(f"{admin_url}new/", _form())

    assert response.status_code == 302
    funder = Funder.objects.get()
    assert (funder.slug, funder.website) == ("welsh-government", "https://www.gov.wales")
    assert sorted(funder.domains.values_list("domain", flat=True)) == ["gov.wales", "llyw.cymru"]
    listing = client.get(admin_url).content.decode()
    assert "Welsh Government" in listing
    assert "/funding/funders/welsh-government/members/" in listing

    edit = client.get(f"{admin_url}edit/{funder.pk}/")
    assert "llyw.cymru" in edit.content.decode()
    client.post(f"{admin_url}edit/{funder.pk}/", _form(domains="gov.wales"))

    assert list(funder.domains.values_list("domain", flat=True)) == ["gov.wales"]
    assert list(ActivityEntry.objects.values_list("action", flat=True).order_by("pk")) == [
        ActivityAction.FUNDER_ADDED,
        ActivityAction.FUNDER_CHANGED,
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", ""),
        ({"domains": "not a domain"}, "domains", "is not an email domain"),
        ({"domains": "taken.gov.uk"}, "domains", "already belongs to"),
        ({"website": "javascript:alert(1)"}, "website", ""),
        ({"kind": "charity"}, "kind", ""),
    ],
)
def test_bad_values_get_an_error_beside_the_field(client, admin_url, changes, field, message):
    from funding.models import FunderDomain

    FunderDomain.objects.create(funder=FunderFactory(), domain="taken.gov.uk")
    client.force_login(OrganiserFactory())

    response = client.post(f"{admin_url}new/", _form(**changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert Funder.objects.count() == 1


@pytest.mark.parametrize("who", ["stranger", "funder_admin"])
def test_nobody_else_reaches_the_funders_admin(client, admin_url, who):
    person = UserFactory() if who == "stranger" else funder_member(role=FunderRole.ADMIN)
    client.force_login(person)
    response = client.post(f"{admin_url}new/", _form())
    assert response.status_code in (302, 403)
    assert not Funder.objects.filter(name="Welsh Government").exists()


def test_organisers_add_commitments_councils_can_sign(client):
    from django.urls import reverse

    client.force_login(OrganiserFactory())
    url = reverse("admin_commitments:index")

    listing = client.get(url)
    response = client.post(
        f"{url}new/",
        {
            "name": "Technology Code of Practice",
            "name_cy": "Cod Ymarfer Technoleg",
            "slug": "technology-code-of-practice",
            "url": "www.gov.uk/guidance/the-technology-code-of-practice",
        },
    )

    assert "Local Digital Declaration" in listing.content.decode()
    assert response.status_code == 302
    added = Commitment.objects.get(slug="technology-code-of-practice")
    assert added.url == "https://www.gov.uk/guidance/the-technology-code-of-practice"
