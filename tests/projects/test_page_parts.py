"""The parts of pages kept for everyone (``PART_CACHE_SECONDS``) hold nothing personal, never
show a draft to someone who may not see it, and are never older than what they show."""

import datetime

import pytest
from django.test import Client

from councils.models import Council
from delivery.models import Benefit
from delivery.services import benefit_record
from projects.models import PledgeState, Project, Role, Update
from projects.services.people import (
    adoption_record,
    team_approve,
    team_request_join,
    update_post,
)
from projects.services.pledges import pledge_accept, pledge_offer
from tests.factories import (
    AdoptionFactory,
    BenefitFactory,
    CouncilFactory,
    ProjectFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def parts_kept(settings):
    settings.PART_CACHE_SECONDS = 60  # the caches are emptied around each test (conftest)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_project_page_shows_each_reader_their_own_offers_whatever_the_parts_hold(
    on_commit,
):
    project = on_commit(published_project)
    owner = signed_in(project.owner)
    officer = signed_in(verified_member(CouncilFactory(), first_name="Ifan"))
    url = project.get_absolute_url()
    for first, second in ((owner, officer), (officer, owner)):
        first.get(url)  # fills the parts
        page = second.get(url).content.decode()
        owns = second is owner
        assert ("Manage project and offers" in page) is owns
        assert ("Be the first council to pledge support." in page) is not owns
        assert (f'href="/projects/{project.slug}/pledge/"' in page) is not owns
    anonymous = Client().get(url).content.decode()
    assert "Manage project and offers" not in anonymous
    assert "Sign in to pledge support" in anonymous


def test_a_draft_read_by_its_council_is_not_shown_to_anyone_else(on_commit):
    draft = on_commit(ProjectFactory, title="Secret reorganisation plan")
    colleague = signed_in(verified_member(draft.lead_council))
    assert colleague.get(draft.get_absolute_url()).status_code == 200
    council_page = colleague.get(draft.lead_council.get_absolute_url()).content.decode()
    assert "Secret reorganisation plan" in council_page  # their council's draft, as a card

    outsider = signed_in(verified_member(CouncilFactory()))
    for reader in (outsider, Client()):
        assert reader.get(draft.get_absolute_url()).status_code == 404
        page = reader.get(draft.lead_council.get_absolute_url()).content.decode()
        assert "Secret reorganisation plan" not in page
        assert "Secret reorganisation plan" not in reader.get("/projects/").content.decode()


def test_private_notes_stay_out_of_every_shared_part(on_commit):
    project = on_commit(published_project)
    pledging = CouncilFactory()
    pledge = on_commit(make_pledge, project, council=pledging, note="Public thanks")
    from projects import services

    on_commit(
        services.pledge_accept,
        actor=project.owner,
        pledge=pledge,
        note="Glad to",
        private_note="Budget line 4471, do not share",
    )
    owner = signed_in(project.owner)  # sees private notes on the pledge's own page
    assert "Budget line 4471" in owner.get(pledge.get_absolute_url()).content.decode()
    for url in (project.get_absolute_url(), pledging.get_absolute_url(), "/projects/"):
        owner.get(url)  # parts filled by someone who may read the note
        for reader in (owner, Client(), signed_in(verified_member(CouncilFactory()))):
            assert "Budget line 4471" not in reader.get(url).content.decode(), url


def test_a_pledge_shows_at_once_on_the_parts_a_signed_in_reader_was_given(on_commit):
    project = on_commit(published_project)
    reader = signed_in(verified_member(CouncilFactory()))
    reader.get(project.get_absolute_url())
    reader.get("/projects/")
    pledging = on_commit(CouncilFactory, short_name="Ynys Mon", slug="ynys-mon")
    on_commit(make_pledge, project, council=pledging, state=PledgeState.ACCEPTED)
    page = reader.get(project.get_absolute_url()).content.decode()
    assert "Ynys Mon" in page  # the pledges part and the partner councils
    assert "£100 committed" in reader.get("/projects/").content.decode()
    assert Project.objects.get(pk=project.pk).money_accepted == 10_000


def test_each_kind_of_change_redraws_the_parts_that_show_it_and_keeps_the_others(on_commit):
    """A pledge offered redraws the progress, the pledges and the key facts, and keeps the maker
    team and the updates as they were drawn (a decision on it is also a timeline entry, an
    update); an update redraws only the updates; someone joining the maker team, the team and
    the facts (their council becomes a partner)."""
    project = on_commit(published_project)
    owner, url = project.owner, project.get_absolute_url()
    reader = signed_in(verified_member(CouncilFactory()))
    # New councils and people are changes every page shows: made before anything is kept.
    pledging = on_commit(CouncilFactory, short_name="Ynys Mon", slug="ynys-mon")
    pledger = on_commit(verified_member, pledging)
    powys = on_commit(CouncilFactory, short_name="Powys")
    maker = on_commit(verified_member, powys, first_name="Nia")
    on_commit(update_post, actor=owner, project=project, title="Kick-off", body="We met.")
    assert "Kick-off" in reader.get(url).content.decode()  # every part drawn and kept

    # Renamed behind the cache's back (no signal, no version bumped): a part that is kept
    # still shows the old words, and a part that is redrawn shows the new ones.
    Update.objects.filter(project=project).update(title="Renamed unseen")
    on_commit(make_pledge, project, council=pledging, actor=pledger)  # offered: no timeline entry
    page = reader.get(url).content.decode()
    assert "Ynys Mon" in page  # the pledges
    assert "£0 committed, £100 offered, of £5,000 needed" in page  # the key facts
    partners = 'Partner councils</dt><dd class="govuk-summary-list__value">'
    assert f"{partners}0" in page
    assert "Kick-off" in page and "Renamed unseen" not in page  # the updates, as kept

    Council.objects.filter(pk=pledging.pk).update(short_name="Anglesey")
    on_commit(update_post, actor=owner, project=project, title="Sprint two", body="Done.")
    page = reader.get(url).content.decode()
    assert "Sprint two" in page and "Renamed unseen" in page  # the updates, redrawn
    assert "Ynys Mon" in page and "Anglesey" not in page  # the pledges, as kept

    membership = on_commit(
        team_request_join, actor=maker, project=project, role=Role.DEVELOPER, council=powys
    )
    on_commit(team_approve, actor=owner, membership=membership)
    page = reader.get(url).content.decode()
    assert "Nia" in page  # the maker team
    assert f"{partners}1" in page  # the facts (there were none)
    assert "Ynys Mon" in page and "Anglesey" not in page  # the pledges, still as kept


def test_a_councils_benefits_are_kept_through_its_pledges_and_follow_its_benefits(on_commit):
    council = on_commit(CouncilFactory)
    pledger = on_commit(verified_member, council)
    reader = signed_in(on_commit(verified_member, CouncilFactory()))
    project, other = on_commit(published_project), on_commit(published_project)
    adoption = on_commit(AdoptionFactory, council=council, project=project)
    on_commit(BenefitFactory, adoption=adoption, cashable_savings=1_000_000)
    url = council.get_absolute_url()

    def benefits() -> str:
        page = reader.get(url).content.decode()
        return page[page.index('id="benefits"') :]

    assert "£10,000" in benefits()  # drawn and kept
    Benefit.objects.filter(adoption=adoption).update(cashable_savings=2_000_000)  # unseen
    on_commit(make_pledge, other, council=council, actor=pledger)
    page = reader.get(url).content.decode()
    assert other.title in page  # its pledges, redrawn
    assert "£10,000" in benefits() and "£20,000" not in benefits()  # its benefits, as kept

    on_commit(
        benefit_record,
        actor=pledger,
        adoption=adoption,
        confidence="low",
        cashable_savings=3_000_000,
    )
    assert "£30,000" in benefits()


def test_a_councils_adoptions_are_kept_through_its_pledges_and_follow_its_adoptions(on_commit):
    council = on_commit(CouncilFactory)
    member = on_commit(verified_member, council)
    reader = signed_in(on_commit(verified_member, CouncilFactory()))
    first = on_commit(AdoptionFactory, council=council, adopted_on=datetime.date(2026, 3, 2))
    # Made first: a new project retires every page and part.
    other, live = on_commit(published_project), on_commit(published_project, phase="live")
    url = council.get_absolute_url()

    def adopted() -> str:
        page = reader.get(url).content.decode()
        start = page.index('id="adopted"')
        return page[start : page.index("</ul>", start)]

    assert first.project.title in adopted() and "March 2026" in adopted()  # drawn and kept
    type(first).objects.filter(pk=first.pk).update(adopted_on=datetime.date(2026, 4, 6))  # unseen
    on_commit(make_pledge, other, council=council, actor=member)
    assert other.title in reader.get(url).content.decode()  # its pledges, redrawn
    assert "March 2026" in adopted() and "April 2026" not in adopted()  # its adoptions, as kept

    on_commit(
        adoption_record,
        actor=member,
        project=live,
        council=council,
        adopted_on=datetime.date(2026, 5, 4),
    )
    assert live.title in adopted() and "April 2026" in adopted()  # redrawn with both


def test_api_rows_kept_for_everyone_follow_the_project_and_the_address_asked(on_commit, client):
    project = on_commit(published_project)
    first = client.get("/api/v1/projects/", headers={"Authorization": ""}).json()["results"]
    other_host = client.get("/api/v1/projects/", HTTP_HOST="localhost").json()["results"]
    assert first[0]["url"].startswith("http://testserver/")
    assert other_host[0]["url"].startswith("http://localhost/")
    on_commit(make_pledge, project, state=PledgeState.ACCEPTED)
    again = client.get("/api/v1/projects/").json()["results"]
    assert again[0]["totals"]["money_accepted"]["amount_pence"] == 10_000
    assert first[0]["totals"]["money_accepted"]["amount_pence"] == 0


def test_listings_whose_rows_are_kept_read_only_which_projects_are_on_the_page(on_commit):
    """Signed-in readers never get the page cache; with every card and API row kept, a listing
    reads its page of projects, not their whole rows, and still shows each one."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    projects = [on_commit(published_project) for _ in range(3)]
    reader = signed_in(verified_member(CouncilFactory()))
    counts = {}
    pages = {
        "listing": "/projects/",
        "api": "/api/v1/projects/",
        "council": f"/councils/{projects[0].lead_council.slug}/",
        "api_pledges": f"/api/v1/pledges/?project={projects[0].slug}",
    }
    for project in projects:
        on_commit(make_pledge, project, council=CouncilFactory(name=f"Pledger {project.pk}"))
    for name, url in pages.items():
        reader.get(url)  # fills the process's own caches, and keeps the rows
        with CaptureQueriesContext(connection) as kept:
            again = reader.get(url).content.decode()
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as drawn:
            fresh = reader.get(url).content.decode()
        counts[name] = (len(drawn), len(kept))
        for project in projects if name in ("listing", "api") else projects[:1]:
            assert project.slug in again and project.slug in fresh, url
    # (queries with nothing kept, with everything kept): with the rows kept, neither the whole
    # rows nor their service areas are read (nor, on the pages, the other parts kept).
    assert counts == {"listing": (6, 3), "api": (5, 3), "council": (13, 7), "api_pledges": (5, 3)}


def test_pledge_rows_kept_for_everyone_follow_the_pledge_its_council_and_what_is_public(
    on_commit, client
):
    project = on_commit(published_project)
    council = on_commit(CouncilFactory, name="Aberdyfi", short_name="Aberdyfi")
    pledge = on_commit(make_pledge, project, council=council)
    url = f"/api/v1/pledges/?project={project.slug}"
    reader = signed_in(verified_member(CouncilFactory()))
    first = reader.get(url).json()["results"]
    assert [(r["state"], r["council"]["name"]) for r in first] == [("offered", "Aberdyfi")]
    on_commit(pledge_accept, actor=project.owner, pledge=pledge)
    council.name = council.short_name = "Aberdyfi Town"
    on_commit(council.save)
    again = reader.get(url).json()["results"]
    assert [(r["state"], r["council"]["name"]) for r in again] == [("accepted", "Aberdyfi Town")]
    # A pledge still inside its council (over the limit, waiting for sign-off) is in no one's
    # list, kept or not.
    waiting = on_commit(CouncilFactory, money_limit=100)
    on_commit(
        pledge_offer,
        actor=verified_member(waiting),
        project=project,
        council=waiting,
        kind="money",
        amount=50_000,
    )
    for who in (reader, client, signed_in(verified_member(waiting))):
        assert len(who.get(url).json()["results"]) == 1


def test_the_delivery_section_kept_follows_milestones_and_reports(on_commit):
    from delivery import services as delivery

    project = on_commit(published_project)
    reader = signed_in(verified_member(CouncilFactory()))
    url = project.get_absolute_url()
    assert "Alpha assessment" not in reader.get(url).content.decode()
    milestone = on_commit(
        delivery.milestone_add,
        actor=project.owner,
        project=project,
        title="Alpha assessment",
        phase="alpha",
        planned_on=datetime.date(2020, 1, 1),
    )
    page = reader.get(url).content.decode()
    assert "Alpha assessment" in page and "Overdue" in page
    on_commit(delivery.milestone_mark_done, actor=project.owner, milestone=milestone)
    on_commit(
        delivery.status_report_file,
        actor=project.owner,
        project=project,
        rating="at_risk",
        happened="Supplier late",
        next_steps="Chase them",
    )
    page = reader.get(url).content.decode()
    assert "Overdue" not in page and "Supplier late" in page and "At risk" in page


def test_api_rows_kept_read_back_byte_for_byte_as_first_served(on_commit):
    """Kept rows are encoded JSON placed in the page as they are: the second reader gets the
    same document, in the same order, as the first (signed in, so no page cache between)."""
    for n in range(3):
        on_commit(published_project, title=f"Shared waste service {n}")
    reader = signed_in(verified_member(CouncilFactory()))
    for url in ("/api/v1/projects/", "/api/v1/pledges/"):
        first = reader.get(url)
        second = reader.get(url)
        assert first.status_code == second.status_code == 200
        assert second.content == first.content
    rows = reader.get("/api/v1/projects/").json()["results"]
    assert [r["title"] for r in rows] == [f"Shared waste service {n}" for n in (2, 1, 0)]
