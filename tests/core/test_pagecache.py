"""Readers who are not signed in get cached responses; nobody gets a stale or someone else's."""

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from accounts.models import NotificationFrequency
from cms.models import StandardPage
from core import cache as resilient
from core import pagecache
from pipeline.settings.base import cache_settings
from projects.models import Notification, PledgeState, Update
from projects.services import people, pledges
from tests.factories import (
    CouncilFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60  # the cache itself is emptied around each test (conftest)


def get(client: Client, url: str, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return response, len(ctx.captured_queries)


def test_a_second_anonymous_read_is_served_from_the_cache_without_queries(client, on_commit):
    project = on_commit(published_project)
    first, first_queries = get(client, project.get_absolute_url())
    second, second_queries = get(client, project.get_absolute_url())
    assert first["X-Page-Cache"] == "miss" and first_queries > 0
    assert second["X-Page-Cache"] == "hit" and second_queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The stored response keeps the headers added on the way out.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "Cookie" in second["Vary"]


def test_a_committed_pledge_retires_every_cached_page_at_once(client, on_commit):
    project = on_commit(published_project)
    pledging = CouncilFactory(name="Ceredigion County Council", short_name="Ceredigion")
    for url in (project.get_absolute_url(), "/api/v1/pledges/"):
        get(client, url)
        assert get(client, url)[0]["X-Page-Cache"] == "hit"

    on_commit(make_pledge, project, council=pledging, state=PledgeState.ACCEPTED)

    page, _ = get(client, project.get_absolute_url())
    api, _ = get(client, "/api/v1/pledges/")
    assert page["X-Page-Cache"] == "miss" and b"Ceredigion" in page.content
    assert api["X-Page-Cache"] == "miss" and "Ceredigion" in api.content.decode()


def test_signing_in_changes_no_page_and_keeps_the_cache(client, on_commit):
    project = on_commit(published_project)
    get(client, project.get_absolute_url())
    user = UserFactory()
    on_commit(Client().force_login, user)  # saves last_login
    assert get(client, project.get_absolute_url())[0]["X-Page-Cache"] == "hit"


@pytest.fixture
def bumps(monkeypatch):
    """How many times the content version was bumped (every cached response retired)."""
    count = []
    real = pagecache._bump
    monkeypatch.setattr(pagecache, "_bump", lambda: (count.append(1), real()))
    return count


@pytest.fixture
def tag_bumps(monkeypatch):
    """The tags each scoped change bumped (only the pages showing them retired)."""
    seen = []
    real = pagecache._bump_tags
    monkeypatch.setattr(pagecache, "_bump_tags", lambda tags: (seen.append(set(tags)), real(tags)))
    return seen


def test_following_a_project_keeps_the_cache(client, on_commit, bumps):
    # No public page shows who follows a project, nor how many do.
    project = on_commit(published_project)
    get(client, project.get_absolute_url())
    bumps.clear()
    on_commit(people.follow_project, actor=UserFactory(), project=project)
    assert get(client, project.get_absolute_url())[0]["X-Page-Cache"] == "hit"
    assert bumps == []


def test_an_update_to_a_project_with_25_followers_retires_its_pages_once(
    on_commit, bumps, tag_bumps
):
    project = on_commit(published_project)
    followers = UserFactory.create_batch(25, notification_frequency=NotificationFrequency.IMMEDIATE)
    for follower in followers:
        on_commit(people.follow_project, actor=follower, project=project)
    bumps.clear()
    tag_bumps.clear()
    on_commit(
        people.update_post, actor=project.owner, project=project, title="Sprint 1", body="Done."
    )
    # 25 notifications written and marked sent, 25 emails: one bump, for the update itself,
    # and of the project's pages and the support figures only (not every page).
    assert Notification.objects.filter(sent_at__isnull=False).count() == 25
    assert len(mail.outbox) == 25
    assert bumps == []
    assert tag_bumps == [
        {f"project:{project.pk}", f"project:{project.pk}:updates", "projects:support"}
    ]


def test_a_pledge_accepted_is_one_change_to_its_pages_not_one_per_row_saved(on_commit, tag_bumps):
    project = on_commit(published_project)
    pledge = on_commit(make_pledge, project)
    tag_bumps.clear()

    # The pledge, its ledger event and the decision record: three scoped rows, one change.
    on_commit(pledges.pledge_accept, actor=project.owner, pledge=pledge)

    assert tag_bumps == [
        {
            f"project:{project.pk}",
            f"project:{project.pk}:pledges",
            f"project:{project.pk}:updates",  # the decision's entry on the timeline
            f"council:{pledge.council_id}",
            "projects:support",
            "projects:totals",
        }
    ]


def test_tags_noted_in_a_savepoint_that_rolled_back_are_still_bumped(on_commit, tag_bumps):
    from django.db import transaction

    def write():
        try:
            with transaction.atomic():
                pagecache.tags_changed(["project:1"])
                raise RuntimeError("this part of the write failed")
        except RuntimeError:
            pass
        pagecache.tags_changed(["council:2"])

    on_commit(transaction.atomic(write))
    # The savepoint's callback was dropped; the later one bumps both (one bump too many at
    # worst, never one missing).
    assert tag_bumps == [{"project:1", "council:2"}]


def test_a_person_changes_public_pages_only_through_their_name(client, on_commit, bumps):
    user = on_commit(UserFactory, first_name="Gwen")
    bumps.clear()
    user.set_password("another-long-password")
    on_commit(user.save)
    user.notification_frequency = NotificationFrequency.WEEKLY
    on_commit(user.save)
    on_commit(user.save, update_fields=["last_login"])
    assert bumps == []
    user.first_name = "Gwenllian"
    on_commit(user.save)
    assert len(bumps) == 1


def test_every_model_of_ours_is_classed_as_public_or_private():
    """A new model must be put in one list: a public one forgotten would serve stale pages, a
    private one in the public list would empty the cache on every bookkeeping write."""
    ours = {"accounts", "councils", "projects", "delivery", "cms", "core", "mail", "jobs"}
    unclassed = {
        model._meta.label_lower
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ours
        and (model._meta.label_lower in pagecache.PUBLIC_MODELS)
        == (model._meta.label_lower in pagecache.PRIVATE_MODELS)
        and model._meta.app_label not in pagecache.PUBLIC_APPS
    }
    assert unclassed == set()
    assert pagecache.is_public("projects.pledge") and pagecache.is_public("cms.newspage")
    assert not pagecache.is_public("projects.notification")
    assert not pagecache.is_public("sessions.session")


def test_publishing_a_wagtail_page_counts_as_a_change(client, on_commit):
    get(client, "/")
    home = Page.objects.get(depth=2).specific
    page = StandardPage(title="Funding rounds", slug="funding-rounds", summary="How funding works.")
    on_commit(home.add_child, instance=page)
    on_commit(page.save_revision().publish)
    response, _ = get(client, "/")
    assert response["X-Page-Cache"] == "miss"
    assert get(client, "/funding-rounds/")[0].status_code == 200


def test_signed_in_people_are_never_served_or_stored(client, on_commit):
    project = on_commit(published_project)
    member = verified_member(project.lead_council, first_name="Gwen", last_name="Morgan")
    client.force_login(member)
    first, _ = get(client, project.get_absolute_url())
    second, second_queries = get(client, project.get_absolute_url())
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert second_queries > 0
    assert b"Gwen" in second.content
    # …and the page they saw was not stored for anyone else.
    anonymous, _ = get(Client(), project.get_absolute_url())
    assert anonymous["X-Page-Cache"] == "miss" and b"Gwen" not in anonymous.content


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer abc"}, {"Cookie": "sessionid=abc"}, {"Cookie": "messages=x"}],
    ids=["token", "session cookie", "other cookie"],
)
def test_requests_carrying_credentials_or_state_bypass_the_cache(client, on_commit, headers):
    on_commit(published_project)
    get(client, "/api/v1/projects/")
    response, queries = get(client, "/api/v1/projects/", **headers)
    assert "X-Page-Cache" not in response and queries > 0


def test_a_page_with_a_csrf_token_is_never_stored_even_for_a_csrf_cookie(client):
    client.cookies["csrftoken"] = "a" * 32
    first, _ = get(client, "/accounts/login/")
    second, _ = get(client, "/accounts/login/")
    assert first.status_code == 200 and second.status_code == 200
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second


def test_each_language_is_cached_apart(client, on_commit):
    on_commit(published_project)
    english, _ = get(client, "/projects/")
    welsh, _ = get(client, "/cy/projects/")
    assert english["X-Page-Cache"] == "miss" and welsh["X-Page-Cache"] == "miss"
    assert b'<html lang="cy"' in get(client, "/cy/projects/")[0].content
    assert b'<html lang="en-GB"' in get(client, "/projects/")[0].content


def test_errors_and_redirects_are_not_stored(client):
    assert get(client, "/projects/no-such-project/")[0].status_code == 404
    again, queries = get(client, "/projects/no-such-project/")
    assert "X-Page-Cache" not in again and queries > 0


def test_off_when_page_cache_seconds_is_zero(client, on_commit, settings):
    settings.PAGE_CACHE_SECONDS = 0
    project = on_commit(published_project)
    get(client, project.get_absolute_url())
    response, queries = get(client, project.get_absolute_url())
    assert "X-Page-Cache" not in response and queries > 0


@pytest.fixture
def cache_down(settings):
    """The pages cache on a Redis that does not answer (nothing listens on port 1), through
    the backend production uses (core.cache)."""
    settings.CACHES = {**settings.CACHES, "pages": cache_settings("redis://127.0.0.1:1/0", "x")}
    yield
    resilient._down_until.clear()


def test_a_cache_that_is_down_means_rendering_not_errors(client, on_commit, cache_down):
    project = on_commit(published_project)
    response, queries = get(client, project.get_absolute_url())
    assert response.status_code == 200 and queries > 0
    assert "X-Page-Cache" not in response


def test_a_write_still_succeeds_and_its_other_callbacks_run_when_the_cache_is_down(
    on_commit, request
):
    project = on_commit(published_project)
    follower = UserFactory()
    on_commit(people.follow_project, actor=follower, project=project)
    request.getfixturevalue("cache_down")
    update = on_commit(
        people.update_post, actor=project.owner, project=project, title="Sprint 1", body="Done."
    )
    assert Update.objects.filter(pk=update.pk).exists()
    # The follower's notification comes from an on_commit callback queued after the bump.
    assert Notification.objects.filter(user=follower).exists()


def test_a_new_account_or_a_draft_revision_keeps_the_cache(client, on_commit):
    on_commit(published_project)
    get(client, "/projects/")
    on_commit(UserFactory)
    home = Page.objects.get(depth=2).specific
    on_commit(home.save_revision)  # a draft: nothing public changes
    assert get(client, "/projects/")[0]["X-Page-Cache"] == "hit"


def test_the_header_is_off_in_production(client, on_commit, settings):
    settings.PAGE_CACHE_HEADER = False
    on_commit(published_project)
    get(client, "/projects/")
    response, queries = get(client, "/projects/")
    assert "X-Page-Cache" not in response and queries == 0


# --- scoped changes: a pledge retires the pages that show it, not every page ------------------


def test_a_pledge_retires_its_project_council_and_listing_pages_and_keeps_the_others(
    client, on_commit, bumps
):
    pledged_to = on_commit(published_project, title="Bulky waste booking")
    other = on_commit(published_project, title="Blue badge renewal")
    pledging = on_commit(CouncilFactory, short_name="Ceredigion")
    officer = on_commit(verified_member, pledging)
    # Of the listing, only the newest page holding the pledged-to project goes.
    kept = [other.get_absolute_url(), f"/councils/{other.lead_council.slug}/", "/councils/"]
    retired = [
        pledged_to.get_absolute_url(),
        f"/councils/{pledging.slug}/",
        f"/councils/{pledged_to.lead_council.slug}/",
        "/projects/",
        "/api/v1/projects/",
        f"/api/v1/pledges/?project={other.slug}",  # an empty page: anything could join it
        "/",
    ]
    for url in kept + retired:
        get(client, url)
        assert get(client, url)[0]["X-Page-Cache"] == "hit", url
    bumps.clear()

    on_commit(make_pledge, pledged_to, council=pledging, actor=officer, state=PledgeState.ACCEPTED)

    assert bumps == []
    for url in kept:
        assert get(client, url)[0]["X-Page-Cache"] == "hit", url
    for url in retired:
        response, _ = get(client, url)
        assert response["X-Page-Cache"] == "miss", url
    page = get(client, pledged_to.get_absolute_url())[0]
    assert b"Ceredigion" in page.content and page["X-Page-Cache"] == "hit"


def test_an_update_retires_the_home_page_only_when_the_home_page_shows_its_project(
    client, on_commit
):
    from cms.models import HomePage

    shown = on_commit(published_project, title="Featured one", is_featured=True)
    picked = on_commit(published_project, title="Picked one")
    elsewhere = on_commit(published_project, title="Not on the home page")
    home = HomePage.objects.get()
    home.body = [
        {"type": "featured_projects", "value": {"heading": "Featured"}},
        {"type": "hand_picked_projects", "value": {"heading": "Picked", "projects": [picked.pk]}},
    ]
    on_commit(lambda: home.save_revision().publish())
    get(client, "/")
    assert get(client, "/")[0]["X-Page-Cache"] == "hit"

    on_commit(people.update_post, actor=elsewhere.owner, project=elsewhere, title="A", body="B")
    assert get(client, "/")[0]["X-Page-Cache"] == "hit"

    for project in (shown, picked):
        on_commit(people.update_post, actor=project.owner, project=project, title="A", body="B")
        response, _ = get(client, "/")
        assert response["X-Page-Cache"] == "miss", project.title
        assert get(client, "/")[0]["X-Page-Cache"] == "hit"

    # A pledge to any project changes the national totals.
    on_commit(make_pledge, elsewhere, state=PledgeState.ACCEPTED)
    assert get(client, "/")[0]["X-Page-Cache"] == "miss"


def test_a_listing_ordered_by_support_is_retired_by_a_pledge_to_a_project_not_on_it(
    client, on_commit, settings
):
    projects = [on_commit(published_project) for _ in range(3)]
    settings.PAGE_CACHE_SECONDS = 60
    newest = "/projects/?sort=newest"
    supported = "/projects/?sort=most_supported"
    partner = f"/api/v1/projects/?partner_council={projects[0].lead_council.code}"
    for url in (newest, supported, partner):
        get(client, url)
    # A fourth project, not on any of them yet, gets an accepted pledge and tops "most supported".
    fourth = on_commit(published_project, published_at=projects[0].published_at.replace(year=2020))
    get(client, newest)
    get(client, supported)
    assert get(client, newest)[0]["X-Page-Cache"] == "hit"
    on_commit(make_pledge, fourth, state=PledgeState.ACCEPTED)
    response = get(client, supported)[0]
    assert response["X-Page-Cache"] == "miss"
    assert response.content.index(fourth.title.encode()) < response.content.index(
        projects[0].title.encode()
    )


def test_a_page_that_declares_nothing_is_retired_by_every_scoped_change(client, on_commit):
    project = on_commit(published_project)
    other = on_commit(published_project)
    get(client, "/api/v1/pledges/")
    assert get(client, "/api/v1/pledges/")[0]["X-Page-Cache"] == "hit"
    on_commit(make_pledge, other)
    assert get(client, "/api/v1/pledges/")[0]["X-Page-Cache"] == "miss"
    assert project  # the pledge was to another project, and still the listing went


def test_a_response_rendered_while_its_tags_changed_is_not_stored(on_commit):
    pagecache._bump_tags(["project:1"])
    before = pagecache._tag_versions([pagecache.ANY])[pagecache.ANY]
    pagecache._bump_tags(["council:2"])
    after = pagecache._tag_versions([pagecache.ANY])[pagecache.ANY]
    assert not pagecache._changed_meanwhile({"project:1"}, before, after)
    assert pagecache._changed_meanwhile({"council:2", "project:1"}, before, after)
    assert pagecache._changed_meanwhile({pagecache.ANY}, before, after)
    pagecache._cache().delete(f"{pagecache.LOG_KEY}{after}")  # a note lost: unsure, so changed
    assert pagecache._changed_meanwhile({"project:1"}, before, after)


def test_a_stored_response_is_not_served_once_a_tag_it_shows_moves(client, on_commit):
    project = on_commit(published_project)
    url = project.get_absolute_url()
    get(client, url)
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    pagecache._bump_tags([f"project:{project.pk}"])
    assert get(client, url)[0]["X-Page-Cache"] == "miss"
    pagecache._cache().delete(pagecache._tag_key(f"project:{project.pk}"))  # evicted
    assert get(client, url)[0]["X-Page-Cache"] == "miss"


def test_rows_read_before_a_change_are_not_kept_under_the_version_after_it():
    mark = pagecache.change_mark()
    pagecache._bump_tags(["project:1"])  # committed after the rows were read
    versions = pagecache.part_versions({1: ("project:1",), 2: ("project:2",)}, since=mark)
    assert versions[1] == "" and versions[2] != ""
    assert pagecache.part_versions({1: ("project:1",)}, since=pagecache.change_mark())[1] != ""
    pagecache._cache().delete(f"{pagecache.LOG_KEY}{pagecache.change_mark()}")
    assert pagecache.part_versions({2: ("project:2",)}, since=mark) == {2: ""}  # unsure: drawn


def test_a_response_rendered_while_any_content_changed_is_not_served_after(rf, on_commit):
    """The content version is read before rendering and stored with the response: a change
    committed while it rendered (which it may not show) retires it, as a later change would."""
    renders = []

    def view(request):
        renders.append(request.path)
        if len(renders) == 1:
            pagecache._bump()  # committed by another request while this one rendered
        return HttpResponse(f"render {len(renders)}")

    middleware = pagecache.AnonymousPageCacheMiddleware(view)
    answers = [middleware(rf.get("/about/")) for _ in range(3)]
    assert [a["X-Page-Cache"] for a in answers] == ["miss", "miss", "hit"]
    assert answers[2].content == b"render 2"


def test_a_hit_costs_two_round_trips_to_the_cache(client, on_commit, monkeypatch):
    """The content version and the response in one read, the versions of its tags in the
    other: a reader's hit waits on Redis twice, not three times."""
    project = on_commit(published_project)
    url = project.get_absolute_url()
    get(client, url)
    cache, reads, inside = pagecache._cache(), [], []

    def counted(name, real):
        def call(*args, **kwargs):
            if not inside:  # a local cache's get_many calls its own get: one read, not more
                reads.append(name)
            inside.append(name)
            try:
                return real(*args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in ("get", "get_many", "add", "set"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    response, queries = get(client, url)
    assert response["X-Page-Cache"] == "hit" and queries == 0
    assert reads == ["get_many", "get_many"]
