"""``manage.py load_demo``: the data ``make run`` loads, safe to run again."""

import builtins
import io
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from wagtail.models import Page

from accounts.models import User
from councils.models import Council, CouncilDomain, Membership, MembershipStatus

pytestmark = pytest.mark.django_db

SHARED_DIR = (Path(__file__).resolve().parents[3] / "shared").resolve()  # it may be a link


@pytest.fixture
def without_shared(monkeypatch):
    """Fail any attempt to open a file under ../shared, as on a machine that has none."""
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, str | Path) and Path(file).resolve().is_relative_to(SHARED_DIR):
            raise FileNotFoundError(f"{file} (../shared is not there on this machine)")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    from django.apps import apps

    found = {
        "councils": Council.objects.count(),
        "domains": CouncilDomain.objects.count(),
        "users": User.objects.count(),
        "email addresses": EmailAddress.objects.count(),
        "memberships": Membership.objects.count(),
        "pages": Page.objects.count(),
    }
    # Whatever else the demo loads (projects, pledges, calls, bids, ...) must not double either.
    for app in ("projects", "funding"):
        for model in apps.get_app_config(app).get_models():
            found[model._meta.label] = model.objects.count()
    return found


def test_load_demo_twice_adds_nothing_the_second_time(without_shared):
    with pytest.raises(FileNotFoundError):  # the guard works
        open(SHARED_DIR / "data" / "README.md")  # noqa: SIM115

    output = load_demo()
    first = counts()
    second_output = load_demo()

    assert counts() == first
    assert first["councils"] == 39
    assert first["users"] == 20  # 14 in councils, 6 in funders
    assert first["funding.Call"] == 4
    assert first["pages"] > 2  # the root, the home page and the standard pages
    assert "organiser@example.com" in output
    assert "pipeline-demo-2026" in second_output


def test_the_demo_people_can_do_what_the_readme_says(without_shared):
    load_demo()

    organiser = User.objects.get(email="organiser@example.com")
    hackney_admin = User.objects.get(email="amara.okafor@example.com")
    newcomer = User.objects.get(email="newcomer@example.com")
    assert organiser.is_organiser
    assert organiser.check_password("pipeline-demo-2026")
    assert Membership.objects.get(user=hackney_admin).is_admin
    assert Membership.objects.get(user=newcomer).status == MembershipStatus.PENDING
    assert Membership.objects.get(user=newcomer).council.code == "HCK"
    assert Council.objects.get(code="CRF").name_cy == "Caerdydd"
    assert EmailAddress.objects.filter(user=hackney_admin, verified=True).exists()


def test_a_demo_password_changed_by_hand_survives_a_second_load(without_shared):
    load_demo()
    user = User.objects.get(email="amara.okafor@example.com")
    user.set_password("my-own-passphrase-123")
    user.save()

    load_demo()

    user.refresh_from_db()
    assert user.check_password("my-own-passphrase-123")


def test_the_demo_keeps_a_fuller_register_already_imported(shared_data):
    call_command(
        "import_councils",
        str(shared_data / "uk_local_authorities_current.csv"),
        "--welsh-names",
        str(shared_data / "welsh_principal_authorities.tsv"),
        stdout=io.StringIO(),
    )
    hackney = Council.objects.get(code="HCK")

    load_demo()
    load_demo()

    assert Council.objects.count() == 470
    assert Council.objects.get(code="HCK").slug == hackney.slug
    assert Membership.objects.filter(council__code="HCK", status="verified").count() == 2


def test_load_demo_refuses_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=io.StringIO())

    assert not User.objects.exists()


@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_what_the_demo_people_changed_survives_a_second_load(without_shared, decision):
    """`make run` again, after a walk through the demo: no error, nothing twice, and every
    change the demo people made is still there."""
    from cms.models import StandardPage
    from councils import services as council_services
    from projects import services
    from projects.models import Pledge, PledgeState, Project, TeamMembership, TeamStatus
    from projects.services import people

    load_demo()
    organiser = User.objects.get(email="organiser@example.com")
    amara = User.objects.get(email="amara.okafor@example.com")
    tom = User.objects.get(email="tom.price@example.com")
    fraser = User.objects.get(email="fraser.mackay@example.com")
    request = Membership.objects.get(user__email="newcomer@example.com")
    if decision == "approve":
        council_services.membership_approve(actor=amara, membership=request)
    else:
        council_services.membership_refuse(actor=amara, membership=request, reason="Not known.")
    council_services.membership_leave(actor=tom, membership=Membership.objects.get(user=tom))
    bulky = Project.objects.get(slug="book-a-bulky-waste-collection")
    services.project_update(actor=amara, project=bulky, title="Book a bulky item collection")
    declined = services.pledge_decline(
        actor=amara, pledge=Pledge.objects.get(project=bulky, state=PledgeState.OFFERED)
    )
    planning = Project.objects.get(slug="comment-on-a-planning-application")
    withdrawn = services.pledge_withdraw(
        actor=fraser,
        pledge=Pledge.objects.get(project=planning, council__code="EDH"),
        reason="Budget moved.",
    )
    people.team_leave(actor=tom, membership=TeamMembership.objects.get(user=tom, project=bulky))
    featured = Project.objects.filter(is_featured=True).first()
    services.project_unfeature(actor=organiser, project=featured)
    about = StandardPage.objects.get(slug="about", locale__language_code="en-gb")
    about.title, about.slug = "About us", "about-us"
    about.save_revision(user=organiser).publish()
    # Amara's address changes: a new primary one, the demo's one removed.
    EmailAddress.objects.create(
        user=amara, email="amara@hackney.example", verified=True
    ).set_as_primary()
    EmailAddress.objects.filter(email="amara.okafor@example.com").delete()
    before = counts()

    load_demo()

    assert counts() == before
    request.refresh_from_db()
    assert request.status == (
        MembershipStatus.VERIFIED if decision == "approve" else MembershipStatus.REFUSED
    )
    assert Membership.objects.get(user=tom).status == MembershipStatus.LEFT
    bulky.refresh_from_db()
    assert bulky.title == "Book a bulky item collection"
    assert Pledge.objects.get(pk=declined.pk).state == PledgeState.DECLINED
    assert Pledge.objects.get(pk=withdrawn.pk).state == PledgeState.WITHDRAWN
    assert TeamMembership.objects.get(user=tom, project=bulky).status == TeamStatus.LEFT
    assert not Project.objects.get(pk=featured.pk).is_featured
    assert StandardPage.objects.get(pk=about.pk).title == "About us"
    assert not StandardPage.objects.filter(slug="about", locale__language_code="en-gb").exists()
    assert not User.objects.filter(email="amara.okafor@example.com").exists()
    assert EmailAddress.objects.get(user=amara, primary=True).email == "amara@hackney.example"


def test_the_demo_has_a_funding_round_at_every_stage(without_shared):
    """The README's worked example: an open call with a bid at every stage, a closed call being
    assessed, a decided call with its decisions published, and one opening soon."""
    from funding.models import (
        Application,
        ApplicationState,
        Assessment,
        Call,
        FunderMembership,
        FunderRole,
        PartnerState,
    )
    from funding.selectors.applications import public_applications
    from funding.selectors.calls import call_stage

    load_demo()

    calls = {call.slug: call for call in Call.objects.select_related("funder")}
    stages = {slug: call_stage(call) for slug, call in calls.items()}
    assert stages == {
        "local-digital-fund-round-10": "open",
        "local-digital-fund-round-9": "closed",
        "reuse-fund-2026": "decided",
        "digital-discovery-fund-for-welsh-councils": "upcoming",
    }
    open_call = calls["local-digital-fund-round-10"]
    assert open_call.max_award == 80_000_00 and open_call.min_partners == 2
    assert [c.slug for c in open_call.required_commitments.all()] == ["local-digital-declaration"]
    assert open_call.questions.count() == 3
    assert sorted(open_call.criteria.values_list("weight", flat=True)) == [25, 35, 40]

    def bids(call) -> dict[str, Application]:
        return {a.project.title: a for a in call.applications.select_related("project")}

    # The open call: a draft, a draft waiting for Leeds to confirm, submitted, withdrawn.
    open_bids = bids(open_call)
    assert {title: a.state for title, a in open_bids.items()} == {
        "Blue Badge renewals": ApplicationState.DRAFT,
        "Council tax single person discount review": ApplicationState.DRAFT,
        "Free school meals auto-enrolment": ApplicationState.SUBMITTED,
        "Comment on a planning application": ApplicationState.WITHDRAWN,
    }
    waiting = open_bids["Council tax single person discount review"]
    assert {p.council.code: p.state for p in waiting.partners.select_related("council")} == {
        "SHF": PartnerState.CONFIRMED,
        "LDS": PartnerState.INVITED,
    }
    withdrawn = open_bids["Comment on a planning application"]
    assert withdrawn.submitted_at is not None and withdrawn.withdrawn_reason

    # The closed call: scored, a conflict of interest declared, two bids shortlisted.
    closed = bids(calls["local-digital-fund-round-9"])
    assert sorted(a.state for a in closed.values()) == [
        ApplicationState.SHORTLISTED,
        ApplicationState.SHORTLISTED,
        ApplicationState.SUBMITTED,
    ]
    assessments = Assessment.objects.filter(application__call__slug="local-digital-fund-round-9")
    assert assessments.filter(submitted_at__isnull=False).count() == 4
    conflict = assessments.get(conflict_declared_at__isnull=False)
    assert conflict.application.project.title == "School admissions appeal form"

    # The decided call: one funded with an award, one not funded with feedback, public.
    decided = bids(calls["reuse-fund-2026"])
    funded = decided["Trwyddedau parcio i breswylwyr"]
    not_funded = decided["Report a pothole with a photo"]
    assert (funded.state, funded.award_amount) == (ApplicationState.FUNDED, 40_000_00)
    assert not_funded.state == ApplicationState.NOT_FUNDED and not_funded.feedback
    assert {funded.pk, not_funded.pk} <= set(public_applications().values_list("pk", flat=True))

    # The logins the README names, verified in their roles, with a second factor.
    roles = {
        (m.user.email, m.funder.slug): m.role
        for m in FunderMembership.objects.filter(status="verified").select_related("user", "funder")
    }
    assert roles[("funder.admin@example.com", "local-digital")] == FunderRole.ADMIN
    assert roles[("assessor@example.com", "local-digital")] == FunderRole.ASSESSOR
    assert roles[("moderator@example.com", "local-digital")] == FunderRole.MODERATOR
    from accounts.mfa import user_has_second_factor

    for email in ("funder.admin@example.com", "assessor@example.com", "moderator@example.com"):
        assert user_has_second_factor(user=User.objects.get(email=email))
        assert User.objects.get(email=email).check_password("pipeline-demo-2026")
