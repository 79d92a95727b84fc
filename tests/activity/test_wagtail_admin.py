"""The activity log in the Wagtail admin: organisers read it, filter it and download it; nobody
can add, edit or delete an entry there; everyone else is refused."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from activity.models import ActivityAction, ActivityEntry
from activity.services import activity_record
from councils import services as council_services
from councils.models import MembershipStatus
from projects import services as project_services
from tests.factories import (
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    UserFactory,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

LOG = "/cms-admin/activity/"


@pytest.fixture
def organiser():
    return OrganiserFactory(first_name="Olu", last_name="Organiser")


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def world(organiser):
    """A refusal by a council admin, a hidden project, and changed limits."""
    guildford = CouncilFactory(short_name="Guildford")
    admin = verified_member(guildford, admin=True, first_name="Ada", last_name="Admin")
    pending = MembershipFactory(council=guildford, status=MembershipStatus.PENDING)
    council_services.membership_refuse(actor=admin, membership=pending, reason="Not an officer")
    project = published_project(title="Parking permits")
    project_services.project_hide(actor=organiser, project=project, reason="Spam links")
    council_services.council_set_limits(
        actor=admin, council=guildford, money_limit=250_000, half_days_limit=None
    )
    return {"guildford": guildford, "admin": admin, "project": project}


def wagtail_editor():
    """May open the Wagtail admin but is not in the Organisers group."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def rows(html: str) -> list[str]:
    """The listing's rows, in order, each as its HTML."""
    table = html.split('<table class="listing', 1)[1]
    body = table.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr")[1:]


# --- what organisers see --------------------------------------------------------------------


def test_organisers_read_who_did_what_why_and_what_changed_newest_first(organiser_client, world):
    response = organiser_client.get(LOG)

    assert response.status_code == 200
    html = response.content.decode()
    limits, hidden, refused = rows(html)
    assert "Council limits changed" in limits and "Money limit: no limit → £2,500" in limits
    assert "Project hidden: Parking permits" in hidden and "Spam links" in hidden
    assert "Olu Organiser" in hidden
    assert "Membership refused" in refused and "Not an officer" in refused
    assert "Ada Admin" in refused
    assert '"before"' not in html  # the details in words, not JSON


def test_the_inspect_view_shows_an_entry_in_words(organiser_client, world):
    entry = ActivityEntry.objects.get(action=ActivityAction.COUNCIL_LIMITS_CHANGED)

    html = organiser_client.get(f"{LOG}inspect/{entry.pk}/").content.decode()

    assert "Ada Admin" in html
    assert "Council limits changed" in html
    assert "Money limit: no limit → £2,500" in html
    assert "Guildford" in html
    # No project and no reason: a dash, not "None".
    assert ">None<" not in html.replace(" ", "").replace("\n", "")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "project_hidden"}, ["Project hidden"]),
        ({"actor": "ADMIN"}, ["Council limits changed", "Membership refused"]),
        ({"council": "GUILDFORD"}, ["Council limits changed", "Membership refused"]),
        ({"project": "PROJECT"}, ["Project hidden"]),
        ({"q": "spam"}, ["Project hidden"]),
    ],
)
def test_filters_narrow_the_log(organiser_client, world, params, expected):
    ids = {
        "ADMIN": world["admin"].pk,
        "GUILDFORD": world["guildford"].pk,
        "PROJECT": world["project"].pk,
    }
    params = {key: ids.get(value, value) for key, value in params.items()}

    html = organiser_client.get(LOG, params).content.decode()

    labels = [str(label) for label in ActivityAction.labels]
    shown = [label for label in labels if any(label in r for r in rows(html))]
    assert sorted(shown) == sorted(expected)


def test_the_date_filter_keeps_entries_inside_the_range(organiser_client, organiser):
    council = CouncilFactory()
    old = timezone.now() - datetime.timedelta(days=40)
    with transaction.atomic():
        activity_record(actor=organiser, action=ActivityAction.PROJECT_RESTORED, target="Old one")
        activity_record(actor=organiser, action=ActivityAction.PROJECT_HIDDEN, council=council)
    # Entries cannot be back-dated by editing: make an old one directly.
    ActivityEntry.objects.bulk_create(
        [ActivityEntry(action=ActivityAction.MEMBERSHIP_LEFT, target="Ancient", created_at=old)]
    )
    today = timezone.localdate()

    recent = organiser_client.get(
        LOG, {"created_at_from": (today - datetime.timedelta(days=7)).isoformat()}
    ).content.decode()
    early = organiser_client.get(
        LOG, {"created_at_to": (today - datetime.timedelta(days=30)).isoformat()}
    ).content.decode()

    assert "Ancient" not in recent and "Old one" in recent
    assert "Ancient" in early and "Old one" not in early


def test_the_log_downloads_as_csv_with_formulas_defused(organiser_client, organiser):
    with transaction.atomic():
        activity_record(
            actor=organiser,
            action=ActivityAction.MEMBERSHIP_REFUSED,
            target="Pat",
            reason='=HYPERLINK("http://evil")',
        )

    response = organiser_client.get(LOG, {"export": "csv"})

    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0] == [
        "When",
        "By",
        "Action",
        "Council",
        "Project",
        "Concerning",
        "Reason",
        "What changed",
    ]
    assert table[1][1:6] == ["Olu Organiser", "Membership refused", "", "", "Pat"]
    assert table[1][6] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("url", ["new/", "edit/{pk}/", "delete/{pk}/", "copy/{pk}/"])
def test_entries_cannot_be_added_edited_or_deleted(organiser_client, world, url):
    entry = ActivityEntry.objects.first()
    url = LOG + url.format(pk=entry.pk)

    assert organiser_client.get(url).status_code in (302, 404)
    assert organiser_client.post(url, {"reason": "changed"}).status_code in (302, 404)

    assert ActivityEntry.objects.get(pk=entry.pk).reason == entry.reason
    assert ActivityEntry.objects.count() == 3
    listing = organiser_client.get(LOG).content.decode()
    assert f"{LOG}new/" not in listing and f"{LOG}edit/" not in listing


def test_listing_queries_do_not_grow_with_rows(organiser_client, organiser):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert organiser_client.get(LOG).status_code == 200
        return len(ctx.captured_queries)

    def add_entries():
        project = published_project()
        admin = verified_member(project.lead_council, admin=True)
        project_services.project_hide(actor=organiser, project=project, reason="Spam")
        council_services.council_domain_add(
            actor=admin, council=project.lead_council, domain=f"c{project.pk}.gov.uk"
        )

    add_entries()
    count()
    one = count()
    for _ in range(5):
        add_entries()

    assert ActivityEntry.objects.count() == 12
    assert count() == one


# --- who may see it -------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(LOG)

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_signed_in_people_who_are_not_organisers_are_refused(client, world):
    client.force_login(world["admin"])  # a council admin: its own pages, not this log

    response = client.get(LOG)

    assert response.status_code in (302, 403)
    assert "/login" in response["Location"]


@pytest.mark.parametrize(
    "url", ["", "results/", "inspect/{pk}/", "history/{pk}/", "usage/{pk}/", "?export=csv"]
)
def test_wagtail_users_outside_the_organisers_group_are_refused(client, world, url):
    client.force_login(wagtail_editor())

    response = client.get(LOG + url.format(pk=ActivityEntry.objects.first().pk))

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


def test_the_menu_offers_the_log_to_organisers_only(client, organiser):
    client.force_login(organiser)
    assert LOG in client.get("/cms-admin/").content.decode()

    client.force_login(wagtail_editor())
    assert LOG not in client.get("/cms-admin/").content.decode()


# --- Welsh ----------------------------------------------------------------------------------


def test_the_log_reads_in_welsh(organiser_client, organiser, world):
    profile = UserProfile.get_for_user(organiser)
    profile.preferred_language = "cy"
    profile.save()

    html = organiser_client.get(LOG).content.decode()

    assert "Log gweithgarwch" in html
    assert "Gwrthodwyd aelodaeth" in html
    assert "Terfyn arian: dim terfyn → £2,500" in html


def test_restoring_in_the_admin_takes_an_optional_reason_for_the_log(organiser_client, organiser):
    project = published_project(title="Parking permits", is_hidden=True, hidden_reason="Spam")
    url = f"/cms-admin/snippets/projects/project/restore/{project.pk}/"
    assert "Reason (optional)" in organiser_client.get(url).content.decode()

    response = organiser_client.post(url, {"reason": "The owner removed the links"})

    assert response.status_code == 302
    entry = ActivityEntry.objects.get()
    assert (entry.action, entry.actor, entry.reason) == (
        ActivityAction.PROJECT_RESTORED,
        organiser,
        "The owner removed the links",
    )


def test_the_log_counts_its_entries_in_plain_english(organiser_client, organiser):
    empty = organiser_client.get(LOG).content.decode()
    assert "There are no activity log entries to display." in empty

    council = CouncilFactory()
    for _ in range(2):
        with transaction.atomic():
            activity_record(
                actor=organiser, action=ActivityAction.COUNCIL_LIMITS_CHANGED, council=council
            )

    page = organiser_client.get(LOG).content.decode()
    assert "2 activity log entries" in page
    assert "<title>Activity log" in page
