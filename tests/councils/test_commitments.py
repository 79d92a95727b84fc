"""Councils record the commitments they signed (the Local Digital Declaration above all), which
funding calls may require; the council's page lists them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.mfa import SecondFactorRequired
from activity.models import ActivityAction, ActivityEntry
from core.errors import Conflict, InvalidInput, NotAllowed
from councils import services
from councils.models import Commitment, CouncilCommitment
from tests.factories import (
    CouncilCommitmentFactory,
    CouncilFactory,
    OrganiserFactory,
    UserFactory,
    verified_member,
)

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2019, 3, 12)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def declaration():
    return Commitment.objects.get(slug="local-digital-declaration")


@pytest.fixture
def council():
    return CouncilFactory(short_name="Leadshire", slug="leadshire")


@pytest.fixture
def admin(council):
    return verified_member(council, admin=True)


def test_every_install_has_the_local_digital_declaration(declaration):
    assert declaration.name == "Local Digital Declaration"
    assert declaration.name_cy == "Datganiad Digidol Lleol"
    assert declaration.url == "https://www.localdigital.gov.uk/declaration/"


# --- services ----------------------------------------------------------------------------------


def test_a_council_admin_records_and_removes_a_commitment_and_both_are_logged(
    council, admin, declaration
):
    record = services.council_commitment_record(
        actor=admin,
        council=council,
        commitment=declaration,
        signed_on=SIGNED,
        evidence_url="https://www.localdigital.gov.uk/signatories/",
    )
    assert record.recorded_by == admin

    services.council_commitment_remove(actor=admin, record=record)

    assert not CouncilCommitment.objects.exists()
    recorded, removed = ActivityEntry.objects.order_by("pk")
    assert recorded.action == ActivityAction.COUNCIL_COMMITMENT_RECORDED
    assert recorded.council == council and recorded.target == "Local Digital Declaration"
    assert "Date signed: 2019-03-12" in recorded.details_lines
    assert removed.action == ActivityAction.COUNCIL_COMMITMENT_REMOVED


@pytest.mark.parametrize(
    ("signed_on", "url", "field"),
    [
        ("tomorrow", "", "signed_on"),
        (datetime.date(1999, 12, 31), "", "signed_on"),
        (SIGNED, "javascript:alert(1)", "evidence_url"),
        (SIGNED, 'https://example.org/"><script>', "evidence_url"),
    ],
)
def test_bad_records_are_refused(council, admin, declaration, signed_on, url, field):
    if signed_on == "tomorrow":  # worked out when the test runs, not when it is collected
        signed_on = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        services.council_commitment_record(
            actor=admin,
            council=council,
            commitment=declaration,
            signed_on=signed_on,
            evidence_url=url,
        )
    assert refused.value.field == field
    assert not CouncilCommitment.objects.exists()


def test_a_commitment_is_recorded_once(council, admin, declaration):
    services.council_commitment_record(
        actor=admin, council=council, commitment=declaration, signed_on=SIGNED
    )
    with pytest.raises(Conflict) as refused:
        services.council_commitment_record(
            actor=admin, council=council, commitment=declaration, signed_on=SIGNED
        )
    assert "remove it and record it again" in refused.value.message


def test_who_may_record(council, declaration):
    for person in (UserFactory(), verified_member(council), verified_member(admin=True)):
        with pytest.raises(NotAllowed):
            services.council_commitment_record(
                actor=person, council=council, commitment=declaration, signed_on=SIGNED
            )
    with pytest.raises(SecondFactorRequired):
        services.council_commitment_record(
            actor=verified_member(council, admin=True, enrolled=False),
            council=council,
            commitment=declaration,
            signed_on=SIGNED,
        )
    record = CouncilCommitmentFactory(council=council, commitment=declaration)
    with pytest.raises(NotAllowed):
        services.council_commitment_remove(actor=verified_member(council), record=record)

    services.council_commitment_remove(actor=OrganiserFactory(), record=record)
    assert not CouncilCommitment.objects.exists()


# --- pages -------------------------------------------------------------------------------------


def test_the_commitments_page_records_with_a_form(client, council, admin, declaration):
    client.force_login(admin)

    page = client.get("/councils/leadshire/commitments/")
    response = client.post(
        "/councils/leadshire/commitments/",
        {
            "commitment": declaration.pk,
            "signed_on_day": "12",
            "signed_on_month": "3",
            "signed_on_year": "2019",
            "evidence_url": "www.localdigital.gov.uk/signatories/",
        },
        follow=True,
    )

    assert page.status_code == 200
    assert "Record a commitment" in text(page)
    assert "Recorded: Leadshire signed “Local Digital Declaration”." in text(response)
    record = CouncilCommitment.objects.get()
    assert record.evidence_url == "https://www.localdigital.gov.uk/signatories/"
    assert "Every commitment Pipeline knows of is recorded" in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the commitment the council signed"),
        ({"commitment": "999999"}, "Choose a commitment from the list"),
        ({"signed_on_day": "31", "signed_on_month": "2"}, "must be a real date"),
        ({"signed_on_year": "2999"}, "The date signed must be today or in the past"),
        ({"signed_on_year": "1990"}, "The date signed must be in 2000 or later"),
        ({"evidence_url": "not a link"}, "A web address cannot contain spaces"),
        ({"evidence_url": "https://"}, "Enter a web address"),
    ],
)
def test_the_form_explains_bad_input(client, council, admin, declaration, data, message):
    client.force_login(admin)
    body = {
        "commitment": declaration.pk,
        "signed_on_day": "12",
        "signed_on_month": "3",
        "signed_on_year": "2019",
        "evidence_url": "",
        **data,
    }
    if not data:
        body = {}

    response = client.post("/councils/leadshire/commitments/", body)

    assert response.status_code == 200
    assert message in text(response)
    assert not CouncilCommitment.objects.exists()


def test_removing_from_the_page(client, council, admin, declaration):
    record = CouncilCommitmentFactory(council=council, commitment=declaration)
    client.force_login(admin)

    response = client.post(f"/councils/leadshire/commitments/{record.pk}/remove/", follow=True)

    assert "The record of “Local Digital Declaration” was removed." in text(response)
    assert not CouncilCommitment.objects.exists()


def test_a_record_of_another_council_is_not_found_here(client, council, admin, declaration):
    elsewhere = CouncilCommitmentFactory(commitment=declaration)
    client.force_login(admin)
    response = client.post(f"/councils/leadshire/commitments/{elsewhere.pk}/remove/")
    assert response.status_code == 404
    assert CouncilCommitment.objects.filter(pk=elsewhere.pk).exists()


def test_members_who_are_not_admins_are_refused(client, council, declaration):
    record = CouncilCommitmentFactory(council=council, commitment=declaration)
    client.force_login(verified_member(council))
    assert client.get("/councils/leadshire/commitments/").status_code == 403
    assert client.post(f"/councils/leadshire/commitments/{record.pk}/remove/").status_code == 403
    assert CouncilCommitment.objects.exists()


def test_the_council_page_lists_what_it_signed_in_english_and_welsh(client, council, declaration):
    CouncilCommitmentFactory(
        council=council,
        commitment=declaration,
        signed_on=SIGNED,
        evidence_url="https://www.localdigital.gov.uk/signatories/",
    )

    english = text(client.get("/councils/leadshire/"))
    welsh = text(client.get("/cy/councils/leadshire/"))

    assert "Commitments signed Local Digital Declaration , signed 12 March 2019" in english
    assert "Datganiad Digidol Lleol" in welsh and "12 Mawrth 2019" in welsh


def test_the_council_page_costs_no_more_queries_with_commitments(client, council, declaration):
    client.get("/councils/leadshire/")
    with CaptureQueriesContext(connection) as none:
        client.get("/councils/leadshire/")
    CouncilCommitmentFactory(council=council, commitment=declaration)
    for n in range(3):
        other = Commitment.objects.create(name=f"Charter {n}", slug=f"charter-{n}")
        CouncilCommitmentFactory(council=council, commitment=other)
    with CaptureQueriesContext(connection) as four:
        response = client.get("/councils/leadshire/")
    assert "Charter 2" in text(response)
    assert len(four) == len(none)
