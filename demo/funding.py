"""Demo funders, calls and bids for ``make run``, through the funding services, so every stage
of a funding round can be seen: an open call with bids at each stage (a draft, a draft waiting
for a partner council to confirm, a submitted bid, a withdrawn one), a closed call being
assessed (scores, a conflict of interest, a shortlist), a decided call with its decisions
published, and a call that opens soon.

Times are relative to the moment the demo is first loaded, and the services read the server's
clock, so each step runs at a moment in the past (``_at``) where it has to: a bid is submitted
while its call was open, and scored once it had closed. Idempotent: each funder, membership,
commitment and call is made once; what people changed since is kept.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from councils.models import Commitment, Council, CouncilCommitment, Nation
from councils.services import council_commitment_record
from funding.models import (
    Application,
    Call,
    DecisionOutcome,
    Funder,
    FunderKind,
    FunderMembership,
    FunderRole,
)
from funding.selectors.applications import APPLYING_PROJECT_STATES
from funding.services import applications as bids
from funding.services import assessment, calls, funders, partners
from projects.models import Phase

from . import councils as demo_councils
from .councils import ORGANISER, _person, demo_person
from .projects import _at, _person_for, demo_project

# (email, first name, last name, job title): the funders' people, all invented.
FUNDER_ADMIN = ("funder.admin@example.com", "Joanna", "Reid", "Local Digital programme lead")
ASSESSOR = ("assessor@example.com", "Sam", "Patel", "Funding assessor")
SECOND_ASSESSOR = ("ben.ashworth@example.com", "Ben", "Ashworth", "Funding assessor")
MODERATOR = ("moderator@example.com", "Kemi", "Adebayo", "Head of the Local Digital Fund")
WELSH_ADMIN = ("cerys.morgan@example.com", "Cerys", "Morgan", "Digital funding manager")
LOCALGOV_ADMIN = ("chris.lane@example.com", "Chris", "Lane", "LocalGov Digital steering group")
PEOPLE = [FUNDER_ADMIN, ASSESSOR, SECOND_ASSESSOR, MODERATOR, WELSH_ADMIN, LOCALGOV_ADMIN]

LOCAL_DIGITAL = "local-digital"
WELSH_GOVERNMENT = "welsh-government"
LOCALGOV_DIGITAL = "localgov-digital"
# slug: (name, Welsh name, kind, website, email domains, about)
FUNDERS = {
    LOCAL_DIGITAL: (
        "Local Digital (Ministry of Housing, Communities and Local Government)",
        "",
        FunderKind.GOVERNMENT,
        "https://www.localdigital.gov.uk",
        ["communities.gov.uk"],
        "The department's Local Digital team runs the Local Digital Fund: money for councils "
        "that build shared digital services together, in the open.",
    ),
    WELSH_GOVERNMENT: (
        "Welsh Government",
        "Llywodraeth Cymru",
        FunderKind.DEVOLVED,
        "https://www.gov.wales",
        ["gov.wales", "llyw.cymru"],
        "Funds digital discovery work by Welsh councils, in Welsh and English.",
    ),
    LOCALGOV_DIGITAL: (
        "LocalGov Digital",
        "",
        FunderKind.MEMBERSHIP,
        "https://localgovdigital.info",
        ["localgovdigital.info"],
        "The network of digital practitioners in local government; a small fund for councils "
        "that reuse each other's work.",
    ),
}
# (person, funder slug, role)
MEMBERS = [
    (FUNDER_ADMIN, LOCAL_DIGITAL, FunderRole.ADMIN),
    (ASSESSOR, LOCAL_DIGITAL, FunderRole.ASSESSOR),
    (SECOND_ASSESSOR, LOCAL_DIGITAL, FunderRole.ASSESSOR),
    (MODERATOR, LOCAL_DIGITAL, FunderRole.MODERATOR),
    (WELSH_ADMIN, WELSH_GOVERNMENT, FunderRole.ADMIN),
    (LOCALGOV_ADMIN, LOCALGOV_DIGITAL, FunderRole.ADMIN),
    (ASSESSOR, LOCALGOV_DIGITAL, FunderRole.ASSESSOR),
]

DECLARATION = "local-digital-declaration"
# Councils that recorded signing the Local Digital Declaration (the dates are invented).
SIGNED = [
    ("HCK", datetime.date(2018, 7, 4)),
    ("LDS", datetime.date(2018, 9, 12)),
    ("MAN", datetime.date(2018, 11, 20)),
    ("SHF", datetime.date(2019, 2, 6)),
    ("KEN", datetime.date(2019, 5, 15)),
    ("CON", datetime.date(2020, 1, 29)),
]

LDF_QUESTIONS = [
    {
        "text": "What problem will you solve, and for whom?",
        "guidance": "Say who has the problem, how you know, and what it costs now.",
        "word_limit": 300,
    },
    {
        "text": "Which councils will use what you make, and how will you share it?",
        "guidance": "Name the partner councils and what each brings.",
        "word_limit": 250,
    },
    {
        "text": "How will you work in the open?",
        "guidance": "Where you will publish your code, research and show and tells.",
        "word_limit": 200,
    },
]
LDF_CRITERIA = [
    {
        "title": "Need and impact",
        "description": "Evidence of the problem and of what solving it is worth.",
        "weight": 40,
    },
    {
        "title": "Collaboration and reuse",
        "description": "Partners with a real part, and a plan for other councils to reuse it.",
        "weight": 35,
    },
    {
        "title": "Team and delivery",
        "description": "A multidisciplinary team and a realistic plan.",
        "weight": 25,
    },
]


def _ldf(round_no: int, phases: list[str], max_award: int, budget: int, summary: str) -> dict:
    return {
        "funder": LOCAL_DIGITAL,
        "title": f"Local Digital Fund round {round_no}",
        "summary": summary,
        "description": (
            "The Local Digital Fund pays for councils to work together on the digital services "
            "their residents use, following the Local Digital Declaration: they fix the plumbing, "
            "design services around users and share what they make.\n\n"
            "Every council in a bid, the lead and at least two partners, must have signed the "
            "Declaration. Bids are scored by two assessors against the criteria below; "
            "moderators compare the scores and decide."
        ),
        "budget": budget,
        "max_award": max_award,
        "min_partners": 2,
        "nations": [Nation.ENGLAND],
        "phases": phases,
        "commitments": [DECLARATION],
        "questions": LDF_QUESTIONS,
        "criteria": LDF_CRITERIA,
    }


# Days are relative to noon on the day the demo is first loaded.
OPEN_CALL = {
    **_ldf(
        10,
        [Phase.DISCOVERY],
        80_000_00,
        2_000_000_00,
        "Up to £80,000 for a discovery by at least three councils that signed the Local "
        "Digital Declaration.",
    ),
    "opens": -14,
    "closes": 42,
    "decision": 70,
}
CLOSED_CALL = {
    **_ldf(
        9,
        [Phase.ALPHA, Phase.BETA],
        150_000_00,
        1_500_000_00,
        "Up to £150,000 for an alpha or a beta of a service that several councils will run.",
    ),
    "opens": -70,
    "closes": -7,
    "decision": 21,
}
DECIDED_CALL = {
    "funder": LOCALGOV_DIGITAL,
    "title": "Reuse fund 2026",
    "summary": "Up to £50,000 for a council to take on a product another council built.",
    "description": "For councils adopting or extending a product another council made, with "
    "that council as a partner.",
    "budget": 100_000_00,
    "max_award": 50_000_00,
    "min_partners": 1,
    "nations": [],
    "phases": [],
    "commitments": [],
    "questions": [
        {"text": "What will you reuse, and what will you add?", "word_limit": 250},
        {"text": "Who else will benefit?", "word_limit": 150},
    ],
    "criteria": [
        {"title": "Reuse by other councils", "weight": 50},
        {"title": "Value for money", "weight": 50},
    ],
    "opens": -58,
    "closes": -25,
    "decision": -10,
}
UPCOMING_CALL = {
    "funder": WELSH_GOVERNMENT,
    "title": "Digital discovery fund for Welsh councils",
    "summary": "Up to £60,000 for a discovery by Welsh councils, with services in Welsh and "
    "English from the start.",
    "description": "",
    "budget": 500_000_00,
    "max_award": 60_000_00,
    "min_partners": 1,
    "nations": [Nation.WALES],
    "phases": [Phase.DISCOVERY],
    "commitments": [],
    "questions": [
        {"text": "What will you find out, and for whom?", "word_limit": 300},
        {"text": "How will the service work in Welsh?", "word_limit": 200},
    ],
    "criteria": [
        {"title": "Need", "weight": 50},
        {"title": "Welsh language by design", "weight": 30},
        {"title": "Collaboration", "weight": 20},
    ],
    "opens": 14,
    "closes": 70,
    "decision": 100,
}

# The bids. "answers": how many of the call's questions are answered; "partners": (council
# code, confirmed?); "stage": where the bid stops. "day": when it was started.
OPEN_BIDS = [
    {
        # A draft: started, not finished (the live check lists what is missing).
        "project": "Blue Badge renewals",
        "day": -6,
        "summary": "A discovery into renewing a Blue Badge without sending the same evidence "
        "again.",
        "amount": None,
        "answers": 1,
        "partners": [],
        "stage": "draft",
    },
    {
        # Complete, one partner confirmed, the other (Leeds) still to confirm.
        "project": "Council tax single person discount review",
        "day": -10,
        "summary": "Manchester, Sheffield and Leeds find out how to review single person "
        "discounts fairly, without letters that frighten people who are entitled to them.",
        "amount": 65_000_00,
        "answers": 3,
        "partners": [("SHF", True), ("LDS", False)],
        "stage": "draft",
    },
    {
        "project": "Free school meals auto-enrolment",
        "day": -12,
        "phase": Phase.DISCOVERY,
        "summary": "A discovery into how other councils can enrol children for free school "
        "meals from the benefits data they already hold, as Manchester does.",
        "amount": 78_500_00,
        "answers": 3,
        "partners": [("HCK", True), ("SHF", True)],
        "stage": "submitted",
    },
    {
        "project": "Comment on a planning application",
        "day": -13,
        "phase": Phase.DISCOVERY,
        "summary": "A discovery into what planning officers need from residents' comments.",
        "amount": 60_000_00,
        "answers": 3,
        "partners": [("KEN", True), ("MAN", True)],
        "stage": "withdrawn",
        "withdrawn": "The alpha is now paid for from our own budget; we are leaving the money "
        "for other councils.",
    },
]
CLOSED_BIDS = [
    {
        "project": "Book a bulky waste collection",
        "day": -40,
        "summary": "Take the bulky waste service from private beta to a public beta run by "
        "Hackney, Leeds and Manchester.",
        "amount": 120_000_00,
        "answers": 3,
        "partners": [("LDS", True), ("MAN", True)],
        "stage": "submitted",
    },
    {
        "project": "School admissions appeal form",
        "day": -30,
        "summary": "A public beta of the appeal form with Hackney and Cornwall's admissions teams.",
        "amount": 95_000_00,
        "answers": 3,
        "partners": [("HCK", True), ("CON", True)],
        "stage": "submitted",
    },
    {
        "project": "Adult social care financial assessment calculator",
        "day": -20,
        "summary": "An alpha of the care cost calculator, tested with families in Sheffield, "
        "Manchester and Leeds.",
        "amount": 70_000_00,
        "answers": 3,
        "partners": [("MAN", True), ("LDS", True)],
        "stage": "submitted",
    },
]
DECIDED_BIDS = [
    {
        "project": "Trwyddedau parcio i breswylwyr",
        "day": -52,
        "summary": "Cardiff's parking permits service, extended for Edinburgh's visitor permits.",
        "amount": 45_000_00,
        "answers": 2,
        "partners": [("EDH", True)],
        "stage": "submitted",
    },
    {
        "project": "Report a pothole with a photo",
        "day": -50,
        "summary": "Belfast's pothole reporting, taken on by Kent for its rural roads.",
        "amount": 50_000_00,
        "answers": 2,
        "partners": [("KEN", True)],
        "stage": "submitted",
    },
]
# (bid's project, assessor, {criterion position: score} or a conflict's reason, submitted?)
CLOSED_SCORES = [
    ("Book a bulky waste collection", ASSESSOR, {1: 4, 2: 3, 3: 3}, True),
    ("School admissions appeal form", ASSESSOR, {1: 3, 2: 3, 3: 2}, True),
    ("Adult social care financial assessment calculator", ASSESSOR, {1: 3}, False),
    ("Book a bulky waste collection", SECOND_ASSESSOR, {1: 3, 2: 4, 3: 2}, True),
    (
        "Adult social care financial assessment calculator",
        SECOND_ASSESSOR,
        {1: 4, 2: 3, 3: 3},
        True,
    ),
    (
        "School admissions appeal form",
        SECOND_ASSESSOR,
        "My partner works in Kent County Council's admissions team.",
        False,
    ),
]
CLOSED_SHORTLIST = [
    "Book a bulky waste collection",
    "Adult social care financial assessment calculator",
]
DECIDED_SCORES = [
    ("Trwyddedau parcio i breswylwyr", ASSESSOR, {1: 4, 2: 3}, True),
    ("Report a pothole with a photo", ASSESSOR, {1: 2, 2: 2}, True),
]
# (bid's project, outcome, award in pence, feedback)
DECISIONS = [
    (
        "Trwyddedau parcio i breswylwyr",
        DecisionOutcome.FUND,
        40_000_00,
        "A clear plan for reuse, with Edinburgh ready to run it. We have funded £40,000: the "
        "hosting costs in year two should come from the councils.",
    ),
    (
        "Report a pothole with a photo",
        DecisionOutcome.NOT_FUND,
        None,
        "A good service, but the bid did not show how Kent's inspectors would use the reports. "
        "We would welcome a new bid once Kent has tested it with them.",
    ),
]


def _noon() -> datetime.datetime:
    return timezone.localtime(timezone.now()).replace(hour=12, minute=0, second=0, microsecond=0)


def _people() -> dict[str, User]:
    """The funders' people, made together on a database that has none of them (as the
    councils' people are: one missing on a loaded database changed their address)."""
    make = not any(demo_person(email) for email, *_rest in PEOPLE)
    return {person[0]: _person(*person, make=make) for person in PEOPLE}


def _funders(organiser: User) -> dict[str, Funder]:
    found = {}
    for slug, (name, name_cy, kind, website, domains, about) in FUNDERS.items():
        funder = Funder.objects.filter(slug=slug).first()
        if funder is None:
            funder = funders.funder_save(
                actor=organiser,
                name=name,
                name_cy=name_cy,
                slug=slug,
                kind=kind,
                website=website,
                description=about,
                domains=domains,
            )
        found[slug] = funder
    return found


def _members(organiser: User, people: dict[str, User], found: dict[str, Funder]) -> None:
    """Each person asks to join (their address is not at the funder's domain, so they wait),
    an organiser approves them and gives them their role. Once: a membership that ended or
    changed since is kept as it is."""
    for person, slug, role in MEMBERS:
        user, funder = people[person[0]], found[slug]
        if user is None or FunderMembership.objects.filter(user=user, funder=funder).exists():
            continue
        membership = funders.funder_join(user=user, funder=funder)
        membership = funders.funder_membership_approve(actor=organiser, membership=membership)
        funders.funder_membership_set_role(actor=organiser, membership=membership, role=role)


def _commitments() -> None:
    declaration = Commitment.objects.filter(slug=DECLARATION).first()
    if declaration is None:  # removed by an organiser: nothing to sign
        return
    for code, signed_on in SIGNED:
        council = Council.objects.get(code=code)
        if CouncilCommitment.objects.filter(council=council, commitment=declaration).exists():
            continue
        council_commitment_record(
            actor=_person_for(code),
            council=council,
            commitment=declaration,
            signed_on=signed_on,
        )


def _call(spec: dict, *, found: dict[str, Funder], admin: User, noon) -> Call | None:
    """The call, drafted and published by the funder's admin before it opens (or at once, for
    one that opens in the future). None if it was made before: its bids are then left alone."""
    if Call.objects.filter(slug=slugify(spec["title"])).exists():
        return None
    opens = noon + datetime.timedelta(days=spec["opens"])
    fields = {
        "title": spec["title"],
        "summary": spec["summary"],
        "description": spec["description"],
        "budget": spec["budget"],
        "max_award": spec["max_award"],
        "opens_at": opens,
        "closes_at": noon + datetime.timedelta(days=spec["closes"]),
        "decision_expected_on": (noon + datetime.timedelta(days=spec["decision"])).date(),
        "min_partners": spec["min_partners"],
        "nations": spec["nations"],
        "phases": spec["phases"],
        "required_commitments": list(Commitment.objects.filter(slug__in=spec["commitments"])),
    }
    with _at(min(opens, noon) - datetime.timedelta(days=7)):
        call = calls.call_create(
            actor=admin,
            funder=found[spec["funder"]],
            fields=fields,
            questions=spec["questions"],
            criteria=spec["criteria"],
        )
        return calls.call_publish(actor=admin, call=call)


def _bid(call: Call, spec: dict, noon) -> Application | None:
    """One bid as its lead council's officers make it: started by the project's owner, filled
    in, partner councils invited and (some) confirming, then submitted or withdrawn by the
    owner (a council admin, so with authority). Skipped if the project cannot apply."""
    project = demo_project(spec["project"])
    if project is None or project.state not in APPLYING_PROJECT_STATES or project.is_hidden:
        return None
    owner = project.owner
    day = noon + datetime.timedelta(days=spec["day"])
    with _at(day):
        application = bids.application_start(actor=owner, call=call, project=project)
        questions = list(call.questions.order_by("position"))[: spec["answers"]]
        bids.application_update(
            actor=owner,
            application=application,
            summary=spec["summary"],
            amount_requested=spec["amount"],
            phase=spec.get("phase"),
            answers={q.pk: _answer(q.text, project.title) for q in questions},
        )
    for n, (code, confirmed) in enumerate(spec["partners"], 1):
        council = Council.objects.get(code=code)
        with _at(day + datetime.timedelta(hours=n)):
            partner = partners.partner_invite(
                actor=owner,
                application=application,
                council=council,
                contribution="User research with our residents and a product owner one day a week.",
                message="Would you join our bid? We would value your team's experience.",
            )
        if confirmed:
            with _at(day + datetime.timedelta(days=2, hours=n)):
                partners.partner_accept(
                    actor=_person_for(code),
                    partner=partner,
                    contribution="User research with our residents and a product owner one day "
                    "a week.",
                )
    if spec["stage"] in ("submitted", "withdrawn"):
        with _at(day + datetime.timedelta(days=4)):
            application = bids.application_submit(actor=owner, application=application)
    if spec["stage"] == "withdrawn":
        with _at(day + datetime.timedelta(days=6)):
            application = bids.application_withdraw(
                actor=owner, application=application, reason=spec["withdrawn"]
            )
    return application


def _answer(question: str, project: str) -> str:
    return (
        f"{project}: our answer to “{question}” draws on our discovery notes, the numbers from "
        "our contact centre and what residents told us in research sessions."
    )


def _bids(call: Call, specs: list[dict], noon) -> dict[str, Application]:
    made = {}
    for spec in specs:
        application = _bid(call, spec, noon)
        if application is not None:
            made[spec["project"]] = application
    return made


def _score(made: dict[str, Application], rows: list, people: dict[str, User], when) -> None:
    for n, (title, person, scores, submit) in enumerate(rows):
        application, user = made.get(title), people[person[0]]
        if application is None or user is None:
            continue
        with _at(when + datetime.timedelta(hours=n)):
            if isinstance(scores, str):
                assessment.assessment_declare_conflict(
                    actor=user, application=application, reason=scores
                )
                continue
            criteria = {c.position: c.pk for c in application.call.criteria.all()}
            assessment.assessment_save(
                actor=user,
                application=application,
                scores={
                    criteria[position]: (score, "Clear evidence from the council's research.")
                    for position, score in scores.items()
                },
                submit=submit,
            )


@transaction.atomic
def load() -> None:
    organiser = demo_person(ORGANISER[0])
    if organiser is None:
        return
    people = _people()
    found = _funders(organiser)
    _members(organiser, people, found)
    demo_councils.enrol_privileged()  # the funders' admins, assessors and moderators
    _commitments()
    people = {email: demo_person(email) for email, *_rest in PEOPLE}  # with their new factor
    noon = _noon()
    admins = {
        LOCAL_DIGITAL: people[FUNDER_ADMIN[0]],
        LOCALGOV_DIGITAL: people[LOCALGOV_ADMIN[0]],
        WELSH_GOVERNMENT: people[WELSH_ADMIN[0]],
    }
    admins = {slug: user or organiser for slug, user in admins.items()}

    def make(spec: dict) -> Call | None:
        return _call(spec, found=found, admin=admins[spec["funder"]], noon=noon)

    # Open: a bid at every stage before the call closes.
    call = make(OPEN_CALL)
    if call is not None:
        _bids(call, OPEN_BIDS, noon)

    # Closed a week ago: scored, one conflict of interest, two on the shortlist.
    call = make(CLOSED_CALL)
    if call is not None:
        made = _bids(call, CLOSED_BIDS, noon)
        _score(made, CLOSED_SCORES, people, noon + datetime.timedelta(days=-5))
        moderator = people[MODERATOR[0]] or organiser
        with _at(noon + datetime.timedelta(days=-2)):
            for title in CLOSED_SHORTLIST:
                if title in made:
                    assessment.application_shortlist(
                        actor=moderator, application=made[title], shortlisted=True
                    )

    # Decided: scored, shortlisted, decided and published months ago.
    call = make(DECIDED_CALL)
    if call is not None:
        made = _bids(call, DECIDED_BIDS, noon)
        closed = noon + datetime.timedelta(days=DECIDED_CALL["closes"])
        _score(made, DECIDED_SCORES, people, closed + datetime.timedelta(days=3))
        moderator = admins[LOCALGOV_DIGITAL]
        if len(made) == len(DECIDED_BIDS):
            with _at(closed + datetime.timedelta(days=10)):
                for title, outcome, award, feedback in DECISIONS:
                    if outcome == DecisionOutcome.FUND:
                        assessment.application_shortlist(
                            actor=moderator, application=made[title], shortlisted=True
                        )
                    assessment.application_decide(
                        actor=moderator,
                        application=made[title],
                        outcome=outcome,
                        award_amount=award,
                        feedback=feedback,
                    )
            with _at(closed + datetime.timedelta(days=15)):
                assessment.call_publish_decisions(actor=moderator, call=made[DECISIONS[0][0]].call)

    # Opens in two weeks: on the calls page as coming soon.
    make(UPCOMING_CALL)
