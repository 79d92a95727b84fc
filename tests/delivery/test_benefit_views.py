"""Benefits on the web: the adopting council's form (errors, pounds to exact pence, Welsh), the
project page, the council page, the home page's figures and the national benefits page."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delivery.models import Benefit, Confidence
from projects.models import Phase
from tests.factories import (
    AdoptionFactory,
    BenefitFactory,
    CouncilFactory,
    OrganiserFactory,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


def _url(adoption) -> str:
    return reverse("delivery:benefit_edit", args=[adoption.project.slug, adoption.council.slug])


def _post(client, adoption, **fields):
    data = {
        "cashable_savings": "£12,345.67",
        "hours_saved": "1,200",
        "people_served": "25000",
        "non_cashable": "Fewer calls about missed bins.",
        "evidence_url": "https://example.gov.uk/report",
        "confidence": "high",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(fields)
    return client.post(_url(adoption), data)


def _count(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_a_member_of_the_adopting_council_records_benefits_in_pounds(client):
    adoption = AdoptionFactory()
    member = verified_member(adoption.council)
    client.force_login(member)
    page = client.get(_url(adoption))
    assert page.status_code == 200
    assert f"Record the benefits {adoption.council.display_name} gets" in page.content.decode()
    response = _post(client, adoption)
    benefit = Benefit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == benefit.get_absolute_url()
    assert benefit.cashable_savings == 1_234_567  # exactly, from "£12,345.67"
    assert benefit.hours_saved == 1_200
    assert benefit.people_served == 25_000
    assert benefit.confidence == Confidence.HIGH
    assert benefit.recorded_by == member


def test_the_form_shows_the_figures_to_update_them(client):
    benefit = BenefitFactory(cashable_savings=1_250_050, hours_saved=0)
    client.force_login(verified_member(benefit.adoption.council))
    page = client.get(_url(benefit.adoption)).content.decode()
    # It names the council: an organiser may record for any adopting council.
    assert f"Update the benefits {benefit.adoption.council.display_name} gets" in page
    assert 'value="12500.50"' in page
    _post(client, benefit.adoption, cashable_savings="12500.50", confidence="low")
    benefit.refresh_from_db()
    assert benefit.cashable_savings == 1_250_050
    assert benefit.confidence == Confidence.LOW
    assert Benefit.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cashable_savings": "12.345"}, "no more than 2 decimals"),
        ({"cashable_savings": "1e6"}, "Enter an amount in pounds"),
        ({"cashable_savings": "10000000.01"}, "£10,000,000 a year or less"),
        ({"hours_saved": "12.5"}, "Enter a whole number"),
        ({"cashable_savings": "-500"}, "The savings cannot be less than zero."),
        ({"cashable_savings": "12,50"}, "Enter an amount in pounds"),
        ({"hours_saved": "1,2"}, "Enter a whole number"),
        ({"hours_saved": "-3"}, "The hours saved cannot be less than zero."),
        ({"people_served": "-1"}, "The people served cannot be less than zero."),
        ({"people_served": "1,0000"}, "Enter a whole number"),
        ({"hours_saved": "1000001"}, "1,000,000 a year or fewer"),
        ({"people_served": "99999999999999999999"}, "10,000,000 or fewer"),
        ({"evidence_url": "javascript:alert(1)"}, "Enter a web address"),
        ({"confidence": ""}, "Choose how confident you are"),
        ({"confidence": "high", "evidence_url": ""}, "Give a link to the evidence"),
        (
            {
                "cashable_savings": "",
                "hours_saved": "",
                "people_served": "",
                "non_cashable": "",
            },
            "Enter at least one benefit",
        ),
    ],
)
def test_mistakes_come_back_with_an_error_summary(client, fields, message):
    adoption = AdoptionFactory()
    client.force_login(verified_member(adoption.council))
    response = _post(client, adoption, **fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    assert not Benefit.objects.exists()


def test_other_people_are_refused(client):
    adoption = AdoptionFactory()
    client.force_login(verified_member(CouncilFactory()))
    assert client.get(_url(adoption)).status_code == 403
    assert _post(client, adoption).status_code == 403
    client.force_login(adoption.project.owner)  # the lead council does not report for others
    assert _post(client, adoption).status_code == 403
    assert not Benefit.objects.exists()
    client.force_login(OrganiserFactory())
    assert _post(client, adoption).status_code == 302


def test_a_council_that_did_not_adopt_it_has_no_form(client):
    project = published_project(phase=Phase.LIVE)
    council = CouncilFactory()
    client.force_login(verified_member(council))
    url = reverse("delivery:benefit_edit", args=[project.slug, council.slug])
    assert client.get(url).status_code == 404


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get(_url(AdoptionFactory()))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_welsh_form_is_in_welsh(client):
    adoption = AdoptionFactory()
    client.force_login(verified_member(adoption.council))
    url = f"/cy{_url(adoption)}"
    page = client.get(url).content.decode()
    assert f"Cofnodi'r manteision y mae {adoption.council.display_name} yn eu cael" in page
    response = client.post(url, {"confidence": "", "submission_key": str(uuid.uuid4())})
    page = response.content.decode()
    assert "Mae problem" in page
    assert "Dewiswch pa mor hyderus ydych chi" in page


def test_the_project_page_adds_up_the_benefits_and_links_the_form(client):
    project = published_project(phase=Phase.LIVE)
    first = BenefitFactory(
        adoption=AdoptionFactory(project=project), cashable_savings=1_000_050, hours_saved=100
    )
    BenefitFactory(
        adoption=AdoptionFactory(project=project),
        cashable_savings=2_000_000,
        hours_saved=5,
        confidence=Confidence.LOW,
        evidence_url="",
    )
    waiting = AdoptionFactory(project=project)
    page = client.get(project.get_absolute_url()).content.decode()
    section = page[page.index('id="benefits"') :]
    assert "£30,000.50" in section  # £10,000.50 + £20,000
    assert "105" in section
    assert "Low confidence" in section and "Medium confidence" in section
    assert f'id="benefit-{first.pk}"' in section
    assert _url(waiting) not in page  # a visitor may record for nobody
    client.force_login(verified_member(waiting.council))
    page = client.get(project.get_absolute_url()).content.decode()
    assert _url(waiting) in page
    assert "Record the benefits" in page


@pytest.mark.parametrize("reader", ["visitor", "member"])
def test_the_project_page_runs_the_same_queries_for_1_or_many_benefits(client, reader):
    def build(n):
        project = published_project(phase=Phase.LIVE)
        adoptions = [AdoptionFactory(project=project) for _ in range(n)]
        for adoption in adoptions:
            BenefitFactory(adoption=adoption)
        return project, adoptions[0]

    one, adoption_one = build(1)
    many, adoption_many = build(12)
    if reader == "member":
        # A member of the first adopting council of each (the same person for both).
        member = verified_member(adoption_one.council)
        from tests.factories import MembershipFactory

        MembershipFactory(user=member, council=adoption_many.council)
        client.force_login(member)
    assert _count(client, one.get_absolute_url()) == _count(client, many.get_absolute_url())


def test_the_council_page_lists_what_it_reported_with_totals(client):
    council = CouncilFactory()
    BenefitFactory(
        adoption=AdoptionFactory(council=council, project=published_project(title="Bins online"))
    )
    BenefitFactory(adoption=AdoptionFactory(council=council), cashable_savings=50)
    page = client.get(council.get_absolute_url()).content.decode()
    section = page[page.index('id="benefits"') :]
    assert "Bins online" in section
    assert "£12,501" in section  # £12,500.50 + £0.50
    assert "Benefits it reports" in page
    assert f"/api/v1/benefits.csv?council={council.code}" in page


def test_the_council_page_runs_the_same_queries_for_1_or_many_benefits(client):
    one, many = CouncilFactory(), CouncilFactory()
    BenefitFactory(adoption=AdoptionFactory(council=one))
    for _ in range(12):
        BenefitFactory(adoption=AdoptionFactory(council=many))
    assert _count(client, one.get_absolute_url()) == _count(client, many.get_absolute_url())


def test_the_national_page_shows_totals_a_chart_and_every_project(client):
    saver = published_project(phase=Phase.LIVE, title="Big saver")
    BenefitFactory(adoption=AdoptionFactory(project=saver), cashable_savings=500_000_00)
    BenefitFactory(adoption=AdoptionFactory(project=saver), cashable_savings=250_000_00)
    words = published_project(phase=Phase.LIVE, title="Kinder letters")
    BenefitFactory(adoption=AdoptionFactory(project=words), cashable_savings=0, hours_saved=9)
    response = client.get(reverse("benefits"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "£750,000" in page
    assert '<figure class="pipeline-chart"' in page
    assert "Show the figures as a table" in page  # the chart's text alternative
    assert "Big saver" in page and "Kinder letters" in page
    assert reverse("api:benefits_csv") in page


def test_the_national_page_runs_the_same_queries_for_1_or_many_projects(client):
    BenefitFactory()
    one = _count(client, reverse("benefits"))
    for _ in range(15):
        BenefitFactory()
    assert _count(client, reverse("benefits")) == one


def test_the_national_page_says_when_nothing_is_reported(client):
    page = client.get(reverse("benefits")).content.decode()
    assert "No council has reported benefits yet." in page


def test_the_welsh_national_page_is_in_welsh(client):
    BenefitFactory()
    page = client.get("/cy/benefits/").content.decode()
    assert "Manteision y mae cynghorau'n eu hadrodd" in page


def test_the_home_page_shows_the_national_benefits_with_a_chart(client):
    html = client.get("/").content.decode()
    assert "What councils say they get" not in html  # nothing reported yet
    project = published_project(phase=Phase.LIVE, title="Garden waste renewals")
    BenefitFactory(adoption=AdoptionFactory(project=project), cashable_savings=4_000_000)
    html = client.get("/").content.decode()
    section = html[html.index('id="benefits-heading"') :]
    assert "£40,000" in section
    assert "Garden waste renewals" in section
    assert 'id="benefits-chart-caption"' in section
    assert reverse("benefits") in section


def test_the_home_page_runs_the_same_queries_for_1_or_many_benefits(client):
    BenefitFactory()
    one = _count(client, "/")
    for _ in range(12):
        BenefitFactory()
    assert _count(client, "/") == one


def test_a_welsh_projects_title_says_its_language_on_the_national_page(client):
    project = published_project(phase=Phase.LIVE, title="Biniau", language="cy")
    BenefitFactory(adoption=AdoptionFactory(project=project))
    page = client.get(reverse("benefits")).content.decode()
    assert 'lang="cy">Biniau</a>' in page
