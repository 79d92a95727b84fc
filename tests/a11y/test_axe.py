"""axe-core finds no WCAG 2.2 A or AA violation on Pipeline's pages, in English and Welsh.

One test loads the demo data once and walks the pages a person reaches, signed out and then
signed in, proposing a project and pledging to one. On each page it runs axe-core, checks what
axe leaves out (ids and references, one h1, table headers, the title, the language) and that the
page is built from the GOV.UK Frontend components it should use. Each page is its own subtest,
so one failing page does not hide the others. The run ends with a table of pages, violations and
what axe could not decide (pytest -s shows it).
"""

import io

import pytest
from django.core.management import call_command

from councils.models import Council
from demo.councils import DEMO_PASSWORD, NEWCOMER, ORGANISER
from projects.models import Project

from .conftest import axe_results, describe, follow, sign_in, structure_problems, submit

PROJECT = "/projects/book-a-bulky-waste-collection/"
IDEA_PROJECT = "/projects/blue-badge-renewals/"
OPEN_PROJECT = "/projects/comment-on-a-planning-application/"
WELSH_PROJECT = "/projects/trwyddedau-parcio-i-breswylwyr/"
NEWS_PAGE = "/news/pipeline-is-open-to-every-council/"
PLEDGER = "rhian.evans@example.com"  # Cardiff admin: may propose, and pledge to other councils

# GOV.UK Frontend components by CSS selector.
BREADCRUMBS = "nav.govuk-breadcrumbs[aria-label] .govuk-breadcrumbs__list"
SUMMARY_LIST = "dl.govuk-summary-list .govuk-summary-list__key"
TAG = "strong.govuk-tag"
TABLE = "table.govuk-table thead th.govuk-table__header[scope=col]"
ERROR_SUMMARY = ".govuk-error-summary[data-module=govuk-error-summary] .govuk-error-summary__list a"
ERROR_MESSAGE = ".govuk-form-group--error .govuk-error-message"
SUCCESS_BANNER = ".govuk-notification-banner--success[role=alert]"
CHANGE_LINKS = ".govuk-summary-list__actions a .govuk-visually-hidden"


@pytest.fixture
def demo_data():
    call_command("load_demo", force=True, stdout=io.StringIO())


class Sweep:
    def __init__(self, subtests):
        self.subtests = subtests
        self.counts: dict[str, tuple[int, int, int]] = {}
        self.undecided: dict[str, list[str]] = {}

    def check(self, page, name: str, *components: str) -> None:
        results = axe_results(page)
        violations = results["violations"]
        problems = structure_problems(page)
        missing = [c for c in components if page.locator(c).count() == 0]
        self.counts[name] = (
            sum(len(v["nodes"]) for v in violations),
            len(problems) + len(missing),
            sum(len(v["nodes"]) for v in results["incomplete"]),
        )
        # For a person to check: colour contrast of text in the SVG charts (#0b0c0c on white).
        self.undecided[name] = [f"{v['id']} ×{len(v['nodes'])}" for v in results["incomplete"]]
        errors, page.js_errors[:] = list(page.js_errors), []
        with self.subtests.test(msg=name):
            assert not violations, f"{page.url}\n{describe(violations)}"
            assert not problems, page.url
            assert not missing, f"{page.url} lacks GOV.UK components: {missing}"
            assert not errors, f"JavaScript errors on {page.url}: {errors}"

    def visit(self, page, name: str, path: str, *components: str, status: int = 200) -> None:
        response = page.goto(path)
        assert response is not None and response.status == status, (path, response)
        if status != 200:
            page.js_errors.clear()  # Chromium logs the page's own status as a console error
        self.check(page, name, *components)

    def report(self) -> str:
        width = max(map(len, self.counts))
        rows = [f"{'Page':<{width}}  axe violations  other problems  axe undecided"]
        for name, (failed, problems, undecided) in self.counts.items():
            rows.append(f"{name:<{width}}  {failed:>14}  {problems:>14}  {undecided:>13}")
            rows.extend(f"{'':<{width}}    ? {item}" for item in self.undecided[name])
        return "\n".join(rows)


def test_no_axe_violations_on_any_page(new_page, demo_data, subtests):
    sweep = Sweep(subtests)
    council = Council.objects.get(code="LDS").get_absolute_url()
    # Benefits: Kent reports what the housing repairs product saves it; Cardiff adopted the
    # Welsh bin product, so the Cardiff admin below may update what it reports.
    adopted = Project.objects.get(title="Report a housing repair").get_absolute_url()
    reporter = Council.objects.get(code="KEN").get_absolute_url()
    welsh_bins = Project.objects.get(title="Rhoi gwybod am fin heb ei gasglu")
    benefit_form = (
        f"{welsh_bins.get_absolute_url()}adoptions/{Council.objects.get(code='CRF').slug}/benefits/"
    )

    page = new_page()
    sweep.visit(page, "Home", "/", TABLE, SUMMARY_LIST, TAG)
    sweep.visit(
        page,
        "Project listing, filtered",
        "/projects/?phase=beta&needs=money",
        ".govuk-checkboxes__input[name=phase]:checked",
        SUMMARY_LIST,
        TAG,
    )
    sweep.visit(page, "Project page", PROJECT, BREADCRUMBS, SUMMARY_LIST, TAG, TABLE)
    sweep.visit(page, "Council page", council, BREADCRUMBS, SUMMARY_LIST, TABLE)
    sweep.visit(page, "Council directory", "/councils/", TABLE)
    sweep.visit(page, "Project page with benefits", f"{adopted}#benefits", SUMMARY_LIST, TAG)
    sweep.visit(page, "Council page with benefits", reporter, TABLE, TAG)
    sweep.visit(page, "National benefits", "/benefits/", TABLE, "figure.pipeline-chart svg")
    sweep.visit(page, "Welsh national benefits", "/cy/benefits/", TABLE, "figure.pipeline-chart")
    # Portfolios: the council's is public; the Welsh one; filtered to one with no rows.
    sweep.visit(page, "Council portfolio", f"{council}portfolio/", BREADCRUMBS, TABLE, TAG)
    sweep.visit(page, "Welsh council portfolio", f"/cy{council}portfolio/", BREADCRUMBS, TABLE)
    sweep.visit(
        page, "Council portfolio, bad filter", f"{council}portfolio/?rating=x", ERROR_SUMMARY
    )
    sweep.visit(page, "Search results", "/search/?q=waste", "form[role=search]")
    sweep.visit(page, "News page", NEWS_PAGE, BREADCRUMBS)
    sweep.visit(page, "Collection page", "/collections/waste-and-recycling/", BREADCRUMBS, TAG)
    sweep.visit(page, "Accessibility statement", "/accessibility/")
    # A project written in Welsh: its text says so inside the English interface.
    sweep.visit(page, "Project written in Welsh", WELSH_PROJECT, "h1[lang=cy]", TABLE)
    sweep.visit(page, "Welsh home", "/cy/", TABLE, SUMMARY_LIST, TAG)
    sweep.visit(page, "Welsh project listing", "/cy/projects/?phase=beta&needs=money", TAG)
    sweep.visit(page, "Welsh project page", f"/cy{PROJECT}", BREADCRUMBS, SUMMARY_LIST, TABLE)
    sweep.visit(page, "Welsh accessibility statement", "/cy/accessibility/", "h1:not([lang])")
    sweep.visit(page, "Welsh about page", "/cy/about/", "h1:not([lang])")
    # A page not yet in Welsh is served in English inside the Welsh interface, and says so.
    sweep.visit(page, "Welsh news page (in English)", f"/cy{NEWS_PAGE}", "h1[lang=en-GB]")
    sweep.visit(page, "Sign up", "/accounts/signup/")
    submit(page, "Sign Up")
    sweep.check(page, "Sign up, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(page, "Page not found", "/projects/no-such-project/", status=404)
    sweep.visit(page, "Sign in", "/accounts/login/")
    submit(page, "Sign In")
    sweep.check(page, "Sign in, with errors", ERROR_SUMMARY, ERROR_MESSAGE)

    # A council admin: two-factor authentication asks for the code after the password.
    sign_in(
        page,
        PLEDGER,
        DEMO_PASSWORD,
        on_code_page=lambda p: sweep.check(p, "Two-factor code at sign-in", "#id_code"),
    )
    sweep.visit(page, "My Pipeline", "/my-pipeline/", TABLE, TAG)
    # Two-factor authentication: the overview, then (after the password again) its pages.
    sweep.visit(page, "Two-factor authentication", "/accounts/2fa/", SUMMARY_LIST, TAG)
    sweep.visit(page, "Welsh two-factor authentication", "/cy/accounts/2fa/", SUMMARY_LIST)
    sweep.visit(page, "Confirm your password", "/accounts/2fa/recovery-codes/generate/")
    page.fill("#id_password", DEMO_PASSWORD)
    submit(page, "Confirm")
    sweep.check(page, "Make new recovery codes", "form[action$='/recovery-codes/generate/']")
    submit(page, "Make new codes")
    sweep.check(page, "Recovery codes", "#recovery_codes code")
    sweep.visit(page, "Welsh recovery codes", "/cy/accounts/2fa/recovery-codes/")
    sweep.visit(page, "Passkeys and security keys", "/accounts/2fa/webauthn/")
    sweep.visit(page, "Add a passkey", "/accounts/2fa/webauthn/add/", "#mfa_webauthn_add")
    sweep.visit(page, "Welsh add a passkey", "/cy/accounts/2fa/webauthn/add/")
    sweep.visit(page, "Turn off the authenticator app", "/accounts/2fa/totp/deactivate/")
    sweep.visit(page, "Welsh turn off the app", "/cy/accounts/2fa/totp/deactivate/")
    sweep.visit(page, "Project page, signed in", OPEN_PROJECT, SUMMARY_LIST, TAG)
    sweep.visit(page, "Your profile", "/accounts/profile/", SUMMARY_LIST)
    sweep.visit(page, "Edit your profile", "/accounts/profile/edit/", ".govuk-radios")
    # Sessions and tokens: this browser and the token form, with its errors, in both languages.
    sweep.visit(page, "Sessions and tokens", "/accounts/security/", BREADCRUMBS, TABLE, TAG)
    submit(page, "Create token")
    sweep.check(page, "Sessions and tokens, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(page, "Welsh sessions and tokens", "/cy/accounts/security/", TABLE, TAG)
    # Rhian owns projects councils support: the page says why she cannot delete it yet.
    sweep.visit(page, "Delete your account, refused", "/accounts/delete/", BREADCRUMBS)
    sweep.visit(page, "Welsh delete your account, refused", "/cy/accounts/delete/")
    sweep.visit(page, "Join a council", "/councils/join/")
    sweep.visit(page, "Join the maker team", f"{OPEN_PROJECT}join/", BREADCRUMBS)
    sweep.visit(
        page,
        "Manage a project",
        f"{WELSH_PROJECT}manage/",
        ".govuk-radios",
    )
    # Delivery: the team's milestone and status report forms, with their errors, in both languages.
    sweep.visit(page, "Add a milestone", f"{WELSH_PROJECT}milestones/new/", ".govuk-date-input")
    submit(page, "Add milestone")
    sweep.check(page, "Add a milestone, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(
        page, "Welsh add a milestone", f"/cy{WELSH_PROJECT}milestones/new/", ".govuk-radios"
    )
    sweep.visit(page, "File a status report", f"{WELSH_PROJECT}reports/new/", ".govuk-radios")
    submit(page, "File report")
    sweep.check(page, "File a status report, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(
        page, "Welsh file a status report", f"/cy{WELSH_PROJECT}reports/new/", ".govuk-radios"
    )
    # Benefits: the adopting council's form, with its errors, in both languages.
    sweep.visit(page, "Update benefits", benefit_form, ".govuk-radios", ".govuk-input__prefix")
    page.get_by_label("Evidence link (optional)").fill("")
    page.get_by_label("High", exact=True).check()  # high confidence needs an evidence link
    submit(page, "Save benefits")
    sweep.check(page, "Update benefits, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(page, "Welsh update benefits", f"/cy{benefit_form}", ".govuk-radios")
    sweep.visit(page, "Pledge refused to the lead council", f"{WELSH_PROJECT}pledge/", status=403)
    sweep.visit(page, "We need this too", f"{IDEA_PROJECT}need-this-too/", BREADCRUMBS)
    submit(page, "Record our need")
    sweep.check(
        page, "Project page after 'we need this too'", SUCCESS_BANNER, "form[action$='/take-back/']"
    )

    # Propose a project, step by step.
    sweep.visit(page, "Propose: about the project", "/projects/new/", BREADCRUMBS)
    submit(page, "Save and continue")
    sweep.check(page, "Propose: about the project, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    page.get_by_label("Project name").fill("Book a tip visit")
    page.get_by_label("Summary").fill("Residents book a slot at the household waste tip.")
    submit(page, "Save and continue")
    page.wait_for_url("**/edit/problem/")
    slug = page.url.rstrip("/").split("/")[-3]
    sweep.check(page, "Propose: the problem and its users", SUCCESS_BANNER)
    page.get_by_label("What problem does it solve?").fill("Queues at the tip on Saturdays.")
    page.get_by_label("Who are the users?").fill("Residents with a car full of waste.")
    submit(page, "Save and continue")
    page.wait_for_url("**/needs/")
    sweep.check(page, "Propose: what the project needs", ".govuk-radios")
    submit(page, "Add need")
    sweep.check(page, "Propose: what the project needs, with errors", ERROR_SUMMARY)
    page.get_by_label("Money").check()
    page.get_by_label("How much?").fill("25000")
    submit(page, "Add need")
    sweep.check(page, "Propose: what the project needs, one added", SUCCESS_BANNER, SUMMARY_LIST)
    submit(page, "Continue")
    page.wait_for_url("**/edit/details/")
    sweep.check(page, "Propose: deadline, partners, links and licence", ".govuk-date-input")
    page.get_by_label("Year").fill("20")
    submit(page, "Save and continue")
    sweep.check(page, "Propose: a deadline with errors", ERROR_SUMMARY, ".govuk-date-input")
    page.get_by_label("Year").fill("")
    submit(page, "Save and continue")
    page.wait_for_url("**/check/")
    sweep.check(page, "Propose: check your answers", SUMMARY_LIST, CHANGE_LINKS)
    sweep.visit(
        page,
        "Propose: task list",
        f"/projects/{slug}/draft/",
        ".govuk-task-list .govuk-task-list__link[aria-describedby]",
        ".govuk-task-list__status .govuk-tag",
    )

    # Pledge support, with the error state first.
    sweep.visit(page, "Pledge form", f"{OPEN_PROJECT}pledge/", BREADCRUMBS, ".govuk-radios")
    submit(page, "Continue")
    sweep.check(page, "Pledge form, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    page.get_by_label("Money for the project as a whole").check()
    page.get_by_label("How much?").fill("1000000")
    # The condition's checkbox reveals its number. The pledge is made without it, so that a
    # change can be proposed to it below (a conditional pledge is not amended).
    page.get_by_label("Only if other councils pledge too").check()
    page.get_by_label("How many other councils must pledge?").fill("40")
    sweep.check(page, "Pledge form, a condition revealed", "#conditional-id_only_if_others")
    page.get_by_label("Only if other councils pledge too").uncheck()
    submit(page, "Continue")
    page.wait_for_url("**/pledge/check/")
    sweep.check(page, "Pledge: check your answers, over what is needed", SUMMARY_LIST, CHANGE_LINKS)
    submit(page, "Make pledge")
    page.wait_for_url("**/confirmation/")
    sweep.check(page, "Pledge confirmation", ".govuk-panel--confirmation h1")
    follow(page, "See your pledge and its history")
    sweep.check(page, "Pledge and its history", SUMMARY_LIST, TAG)

    # Propose a change to that pledge, with the error state first.
    follow(page, "Propose a change")
    sweep.check(page, "Propose a change to a pledge", BREADCRUMBS, SUMMARY_LIST)
    submit(page, "Continue")
    sweep.check(page, "Propose a change, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    page.get_by_label("What should the new amount be?").fill("1200000")
    page.get_by_label("Why is the amount changing?").fill("Cabinet added budget")
    submit(page, "Continue")
    page.wait_for_url("**/amend/check/")
    sweep.check(page, "Change: check your answers, over what is needed", SUMMARY_LIST, CHANGE_LINKS)
    submit(page, "Propose change")
    sweep.check(page, "A proposed change and its history", SUMMARY_LIST, TAG)

    # The national portfolio, for organisers, in both languages.
    organiser = new_page()
    sign_in(organiser, ORGANISER[0], DEMO_PASSWORD)
    sweep.visit(organiser, "National portfolio", "/portfolio/", BREADCRUMBS, TABLE, TAG)
    sweep.visit(organiser, "Welsh national portfolio", "/cy/portfolio/?phase=beta", TABLE)

    # Delete my account, for a member nobody relies on: the form, with its errors, in Welsh too.
    member = new_page()
    sign_in(member, "tom.price@example.com", DEMO_PASSWORD)
    sweep.visit(member, "Delete your account", "/accounts/delete/", BREADCRUMBS)
    submit(member, "Delete my account")
    sweep.check(member, "Delete your account, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(member, "Welsh delete your account", "/cy/accounts/delete/", "input[type=password]")

    # Setting up an authenticator app, as the newcomer (no second factor yet), with the error
    # state, in both languages.
    newcomer = new_page()
    sign_in(newcomer, NEWCOMER[0], DEMO_PASSWORD)
    sweep.visit(newcomer, "Two-factor authentication, not set up", "/accounts/2fa/", SUMMARY_LIST)
    newcomer.goto("/accounts/2fa/totp/activate/")
    newcomer.fill("#id_password", DEMO_PASSWORD)
    submit(newcomer, "Confirm")
    sweep.check(newcomer, "Set up an authenticator app", "img[src^='data:image/svg']")
    submit(newcomer, "Turn on two-factor authentication")
    sweep.check(newcomer, "Set up an authenticator app, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(newcomer, "Welsh set up an authenticator app", "/cy/accounts/2fa/totp/activate/")

    print("\n" + sweep.report())


def test_no_axe_violations_on_the_partner_pages(new_page, subtests):
    """A bid's partner councils (funding): the lead's page with its suggestions, the invite
    form (with its errors and the choice among councils of one name), the invited council's
    page for a member and for an approver (with errors), and the invitations, in both
    languages. Built with factories: the demo has no bid yet."""
    from funding.models import PartnerState
    from projects.models import DemandSignal
    from tests.factories import CouncilFactory, verified_member
    from tests.factories.accounts import PASSWORD
    from tests.funding.test_partners_services import World

    sweep = Sweep(subtests)
    w = World()
    kent = CouncilFactory(short_name="Kent", slug="kent", authority_type="CTY", region="South East")
    DemandSignal.objects.create(
        project=w.application.project, council=kent, recorded_by=verified_member(kent)
    )
    CouncilFactory(short_name="Northshire")
    CouncilFactory(short_name="Northtown")
    w.invite(contribution="User research with residents")
    confirmed = w.invite(council=w.elsewhere)
    confirmed.state, confirmed.decided_by = PartnerState.CONFIRMED, w.other
    confirmed.contribution = "£10,000"
    from django.utils import timezone

    confirmed.decided_at = timezone.now()
    confirmed.save()
    pk = w.application.pk
    partners = f"/funding/applications/{pk}/partners/"
    invite = f"/funding/applications/{pk}/invite/"
    decide = f"{partners}partnerton/"

    lead = new_page()
    sign_in(lead, w.lead_member.email, PASSWORD)
    sweep.visit(lead, "Partner councils", partners, BREADCRUMBS, SUMMARY_LIST, TAG)
    sweep.visit(lead, "Welsh partner councils", f"/cy{partners}", SUMMARY_LIST, TAG)
    sweep.visit(lead, "Invite a suggested council", f"{invite}?chosen=kent&suggested=1")
    sweep.visit(lead, "Invite a council by name", invite, BREADCRUMBS)
    submit(lead, "Send invitation")
    sweep.check(lead, "Invite a council, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    lead.get_by_label("Which council do you want to invite?").fill("North")
    submit(lead, "Send invitation")
    sweep.check(lead, "Invite a council, which one", ERROR_SUMMARY, ".govuk-radios")
    sweep.visit(lead, "Welsh invite a council", f"/cy{invite}")

    member = new_page()
    sign_in(member, w.member.email, PASSWORD)
    sweep.visit(member, "Invitation, for a member", decide, BREADCRUMBS, SUMMARY_LIST, TAG)
    submit(member, "Decline the invitation")
    sweep.check(member, "Decline, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(member, "Welsh invitation, for a member", f"/cy{decide}", SUMMARY_LIST)
    sweep.visit(member, "Invitations", "/funding/invitations/", SUMMARY_LIST, TAG)
    sweep.visit(member, "Welsh invitations", "/cy/funding/invitations/", SUMMARY_LIST)

    approver_page = new_page()
    sign_in(approver_page, w.approver.email, PASSWORD)
    sweep.visit(approver_page, "Invitation, for an approver", decide, SUMMARY_LIST)
    approver_page.get_by_label("What will your council bring?").fill("")
    submit(approver_page, "Confirm our part")
    sweep.check(approver_page, "Confirm, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(approver_page, "Welsh invitation, for an approver", f"/cy{decide}")


def test_no_axe_violations_on_the_funding_pages(new_page, subtests):
    """Funders and their calls, in English and Welsh: the public pages, a funder admin's forms
    (with their errors), the members page, and a council admin recording commitments."""
    from funding.models import CallStatus, FunderRole
    from tests.factories import (
        CallFactory,
        CommitmentFactory,
        CouncilFactory,
        FunderFactory,
        FunderMembershipFactory,
        ServiceAreaFactory,
        funder_member,
        verified_member,
    )
    from tests.factories.accounts import PASSWORD

    sweep = Sweep(subtests)
    funder = FunderFactory(
        name="Department for Digital Things",
        name_cy="Adran Pethau Digidol",
        slug="ddt",
        description="We fund **shared** services.",
        website="https://ddt.gov.uk",
    )
    CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")
    call = CallFactory(
        funder=funder,
        slug="round-9",
        title="Local Digital Fund, round 9",
        min_partners=2,
        nations=["England", "Wales"],
        council_types=["UA"],
        phases=["discovery"],
        awards_per_service_area=1,
        description="Read the **prospectus**.",
    )
    call.required_commitments.add(CommitmentFactory())
    call.service_areas.add(ServiceAreaFactory(name="Waste and recycling"))
    CallFactory(
        funder=funder, slug="round-10", title="Round 10", status=CallStatus.DRAFT, published_at=None
    )
    FunderMembershipFactory(funder=funder, status="pending")
    funder_member(funder, role=FunderRole.ASSESSOR)
    admin = funder_member(funder, role=FunderRole.ADMIN)
    council = CouncilFactory(short_name="Leadshire", slug="leadshire")
    council_admin = verified_member(council, admin=True)

    page = new_page()
    sweep.visit(page, "Funding calls", "/funding/", TAG, SUMMARY_LIST)
    sweep.visit(page, "Welsh funding calls", "/cy/funding/", TAG)
    sweep.visit(page, "Funding calls, bad filter", "/funding/?status=soon", ERROR_SUMMARY)
    sweep.visit(page, "A funding call", "/funding/calls/round-9/", BREADCRUMBS, SUMMARY_LIST, TABLE)
    sweep.visit(page, "Welsh funding call", "/cy/funding/calls/round-9/", BREADCRUMBS, TABLE)
    sweep.visit(page, "Funders", "/funding/funders/", TABLE)
    sweep.visit(page, "A funder", "/funding/funders/ddt/", BREADCRUMBS, TAG)
    sweep.visit(page, "Welsh funder", "/cy/funding/funders/ddt/", BREADCRUMBS)

    sign_in(page, admin.email, PASSWORD)
    sweep.visit(page, "New funding call", "/funding/funders/ddt/calls/new/", ".govuk-date-input")
    page.get_by_label("Budget, in pounds").fill("1000")
    page.get_by_label("Largest award, in pounds").fill("5000")
    submit(page, "Save as a draft")
    sweep.check(page, "New funding call, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(page, "Welsh new funding call", "/cy/funding/funders/ddt/calls/new/")
    submit(page, "Cadw fel drafft")
    sweep.check(page, "Welsh new funding call, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(page, "Change an open call", "/funding/calls/round-9/edit/", ".govuk-warning-text")
    sweep.visit(page, "A draft call", "/funding/calls/round-10/", ".govuk-warning-text")
    sweep.visit(page, "Change a draft call", "/funding/calls/round-10/edit/", ".govuk-checkboxes")
    sweep.visit(page, "Welsh funder members", "/cy/funding/funders/ddt/members/", TABLE)
    sweep.visit(page, "Funder members", "/funding/funders/ddt/members/", TABLE, TAG)
    follow(page, "Refuse")
    submit(page, "Refuse request")
    sweep.check(page, "Refuse a funder membership, with errors", ERROR_SUMMARY, ERROR_MESSAGE)

    joiner = new_page()
    sign_in(joiner, council_admin.email, PASSWORD)
    sweep.visit(joiner, "Join a funder", "/funding/funders/ddt/join/")
    sweep.visit(joiner, "Welsh join a funder", "/cy/funding/funders/ddt/join/")
    sweep.visit(joiner, "Council commitments", "/councils/leadshire/commitments/", BREADCRUMBS)
    submit(joiner, "Record commitment")
    sweep.check(joiner, "Council commitments, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(joiner, "Welsh council commitments", "/cy/councils/leadshire/commitments/")


def test_no_axe_violations_on_the_funding_application_pages(new_page, subtests):
    """A bid's pages, in English and Welsh, with their error states: applying to a call, the
    draft with what is missing, editing it, a refused submission and withdrawing. Built with the
    factories (the demo has no funding call yet)."""
    from django.utils import timezone

    from funding.models import Answer, Application, ApplicationState
    from tests.factories import CallFactory, published_project
    from tests.factories.accounts import PASSWORD
    from tests.funding.applying import eligible

    sweep = Sweep(subtests)
    w = eligible(min_partners=2, amount_requested=None)
    w.partners[1].delete()
    first = w.call.questions.first()
    first.word_limit = 3
    first.save()
    Answer.objects.filter(question=first).update(text="")
    # The owner has two more projects to apply with to another call.
    published_project(lead_council=w.lead, owner=w.owner, title="Book a tip visit")
    published_project(lead_council=w.lead, owner=w.owner, title="Parking permits")
    other_call = CallFactory(title="Cronfa Ddigidol Leol", slug="cronfa")
    bid = f"/funding/applications/{w.application.pk}/"
    public = eligible()
    Application.objects.filter(pk=public.application.pk).update(
        state=ApplicationState.FUNDED,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
        award_amount=50_000_00,
    )

    visitor = new_page()
    public_bid = f"/funding/applications/{public.application.pk}/"
    sweep.visit(visitor, "A funded application, public", public_bid, SUMMARY_LIST, TAG, TABLE)
    sweep.visit(visitor, "Welsh funded application, public", f"/cy{public_bid}", SUMMARY_LIST)

    owner = new_page()
    sign_in(owner, w.owner.email, PASSWORD)
    sweep.visit(
        owner, "Apply to a call", f"/funding/calls/{other_call.slug}/apply/", ".govuk-radios"
    )
    submit(owner, "Start application")
    sweep.check(owner, "Apply to a call, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(owner, "Welsh apply to a call", f"/cy/funding/calls/{other_call.slug}/apply/")
    sweep.visit(owner, "A draft application", bid, SUMMARY_LIST, TAG, TABLE)
    sweep.visit(owner, "Welsh draft application", f"/cy{bid}", SUMMARY_LIST, TAG, TABLE)
    sweep.visit(
        owner, "Edit an application", f"{bid}edit/", ".govuk-radios", ".govuk-input__prefix"
    )
    owner.get_by_label(first.text).fill("one two three four")
    owner.get_by_label("Amount requested").fill("lots")
    submit(owner, "Save draft")
    sweep.check(owner, "Edit an application, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(owner, "Welsh edit an application", f"/cy{bid}edit/", ".govuk-radios")

    approver = new_page()
    sign_in(approver, w.approver.email, PASSWORD)
    sweep.visit(approver, "A draft application, to an approver", bid, SUMMARY_LIST)
    submit(approver, "Submit the application")
    sweep.check(approver, "Submit an application, refused", ".govuk-error-summary__list a")
    sweep.visit(approver, "Withdraw an application", f"{bid}withdraw/", "textarea")
    submit(approver, "Withdraw the application")
    sweep.check(approver, "Withdraw an application, with errors", ERROR_SUMMARY, ERROR_MESSAGE)
    sweep.visit(approver, "Welsh withdraw an application", f"/cy{bid}withdraw/", "textarea")
    print("\n" + sweep.report())


def test_no_axe_violations_on_a_call_with_its_applications(new_page, subtests):
    """A call's public page with its applications filled in (submitted, shortlisted, withdrawn,
    funded and not funded: the shortlisted one shows as submitted), and a bid's page as its lead
    council sees it, with partner councils that confirmed, are invited, declined and withdrew
    (with their reasons); each in English and Welsh."""
    from django.utils import timezone

    from funding.models import Application, ApplicationPartner, ApplicationState, PartnerState
    from tests.factories import CouncilFactory, verified_member
    from tests.factories.accounts import PASSWORD
    from tests.funding.applying import eligible

    sweep = Sweep(subtests)
    w = eligible(min_partners=1, amount_requested=40_000_00)
    now = timezone.now()
    states = [
        (ApplicationState.SHORTLISTED, {}),
        (ApplicationState.FUNDED, {"decided_at": now, "award_amount": 30_000_00}),
        (ApplicationState.NOT_FUNDED, {"decided_at": now}),
        (ApplicationState.WITHDRAWN, {"withdrawn_at": now, "withdrawn_reason": "Merged"}),
    ]
    for state, extra in states:
        other = eligible(call=w.call, amount_requested=20_000_00)
        Application.objects.filter(pk=other.application.pk).update(
            state=state, submitted_at=now, summary="Shared bins for three councils", **extra
        )
    Application.objects.filter(pk=w.application.pk).update(
        state=ApplicationState.SUBMITTED, submitted_at=now, summary="Report a missed bin"
    )
    for name, state, reason in (
        ("Invitedham", PartnerState.INVITED, ""),
        ("Declinebury", PartnerState.DECLINED, "No budget this year"),
        ("Withdrewton", PartnerState.WITHDRAWN, "Our team moved to other work"),
    ):
        council = CouncilFactory(short_name=name)
        ApplicationPartner.objects.create(
            application=w.application,
            council=council,
            state=state,
            contribution="User research",
            invited_by=w.owner,
            decided_by=None if state == PartnerState.INVITED else verified_member(council),
            decided_at=None if state == PartnerState.INVITED else now,
            reason=reason,
        )
    call = f"/funding/calls/{w.call.slug}/"
    bid = f"/funding/applications/{w.application.pk}/"

    visitor = new_page()
    sweep.visit(visitor, "A call with applications", call, TABLE, TAG, BREADCRUMBS)
    sweep.visit(visitor, "Welsh call with applications", f"/cy{call}", TABLE, TAG)
    sweep.visit(visitor, "A submitted application, public", bid, SUMMARY_LIST, TAG, TABLE)

    lead = new_page()
    sign_in(lead, w.owner.email, PASSWORD)
    sweep.visit(lead, "An application with its partners", bid, SUMMARY_LIST, TAG, TABLE)
    sweep.visit(lead, "Welsh application with its partners", f"/cy{bid}", SUMMARY_LIST, TABLE)
    sweep.visit(lead, "Partner councils, with a withdrawal", f"{bid}partners/", SUMMARY_LIST, TAG)
    print("\n" + sweep.report())
