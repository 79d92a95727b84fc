"""The home page and collections show the projects organisers chose, in their order, and only
what the public may see; "Featured projects" are the projects organisers featured with the
admin's Feature action; the home page's queries do not grow with the number of projects."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import CollectionIndexPage, CollectionPage, CollectionProject, HomePage
from projects.models import State
from tests.factories import ProjectFactory, ServiceAreaFactory, published_project

pytestmark = pytest.mark.django_db


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def set_home_body(body: list) -> HomePage:
    home = HomePage.objects.get()
    home.body = body
    home.save_revision().publish()
    return home


def hand_picked(*projects, heading: str = "Chosen projects") -> dict:
    return {
        "type": "hand_picked_projects",
        "value": {"heading": heading, "projects": [p.pk for p in projects]},
    }


def featured(heading: str = "Featured projects") -> dict:
    return {"type": "featured_projects", "value": {"heading": heading}}


def titles_in_order(html: str, projects) -> list[str]:
    """The titles of ``projects`` in the order their cards appear in the page."""
    found = [(html.find(f">{p.title}</a>"), p.title) for p in projects]
    return [title for position, title in sorted(found) if position >= 0]


def test_hand_picked_projects_render_in_the_chosen_order(client):
    a, b, c = (published_project(title=f"Project {name}") for name in "ABC")
    set_home_body([hand_picked(c, a, b)])

    response = client.get("/")

    assert response.status_code == 200
    assert titles_in_order(response.content.decode(), [a, b, c]) == [c.title, a.title, b.title]


def test_two_hand_picked_blocks_each_keep_their_own_projects_and_order(client):
    a, b, c, d = (published_project(title=f"Project {name}") for name in "ABCD")
    set_home_body([hand_picked(b, a, heading="First lot"), hand_picked(d, c, heading="Second lot")])

    html = client.get("/").content.decode()

    first, second = html.split("Second lot")
    assert titles_in_order(first, [a, b, c, d]) == [b.title, a.title]
    assert titles_in_order(second, [a, b, c, d]) == [d.title, c.title]


def test_hidden_and_draft_projects_never_render_on_the_home_page(client):
    shown = published_project(title="Shown project")
    hidden = published_project(title="Hidden project", is_hidden=True, hidden_reason="Spam")
    draft = ProjectFactory(title="Draft project", state=State.DRAFT)
    set_home_body([hand_picked(hidden, shown, draft)])

    html = client.get("/").content.decode()

    assert "Shown project" in html
    assert "Hidden project" not in html
    assert "Draft project" not in html


def test_a_deleted_project_leaves_no_gap_or_error(client):
    kept = published_project(title="Kept project")
    gone = published_project(title="Gone project")
    set_home_body([hand_picked(gone, kept)])
    gone.pledges.all().delete()
    gone.delete()

    response = client.get("/")

    assert response.status_code == 200
    assert "Kept project" in response.content.decode()


def test_featured_projects_are_the_projects_flagged_as_featured(client):
    published_project(title="Flagged project", is_featured=True)
    published_project(title="Ordinary project")
    published_project(
        title="Flagged but hidden", is_featured=True, is_hidden=True, hidden_reason="Spam"
    )
    set_home_body([featured()])

    html = client.get("/").content.decode()

    assert "Flagged project" in html
    assert "Ordinary project" not in html
    assert "Flagged but hidden" not in html


def test_the_admins_feature_action_puts_a_project_on_the_home_page(client):
    """One meaning of featured: what the organiser features is what "Featured projects" shows,
    and stopping shows it no more."""
    from projects import services
    from tests.factories import OrganiserFactory

    organiser = OrganiserFactory()
    project = published_project(title="Newly featured project")
    set_home_body([featured()])
    assert "Newly featured project" not in client.get("/").content.decode()

    services.project_feature(actor=organiser, project=project)
    html = client.get("/").content.decode()
    assert "Featured projects" in html and "Newly featured project" in html

    services.project_unfeature(actor=organiser, project=project)
    assert "Newly featured project" not in client.get("/").content.decode()


def test_the_migration_flags_the_projects_a_featured_block_had_chosen():
    """Before, a "Featured projects" block listed projects chosen in it and ignored the flag;
    cms 0005 flags those (public ones) so the home page keeps showing them."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cms.migrations.0005_featured_means_the_flag")
    chosen = published_project(title="Chosen before")
    hidden = published_project(title="Chosen but hidden", is_hidden=True, hidden_reason="Spam")
    other = published_project(title="Not chosen")
    old_block = {
        "type": "featured_projects",
        "value": {"heading": "Featured", "projects": [chosen.pk, hidden.pk]},
    }
    set_home_body([old_block])

    migration.featured_from_the_flag(apps, None)

    chosen.refresh_from_db(), hidden.refresh_from_db(), other.refresh_from_db()
    assert (chosen.is_featured, hidden.is_featured, other.is_featured) == (True, False, False)
    home = HomePage.objects.get()
    assert home.body.raw_data[0]["value"] == {"heading": "Featured"}


def test_the_home_page_shows_live_headline_figures(client):
    published_project(phase="beta")
    published_project(phase="beta")
    published_project(phase="alpha", is_hidden=True, hidden_reason="Spam")

    html = client.get("/").content.decode()

    assert "Pipeline in numbers" in html
    beta_row = re.search(r"\?phase=beta\">Beta</a></th>\s*<td[^>]*>(\d+)</td>", html)
    alpha_row = re.search(r"\?phase=alpha\">Alpha</a></th>\s*<td[^>]*>(\d+)</td>", html)
    assert beta_row.group(1) == "2"
    assert alpha_row.group(1) == "0"  # hidden projects do not count


def test_the_home_page_says_what_committed_means(client):
    """ "Accepted" means accepted and not yet fulfilled everywhere; the home page's figure of
    accepted-or-fulfilled is called committed and says so."""
    from projects.models import PledgeState
    from tests.factories import make_pledge

    project = published_project()
    make_pledge(project, amount=100_000, state=PledgeState.ACCEPTED)
    make_pledge(project, amount=50_000, state=PledgeState.FULFILLED)

    html = client.get("/").content.decode()

    assert "£1,500 committed (accepted or fulfilled)" in html
    assert "accepted</span>" not in html


def test_the_home_page_and_the_api_keep_conditional_and_match_money_apart(client):
    """A finance manager reading "pledged" must not count money that is not yet on the table."""
    from projects import services
    from projects.models import Kind, PledgeState
    from tests.factories import CouncilFactory, make_pledge, verified_member

    project = published_project()
    make_pledge(project, amount=100_000, state=PledgeState.ACCEPTED)  # £1,000 from another
    make_pledge(project, amount=2_000_000, state=PledgeState.CONDITIONAL)  # £20,000 if others
    matcher = CouncilFactory()
    services.pledge_offer(  # half of what the others give, up to £5,000: £500 now
        actor=verified_member(matcher),
        project=project,
        council=matcher,
        kind=Kind.MONEY,
        amount=500_000,
        match_percent=50,
    )

    html = client.get("/").content.decode()
    assert "£1,000</span> pledged" in html
    assert "Apart from this, £20,000 is conditional" in html
    assert "Match pledges give £500 now" in html
    stats = client.get("/api/v1/stats/").json()
    assert stats["money_pledged"]["amount_pence"] == 100_000
    assert stats["money_conditional"]["amount_pence"] == 2_000_000
    assert stats["money_matched"]["amount_pence"] == 50_000


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_home_page_queries_do_not_grow_with_the_number_of_featured_projects(client):
    areas = [ServiceAreaFactory(name="Waste"), ServiceAreaFactory(name="Housing")]
    projects = [published_project(service_areas=areas) for _ in range(10)]
    index = publish(HomePage.objects.get(), CollectionIndexPage(title="Themes", slug="themes"))
    collection = publish(index, CollectionPage(title="Waste", slug="waste"))
    teaser = {"type": "collection_teaser", "value": {"collection": collection.pk, "text": ""}}

    set_home_body([hand_picked(projects[0]), teaser])
    client.get("/")  # warm caches (site root paths, content types)
    one = _home_queries(client)

    set_home_body([hand_picked(*projects[:5]), teaser, hand_picked(*projects[5:]), teaser])
    client.get("/")
    ten = _home_queries(client)

    assert one == ten, f"{one} queries for 1 featured project, {ten} for 10"
    html = client.get("/").content.decode()
    assert all(p.title in html for p in projects)


def test_collection_teaser_links_to_the_collection(client):
    index = publish(HomePage.objects.get(), CollectionIndexPage(title="Themes", slug="themes"))
    collection = publish(
        index, CollectionPage(title="Waste and recycling", slug="waste", summary="Bins, done once")
    )
    set_home_body(
        [{"type": "collection_teaser", "value": {"collection": collection.pk, "text": ""}}]
    )

    html = client.get("/").content.decode()

    assert 'href="/themes/waste/"' in html
    assert "Bins, done once" in html


def test_a_collection_shows_its_projects_in_the_chosen_order_without_hidden_ones(client):
    a, b, c = (published_project(title=f"Waste project {name}") for name in "ABC")
    hidden = published_project(title="Hidden waste", is_hidden=True, hidden_reason="Duplicate")
    index = publish(HomePage.objects.get(), CollectionIndexPage(title="Themes", slug="themes"))
    collection = CollectionPage(title="Waste", slug="waste")
    collection.collection_projects = [
        CollectionProject(project=p, sort_order=n) for n, p in enumerate([b, hidden, c, a])
    ]
    publish(index, collection)

    html = client.get("/themes/waste/").content.decode()

    assert titles_in_order(html, [a, b, c]) == [b.title, c.title, a.title]
    assert "Hidden waste" not in html


def test_a_collection_page_runs_the_same_queries_for_1_and_10_projects(client):
    projects = [published_project(service_areas=[ServiceAreaFactory()]) for _ in range(10)]
    index = publish(HomePage.objects.get(), CollectionIndexPage(title="Themes", slug="themes"))
    one = CollectionPage(title="One", slug="one")
    one.collection_projects = [CollectionProject(project=projects[0])]
    publish(index, one)
    ten = CollectionPage(title="Ten", slug="ten")
    ten.collection_projects = [CollectionProject(project=p) for p in projects]
    publish(index, ten)
    client.get("/themes/one/")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count("/themes/one/") == count("/themes/ten/")


def test_a_featured_project_written_in_welsh_is_marked_as_welsh(client):
    welsh = published_project(title="Trwyddedau parcio", slug="parcio", language="cy")
    english = published_project(title="Bin day finder", slug="bins")
    set_home_body([hand_picked(welsh, english)])

    html = client.get("/").content.decode()
    welsh_html = client.get("/cy/").content.decode()

    assert 'href="/projects/parcio/" lang="cy">Trwyddedau parcio</a>' in html
    assert 'href="/projects/bins/">Bin day finder</a>' in html
    assert 'lang="en">Bin day finder</a>' in welsh_html
    assert 'lang="cy">Trwyddedau parcio</a>' not in welsh_html
