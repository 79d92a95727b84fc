"""Portfolios (a council's and the national one) and needs tied to a phase: the rows, totals that
equal the ledger, what is committed for later phases apart from what is due now, the pages,
their CSV and filters, and who may see the national one."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from delivery import services as delivery_services
from delivery.models import Rating, ReportSchedule
from delivery.portfolio import (
    PortfolioRole,
    council_portfolio_projects,
    national_portfolio_projects,
    portfolio_rows,
    sums_total,
)
from projects import services
from projects.models import Kind, Need, Phase, Pledge, PledgeState, Project, State, Update
from tests.api.conftest import assert_error, token_client
from tests.factories import (
    CouncilFactory,
    MilestoneFactory,
    NeedFactory,
    OrganiserFactory,
    ProjectFactory,
    ServiceAreaFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

COMMITTED = (PledgeState.ACCEPTED, PledgeState.FULFILLED)


class World:
    """Leadshire leads an alpha project with a £40,000 need for beta; it supports another
    council's project; and it only offered to a third (not in its portfolio)."""

    def __init__(self):
        self.area = ServiceAreaFactory(name="Waste", slug="waste")
        self.lead = CouncilFactory(name="Leadshire")
        self.project = published_project(
            lead_council=self.lead, phase=Phase.ALPHA, title="Bins", service_areas=[self.area]
        )
        self.now_need = self.project.needs.get(kind=Kind.MONEY)  # £5,000, needed now
        self.time_need = self.project.needs.get(kind=Kind.TIME)
        self.beta_need = NeedFactory(project=self.project, amount=4_000_000, phase=Phase.BETA)
        self.beta_days = NeedFactory(project=self.project, time=True, phase=Phase.BETA)
        self.partner = CouncilFactory(name="Partnershire")
        make_pledge(
            self.project,
            council=self.partner,
            amount=4_000_000,
            need=self.beta_need,
            state=PledgeState.ACCEPTED,
        )
        make_pledge(
            self.project,
            council=self.partner,
            kind=Kind.TIME,
            amount=40,
            need=self.beta_days,
            state=PledgeState.ACCEPTED,
        )
        make_pledge(
            self.project,
            council=CouncilFactory(),
            amount=100_050,
            need=self.now_need,
            state=PledgeState.FULFILLED,
        )
        make_pledge(
            self.project,
            council=CouncilFactory(),
            amount=250_000,
            need=self.now_need,
            state=PledgeState.ACCEPTED,
        )
        make_pledge(self.project, amount=99_900, state=PledgeState.OFFERED)  # not committed
        # Supported: its own accepted pledge counts, another council's does not.
        self.supported = published_project(title="Libraries", phase=Phase.BETA)
        make_pledge(self.supported, council=self.lead, amount=200_000, state=PledgeState.ACCEPTED)
        make_pledge(self.supported, amount=900_000, state=PledgeState.ACCEPTED)
        # Only offered: not a partner, so not in the portfolio.
        self.offered_to = published_project(title="Parking")
        make_pledge(self.offered_to, council=self.lead, amount=50_000, state=PledgeState.OFFERED)


def _rows(council=None):
    projects = (
        council_portfolio_projects(council=council) if council else national_portfolio_projects()
    )
    projects = projects.order_by("-published_at", "-pk")
    return {r.project.title: r for r in portfolio_rows(projects, council=council)}, projects


def _ledger_sum(pledges, kind: str) -> int:
    return pledges.filter(kind=kind, state__in=COMMITTED, match_percent__isnull=True).aggregate(
        total=Sum("amount", default=0)
    )["total"]


# --- selectors --------------------------------------------------------------------------------


def test_a_council_portfolio_has_what_it_leads_and_supports_with_its_figures():
    w = World()
    rows, _ = _rows(w.lead)
    assert set(rows) == {"Bins", "Libraries"}
    bins, libraries = rows["Bins"], rows["Libraries"]
    assert bins.role == PortfolioRole.LEADS and libraries.role == PortfolioRole.SUPPORTS
    # Led: every council's committed pledges, split by when they fall due.
    assert bins.sums.money.fulfilled == 100_050
    assert bins.sums.money.due_now == 250_000
    assert bins.sums.money.later == 4_000_000
    assert bins.sums.money.committed == 4_350_050
    assert (bins.sums.days.due_now, bins.sums.days.later) == (0, 40)
    # The project's stored totals say the same.
    project = Project.objects.get(pk=w.project.pk)
    assert bins.sums.money.committed == project.money_committed
    assert bins.sums.days.committed == project.half_days_committed
    # Supported: its own pledge only.
    assert libraries.sums.money.committed == 200_000
    assert libraries.sums.money.due_now == 200_000
    assert libraries.rating == "" and libraries.next_milestone_title == ""


def test_the_totals_equal_the_sums_in_the_ledger():
    w = World()
    _, projects = _rows(w.lead)
    total = sums_total(projects=projects, council=w.lead)
    ledger = Pledge.objects.filter(
        Q(project__lead_council=w.lead) | Q(council=w.lead), project__in=projects.values("pk")
    )
    assert total.money.committed == _ledger_sum(ledger, Kind.MONEY) == 4_550_050
    assert total.days.committed == _ledger_sum(ledger, Kind.TIME) == 40
    assert total.money.later == 4_000_000
    # The national portfolio adds up to every committed pledge to a visible project.
    _, national = _rows()
    everything = sums_total(projects=national, council=None)
    visible = Pledge.objects.filter(project__in=Project.objects.visible())
    assert everything.money.committed == _ledger_sum(visible, Kind.MONEY)
    assert everything.money.committed == sum(p.money_committed for p in Project.objects.visible())


def test_entering_the_phase_makes_later_pledges_due_and_says_so_on_the_timeline():
    w = World()
    services.project_set_state(actor=w.project.owner, project=w.project, state=State.IN_DELIVERY)
    services.project_set_phase(actor=w.project.owner, project=w.project, phase=Phase.BETA)
    bins = _rows(w.lead)[0]["Bins"]
    assert bins.sums.money.later == 0
    assert bins.sums.money.due_now == 4_250_000
    assert bins.sums.days.due_now == 40
    update = Update.objects.filter(project=w.project, to_phase=Phase.BETA).get()
    assert "Pledges committed for beta now fall due: £40,000 and 20 days." in update.body
    # Back a phase: the beta pledges are for later again, and nothing falls due.
    services.project_set_phase(actor=w.project.owner, project=w.project, phase=Phase.ALPHA)
    assert _rows(w.lead)[0]["Bins"].sums.money.later == 4_000_000
    back = Update.objects.filter(project=w.project, to_phase=Phase.ALPHA).get()
    assert "fall due" not in back.body


def test_the_project_page_says_which_pledges_are_committed_for_a_later_phase(client):
    w = World()
    said = "Committed for beta: due when the project enters it"
    assert client.get(w.project.get_absolute_url()).content.decode().count(said) == 2
    services.project_set_phase(actor=w.project.owner, project=w.project, phase=Phase.BETA)
    assert said not in client.get(w.project.get_absolute_url()).content.decode()


def test_a_phase_change_without_pledges_for_it_says_nothing_of_pledges():
    project = published_project(phase=Phase.DISCOVERY)
    services.project_set_phase(actor=project.owner, project=project, phase=Phase.ALPHA)
    assert "fall due" not in Update.objects.get(project=project, to_phase=Phase.ALPHA).body


def test_rows_show_the_latest_rating_next_milestone_and_report_overdue():
    w = World()
    today = timezone.localdate()
    MilestoneFactory(project=w.project, title="Done one", planned_on=today, done_on=today)
    MilestoneFactory(
        project=w.project, title="Alpha assessment", planned_on=today + datetime.timedelta(3)
    )
    MilestoneFactory(project=w.project, title="Later", planned_on=today + datetime.timedelta(9))
    for rating in (Rating.ON_TRACK, Rating.AT_RISK):
        delivery_services.status_report_file(
            actor=w.project.owner,
            project=w.project,
            rating=rating,
            happened="Work",
            next_steps="More",
        )
    Project.objects.filter(pk=w.supported.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=45)
    )
    rows, _ = _rows(w.lead)
    bins, libraries = rows["Bins"], rows["Libraries"]
    assert bins.rating == Rating.AT_RISK and bins.rating_label == "At risk"
    assert (bins.next_milestone_title, bins.next_milestone_on) == (
        "Alpha assessment",
        today + datetime.timedelta(3),
    )
    assert bins.days_since_report == 0 and not bins.report_overdue
    assert libraries.last_report_on is None and libraries.days_since_report == 45
    assert libraries.report_overdue


def _portfolio_queries(council) -> int:
    with CaptureQueriesContext(connection) as ctx:
        projects = council_portfolio_projects(council=council).order_by("-published_at", "-pk")
        portfolio_rows(projects, council=council)
        sums_total(projects=projects, council=council)
    return len(ctx.captured_queries)


def test_queries_are_the_same_for_1_and_10_projects(django_assert_num_queries):
    council = CouncilFactory()
    published_project(lead_council=council)
    one = _portfolio_queries(council)
    for n in range(9):
        project = published_project(**({"lead_council": council} if n % 2 else {}))
        MilestoneFactory(project=project)
        if project.lead_council != council:
            make_pledge(project, council=council, state=PledgeState.ACCEPTED)
        delivery_services.status_report_file(
            actor=project.owner,
            project=project,
            rating=Rating.ON_TRACK,
            happened="Work",
            next_steps="More",
        )
    assert len(council_portfolio_projects(council=council)) == 10
    # The rows, the page's sums, and for the totals the matching keys and their sum.
    assert _portfolio_queries(council) == one == 4
    with django_assert_num_queries(4):
        projects = national_portfolio_projects()
        portfolio_rows(projects, council=None)
        sums_total(projects=projects, council=None)


# --- pages ------------------------------------------------------------------------------------


def _council_url(council, **query) -> str:
    url = reverse("portfolio:council", args=[council.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_council_page_shows_both_roles_the_split_and_totals(client):
    w = World()
    page = client.get(_council_url(w.lead)).content.decode()
    assert "Bins" in page and "Libraries" in page and "Parking" not in page
    assert "£40,000 for later phases" in page
    assert "£1,000.50 fulfilled" in page
    assert "Total for every matching project" in page
    assert "£45,500.50" in page  # the total committed
    assert "No report yet" in page
    detail = client.get(reverse("councils:detail", args=[w.lead.slug])).content.decode()
    assert reverse("portfolio:council", args=[w.lead.slug]) in detail


def test_the_page_filters_by_role_rating_phase_area_and_overdue(client):
    w = World()
    delivery_services.status_report_file(
        actor=w.project.owner,
        project=w.project,
        rating=Rating.OFF_TRACK,
        happened="Work",
        next_steps="More",
    )
    ReportSchedule.objects.filter(project=w.project).update(
        next_due_on=timezone.localdate() - datetime.timedelta(days=1)
    )

    def titles(**query):
        response = client.get(_council_url(w.lead, **query))
        assert response.status_code == 200
        page = response.content.decode()
        return {t for t in ("Bins", "Libraries") if f">{t}</a>" in page}

    assert titles(role="supports") == {"Libraries"}
    assert titles(role="leads") == {"Bins"}
    assert titles(rating="off_track") == {"Bins"}
    assert titles(rating="none") == {"Libraries"}
    assert titles(phase="beta") == {"Libraries"}
    assert titles(area="waste") == {"Bins"}
    assert titles(overdue="on") == {"Bins"}
    assert titles(state="seeking_support") == {"Bins", "Libraries"}
    # A bad filter is an error on the page, never a 500.
    response = client.get(_council_url(w.lead, rating="purple"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "<title>Error: " in response.content.decode()


def test_the_csv_carries_the_filters_and_exact_pounds(client):
    w = World()
    Project.objects.filter(pk=w.supported.pk).update(title="=HYPERLINK(1)")
    response = client.get(reverse("portfolio:council_csv", args=[w.lead.slug]) + "?role=leads")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["project"] for r in rows] == ["Bins"]
    row = rows[0]
    assert row["role"] == "leads"
    assert row["money_committed_pounds"] == "43500.50"
    assert row["money_fulfilled_pounds"] == "1000.50"
    assert row["money_due_now_pounds"] == "2500.00"
    assert row["money_later_phases_pounds"] == "40000.00"
    assert row["days_later_phases"] == "20"
    assert row["report_overdue"] == "no"
    every = client.get(reverse("portfolio:council_csv", args=[w.lead.slug]))
    text = b"".join(every.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text  # escaped against spreadsheet formulas
    bad = client.get(reverse("portfolio:council_csv", args=[w.lead.slug]) + "?phase=omega")
    assert bad.status_code == 400


def test_the_national_portfolio_is_for_organisers_only(client):
    w = World()
    url = reverse("portfolio:national")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(verified_member(w.lead))
    assert client.get(url).status_code == 403
    assert client.get(reverse("portfolio:national_csv")).status_code == 403
    # An organiser without a second factor is sent to set one up first.
    client.force_login(OrganiserFactory(enrolled=False))
    assert client.get(url)["Location"] == reverse("mfa_index")
    organiser = OrganiserFactory()
    client.force_login(organiser)
    page = client.get(url).content.decode()
    assert "Bins" in page and "Libraries" in page and "Parking" in page
    lead_only = client.get(f"{url}?lead_council={w.lead.code}").content.decode()
    assert ">Bins</a>" in lead_only and ">Libraries</a>" not in lead_only
    nation = client.get(f"{url}?nation=Wales").content.decode()
    assert "No projects match your filters." in nation
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("portfolio:national_csv")).streaming_content).decode()
            )
        )
    )
    assert {r["project"] for r in rows} == {"Bins", "Libraries", "Parking"}
    assert "role" not in rows[0]
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert url in dashboard
    assert url in client.get("/cms-admin/").content.decode()  # the Wagtail admin's menu


def test_the_national_page_costs_the_same_queries_for_1_and_10_projects(client):
    client.force_login(OrganiserFactory())
    url = reverse("portfolio:national")
    published_project()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(9):
        project = published_project()
        make_pledge(project, state=PledgeState.FULFILLED)
        MilestoneFactory(project=project)
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url)
    assert page.content.decode().count('<th scope="row" class="govuk-table__header"><a') == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_the_welsh_page_renders(client):
    w = World()
    response = client.get("/cy" + _council_url(w.lead))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="cy"' in page
    assert "Portffolio" in page


# --- needs tied to a phase --------------------------------------------------------------------


def test_the_owner_ties_a_need_to_a_phase_in_the_form_and_sees_it(client):
    project = published_project(phase=Phase.ALPHA)
    client.force_login(project.owner)
    url = reverse("projects:needs", args=[project.slug])
    response = client.post(url, {"kind": "money", "amount": "40000", "phase": "beta", "add": "1"})
    assert response.status_code == 302
    need = Need.objects.get(project=project, phase=Phase.BETA)
    assert str(need) == "£40,000 for beta"
    assert "for beta" in client.get(url).content.decode()
    assert "£40,000 for beta" in client.get(project.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        ("gamma", "Choose a phase from the list, or needed now"),
        ("retired", "Choose a phase from the list, or needed now"),
        ("discovery", "The project is already past discovery."),
    ],
)
def test_a_bad_phase_in_the_form_is_an_error_by_the_field(client, phase, message):
    project = published_project(phase=Phase.ALPHA)
    client.force_login(project.owner)
    response = client.post(
        reverse("projects:needs", args=[project.slug]),
        {"kind": "money", "amount": "40000", "phase": phase, "add": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'href="#id_phase"' in page or "id_phase-error" in page
    assert not project.needs.filter(amount=4_000_000).exists()


def test_the_api_takes_and_shows_a_need_phase_and_refuses_bad_ones():
    project = published_project(phase=Phase.ALPHA)
    client = token_client(project.owner)
    url = f"/api/v1/projects/{project.slug}/needs/"
    created = client.post(
        url, {"kind": "money", "amount_pence": 4_000_000, "phase": "beta"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["phase"] == "beta"
    assert {n["phase"] for n in APIClient().get(url).json()} == {"", "beta"}
    for bad in ("gamma", "retired", 7, ["beta"]):
        response = client.post(
            url, {"kind": "money", "amount_pence": 100, "phase": bad}, format="json"
        )
        assert_error(response, 400, field="phase")
    earlier = client.post(
        url, {"kind": "money", "amount_pence": 100, "phase": "idea"}, format="json"
    )
    assert_error(earlier, 400, field="phase")


def test_the_database_refuses_a_need_for_a_phase_that_is_not_one():
    from django.db import IntegrityError, transaction

    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NeedFactory(project=project, phase="retired")


# --- overdue reports count as no recent activity ----------------------------------------------


def test_an_overdue_report_counts_toward_no_recent_activity(client):
    overdue = published_project(title="Overdue")
    quiet_but_new = published_project(title="New")
    first_late = published_project(title="Never reported")
    Project.objects.filter(pk=first_late.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=31)
    )
    reported = published_project(title="Reported")
    Project.objects.filter(pk=reported.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=31)
    )
    delivery_services.status_report_file(
        actor=reported.owner,
        project=reported,
        rating=Rating.ON_TRACK,
        happened="Work",
        next_steps="More",
    )
    delivery_services.status_report_file(
        actor=overdue.owner,
        project=overdue,
        rating=Rating.ON_TRACK,
        happened="Work",
        next_steps="More",
    )
    ReportSchedule.objects.filter(project=overdue).update(
        next_due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    dormant = set(Project.objects.dormant().values_list("title", flat=True))
    assert dormant == {"Overdue", "Never reported"}
    assert quiet_but_new.title not in dormant
    page = client.get("/projects/?dormant=on").content.decode()
    assert "Overdue" in page and "Never reported" in page and "Reported<" not in page
    # The 90-day nudge keeps to its own words: these have had updates.
    assert not Project.objects.no_recent_update().exists()


def test_a_member_of_another_council_is_refused_a_need(client):
    project = published_project()
    client.force_login(UserFactory())
    response = client.post(
        reverse("projects:needs", args=[project.slug]),
        {"kind": "money", "amount": "1", "phase": "beta"},
    )
    assert response.status_code == 403


def test_kept_totals_follow_new_pledges_and_keep_filters_apart(client, settings, on_commit):
    settings.PART_CACHE_SECONDS = 60
    council = on_commit(CouncilFactory)
    led = on_commit(published_project, lead_council=council, phase=Phase.ALPHA)
    other = on_commit(published_project, lead_council=council, phase=Phase.BETA)
    on_commit(make_pledge, led, amount=10_000, state=PledgeState.ACCEPTED)
    url = _council_url(council)
    assert "£100" in client.get(url).text
    assert "£100" not in client.get(_council_url(council, phase="beta")).text
    on_commit(make_pledge, other, amount=25_000, state=PledgeState.ACCEPTED)
    assert "£350" in client.get(url).text
    assert "£250" in client.get(_council_url(council, phase="beta")).text


def test_the_kept_table_follows_reports_and_milestones_and_reads_nothing_when_kept(
    client, settings, on_commit
):
    settings.PART_CACHE_SECONDS = 60
    council = on_commit(CouncilFactory)
    project = on_commit(published_project, lead_council=council)
    url = _council_url(council)
    tag = 'govuk-tag--red">Off track</strong>'  # the row's rating (the filter lists it too)
    assert tag not in client.get(url).text
    on_commit(
        delivery_services.status_report_file,
        actor=project.owner,
        project=project,
        rating=Rating.OFF_TRACK,
        happened="Supplier went bust",
        next_steps="Re-procure",
    )
    assert tag in client.get(url).text
    # A milestone touches neither pledges nor the timeline: delivery's own tag retires the table.
    on_commit(
        delivery_services.milestone_add,
        actor=project.owner,
        project=project,
        title="Re-procurement",
        phase=project.phase,
        planned_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert "Re-procurement" in client.get(url).text
    with CaptureQueriesContext(connection) as kept:
        assert tag in client.get(url).text
    assert not any("projects_pledge" in q["sql"] for q in kept.captured_queries)
