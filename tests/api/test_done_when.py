"""The issue's done-when, as a script would do it with nothing but the API and tokens.

An officer of council A gets a token with their email and password, proposes a project, adds
needs and publishes it. Officers of B and C pledge. A accepts and fulfils one pledge, accepts
another, declines one; B withdraws one. Every total on the project, its needs, the councils and
the headline figures is then exactly what the ledger says.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from tests.factories import CouncilFactory, verified_member
from tests.factories.accounts import PASSWORD

from .conftest import assert_error, send

pytestmark = pytest.mark.django_db

ZERO = {"count": 0, "money": {"amount_pence": 0, "currency": "GBP"}, "days": "0"}


def money(pence: int) -> dict:
    return {"amount_pence": pence, "currency": "GBP"}


def login(email: str) -> APIClient:
    """POST /auth/token/ with email and password; a client that sends the token."""
    response = send(
        APIClient(),
        "POST",
        "/api/v1/auth/token/",
        {"email": email, "password": PASSWORD, "name": "Done-when script"},
    )
    assert response.status_code == 201, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content[:500]
    return response.json() if response.content else {}


def test_propose_publish_pledge_decide_and_every_total_is_exact():
    council_a = CouncilFactory(code="ANY", short_name="Anyshire")
    council_b = CouncilFactory(code="BEX", short_name="Bexford")
    council_c = CouncilFactory(code="CWM", short_name="Cwmtown", name_cy="Cwmtref")
    officer_a = verified_member(council_a, first_name="Alys", last_name="Ap")
    officer_b = verified_member(council_b, first_name="Bea", last_name="Bee")
    officer_c = verified_member(council_c, first_name="Cai", last_name="Cee")
    a, b, c = login(officer_a.email), login(officer_b.email), login(officer_c.email)
    public = APIClient()

    # A proposes: a draft that only A's council sees.
    project = ok(
        send(
            a,
            "POST",
            "/api/v1/projects/",
            {
                "lead_council": "ANY",
                "title": "Shared waste app",
                "summary": "Book bulky waste collections",
                "problem": "Every council builds its own",
                "pledging_deadline": (date.today() + timedelta(days=365)).isoformat(),
                "partner_target": 2,
                "licence": "OGL-UK-3.0",
            },
        ),
        201,
    )
    slug = project["slug"]
    assert slug == "shared-waste-app"
    assert project["state"] == "draft"
    assert project["owner"] == "Alys Ap"
    assert project["lead_council"]["code"] == "ANY"
    assert project["published_at"] is None
    assert_error(public.get(f"/api/v1/projects/{slug}/"), 404)
    assert_error(b.get(f"/api/v1/projects/{slug}/"), 404)

    # A adds needs: £12,000, 20 developer days, 5.5 designer days.
    url = f"/api/v1/projects/{slug}/needs/"
    money_need = ok(send(a, "POST", url, {"kind": "money", "amount_pence": 1_200_000}), 201)
    dev_need = ok(send(a, "POST", url, {"kind": "time", "role": "developer", "days": "20"}), 201)
    design_need = ok(send(a, "POST", url, {"kind": "time", "role": "designer", "days": 5.5}), 201)
    assert design_need["days"] == "5.5"
    # B cannot see the draft, so cannot add to it either.
    assert_error(send(b, "POST", url, {"kind": "money", "amount_pence": 1}), 404)

    # Pledging to a draft is refused; A publishes.
    assert_error(
        send(
            b,
            "POST",
            "/api/v1/pledges/",
            {"project": slug, "council": "BEX", "kind": "money", "amount_pence": 5},
        ),
        400,
        field="project",
    )
    published = ok(send(a, "POST", f"/api/v1/projects/{slug}/state/", {"state": "seeking_support"}))
    assert published["state"] == "seeking_support"
    assert published["published_at"] is not None
    assert ok(public.get(f"/api/v1/projects/{slug}/"))["slug"] == slug

    # B and C offer pledges.
    def pledge(client, council, **fields) -> dict:
        body = {"project": slug, "council": council, **fields}
        return ok(send(client, "POST", "/api/v1/pledges/", body), 201)

    p1 = pledge(b, "BEX", kind="money", amount_pence=400_000, need=money_need["id"], note="Q1")
    p2 = pledge(b, "BEX", kind="time", days="10", need=dev_need["id"])
    p3 = pledge(b, "BEX", kind="money", amount_pence=50_000)
    p4 = pledge(c, "CWM", kind="money", amount_pence=300_000, need=money_need["id"])
    p5 = pledge(c, "CWM", kind="time", days="2.5", need=design_need["id"])
    assert [p["state"] for p in (p1, p2, p3, p4, p5)] == ["offered"] * 5
    assert p2["role"] == "developer", "a pledge to a need takes the need's role"
    assert p1["pledged_by"] == "Bea Bee"
    # B cannot pledge in C's name.
    body = {"project": slug, "council": "CWM", "kind": "money", "amount_pence": 1}
    assert_error(send(b, "POST", "/api/v1/pledges/", body), 403, field="council")

    # A decides; B withdraws one. Nobody acts for someone else.
    def act(client, pledge: dict, action: str, **body):
        return send(client, "POST", f"/api/v1/pledges/{pledge['id']}/{action}/", body)

    assert_error(act(b, p1, "accept"), 403)
    assert ok(act(a, p1, "accept", note="Thanks"))["state"] == "accepted"
    assert ok(act(a, p1, "fulfil", note="Paid"))["state"] == "fulfilled"
    assert ok(act(a, p2, "accept"))["state"] == "accepted"
    assert ok(act(a, p4, "decline", note="Covered"))["state"] == "declined"
    assert_error(act(c, p3, "withdraw", reason="Not mine"), 403)
    assert ok(act(b, p3, "withdraw", reason="Budget cut"))["state"] == "withdrawn"
    assert_error(act(a, p3, "accept"), 409, field="state")

    # The project and its needs.
    project = ok(public.get(f"/api/v1/projects/{slug}/"))
    assert project["totals"] == {
        "money_needed": money(1_200_000),
        "money_offered": money(0),
        "money_accepted": money(0),
        "money_fulfilled": money(400_000),
        "days_needed": "25.5",
        "days_offered": "2.5",
        "days_accepted": "10",
        "days_fulfilled": "0",
        "money_conditional": money(0),  # no conditional or match pledges here
        "money_matched": money(0),
        "days_conditional": "0",
        "days_matched": "0",
        "partner_count": 1,
        "partner_target": 2,
    }
    needs = {n["id"]: n for n in project["needs"]}
    assert needs == {n["id"]: n for n in ok(public.get(f"/api/v1/projects/{slug}/needs/"))}

    # Progress in the one money shape ({amount_pence, currency}) and exact days, as elsewhere.
    def progress(need: dict, key: str):
        value = need[key]
        return value["amount"] if need["kind"] == "money" else value["days"]

    money_progress = needs[money_need["id"]]
    assert [progress(money_progress, k) for k in ("offered", "accepted", "fulfilled")] == [
        money(0),
        money(0),
        money(400_000),
    ]
    assert money_progress["offered"]["days"] is None
    assert money_progress["amount"] == money(1_200_000)
    dev = needs[dev_need["id"]]
    assert [dev["days"], *(progress(dev, k) for k in ("offered", "accepted", "fulfilled"))] == [
        "20",
        "0",
        "10",
        "0",
    ]
    assert dev["offered"]["amount"] is None
    design = needs[design_need["id"]]
    assert [design["days"], progress(design, "offered"), progress(design, "accepted")] == [
        "5.5",
        "2.5",
        "0",
    ]

    # The listing says the same as the detail.
    listed = ok(public.get("/api/v1/projects/"))["results"]
    assert [p["slug"] for p in listed] == [slug]
    assert listed[0]["totals"] == project["totals"]
    assert [p["slug"] for p in ok(public.get("/api/v1/projects/?partner_council=BEX"))["results"]]
    assert ok(public.get("/api/v1/projects/?partner_council=CWM"))["results"] == []

    # The councils.
    # Conditional, lapsed and match pledges have their own rows; none were made here.
    NO_CONDITIONS = dict.fromkeys(("conditional", "lapsed", "match"), ZERO)  # noqa: N806
    bexford = ok(public.get("/api/v1/councils/BEX/"))["pledge_totals"]
    assert bexford == {
        "offered": ZERO,
        "accepted": {"count": 1, "money": money(0), "days": "10"},
        "declined": ZERO,
        "withdrawn": {"count": 1, "money": money(50_000), "days": "0"},
        "fulfilled": {"count": 1, "money": money(400_000), "days": "0"},
        **NO_CONDITIONS,
        "proposed": ZERO,
        "superseded": ZERO,
    }
    cwmtown = ok(public.get("/api/v1/councils/cwm/"))
    assert cwmtown["name_cy"] == "Cwmtref"
    assert cwmtown["pledge_totals"] == {
        "offered": {"count": 1, "money": money(0), "days": "2.5"},
        "accepted": ZERO,
        "declined": {"count": 1, "money": money(300_000), "days": "0"},
        "withdrawn": ZERO,
        "fulfilled": ZERO,
        **NO_CONDITIONS,
        "proposed": ZERO,
        "superseded": ZERO,
    }
    anyshire = ok(public.get("/api/v1/councils/ANY/"))["pledge_totals"]
    assert anyshire == dict.fromkeys(anyshire, ZERO)
    assert set(anyshire) == {
        "offered",
        "accepted",
        "declined",
        "withdrawn",
        "fulfilled",
        "proposed",
        "superseded",
    } | set(NO_CONDITIONS)

    # The headline figures.
    stats = ok(public.get("/api/v1/stats/"))
    assert stats["projects"] == 1
    assert stats["money_pledged"] == money(400_000)
    assert stats["money_accepted"] == money(400_000)
    assert stats["days_pledged"] == "12.5"
    assert stats["days_accepted"] == "10"

    # The public ledger: every pledge, and p1's chain of events.
    ledger = ok(public.get(f"/api/v1/pledges/?project={slug}"))["results"]
    assert {p["id"]: p["state"] for p in ledger} == {
        p1["id"]: "fulfilled",
        p2["id"]: "accepted",
        p3["id"]: "withdrawn",
        p4["id"]: "declined",
        p5["id"]: "offered",
    }
    events = ok(public.get(f"/api/v1/pledges/{p1['id']}/"))["events"]
    assert [(e["from_state"], e["to_state"], e["actor"], e["note"]) for e in events] == [
        (None, "offered", "Bea Bee", "Q1"),
        ("offered", "accepted", "Alys Ap", "Thanks"),
        ("accepted", "fulfilled", "Alys Ap", "Paid"),
    ]
    assert [e["sequence"] for e in events] == [1, 2, 3]

    # And the open-data export agrees, pledge by pledge.
    response = public.get(f"/api/v1/pledges.csv?project={slug}")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {int(r["pledge_id"]): (r["state"], r["amount_pence"], r["days"]) for r in rows} == {
        p1["id"]: ("fulfilled", "400000", ""),
        p2["id"]: ("accepted", "", "10"),
        p3["id"]: ("withdrawn", "50000", ""),
        p4["id"]: ("declined", "300000", ""),
        p5["id"]: ("offered", "", "2.5"),
    }
