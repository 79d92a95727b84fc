"""Demo projects for ``make run``, made through the services so the ledger is real. Idempotent."""

import datetime
from unittest import mock

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from councils.models import Council
from demo.councils import NEWCOMER, ORGANISER, PEOPLE, demo_person
from projects import services
from projects.models import Kind, Language, Need, Project, ServiceArea, State

AREAS = [
    ("Waste and recycling", "Gwastraff ac ailgylchu", "waste-and-recycling"),
    ("Planning", "Cynllunio", "planning"),
    ("Council tax", "Treth gyngor", "council-tax"),
    ("School admissions", "Derbyn i ysgolion", "school-admissions"),
    ("Adult social care", "Gofal cymdeithasol oedolion", "adult-social-care"),
    ("Housing", "Tai", "housing"),
    ("Parking", "Parcio", "parking"),
    ("Libraries", "Llyfrgelloedd", "libraries"),
    ("Highways", "Priffyrdd", "highways"),
    ("Benefits", "Budd-daliadau", "benefits"),
    ("Licensing", "Trwyddedu", "licensing"),
    ("Registration services", "Gwasanaethau cofrestru", "registration-services"),
]

# Pledges: (council code, kind, amount in pence or half-days, need index or None, final state)
PROJECTS = [
    {
        "title": "Book a bulky waste collection",
        "featured": True,
        "lead": "HCK",
        "phase": "beta",
        "state": State.IN_DELIVERY,
        "areas": ["waste-and-recycling"],
        "summary": "Residents book and pay for a bulky waste collection online in under five minutes, with slots taken straight from the crews' rounds.",
        "description": "Most councils still take bulky waste bookings by phone. This service lets residents choose items, see the price, pick a slot and pay, and gives crews a clean list for each round.\n\n- Works on a phone\n- Takes card payments through GOV.UK Pay\n- Exports rounds to the common fleet systems",
        "problem": "Phone bookings cost about £8 each to handle and one in five collections fails because the items were described wrongly.",
        "users": "Residents clearing a home, often older people or landlords; contact centre staff; collection crews.",
        "outcomes": "Fewer calls, fewer failed collections, and one product that any council can run.",
        "needs": [
            (Kind.MONEY, 6_000_000, "", "Hosting and payments for two years"),
            (Kind.TIME, 80, "developer", ""),
            (Kind.TIME, 30, "user_researcher", ""),
        ],
        "pledges": [
            ("LDS", Kind.MONEY, 1_500_000, 0, "fulfilled"),
            ("CRF", Kind.TIME, 20, 1, "accepted"),
            ("MAN", Kind.MONEY, 1_000_000, 0, "accepted"),
            ("BST", Kind.TIME, 10, 2, "offered"),
            ("KEN", Kind.MONEY, 500_000, 0, "declined"),
        ],
        "deadline": 60,
        "target": 5,
        "code": "https://github.com/hackney/bulky-waste",
        "licence": "MIT",
        "days_ago": 200,
    },
    {
        "title": "Comment on a planning application",
        "featured": True,
        "lead": "LDS",
        "phase": "alpha",
        "state": State.SEEKING_SUPPORT,
        "areas": ["planning"],
        "summary": "A clear, accessible way for residents to find a planning application near them and leave a comment the planning officer can use.",
        "description": "We are testing a map-first search and a structured comment form that tells people which comments planning officers can take into account.",
        "problem": "Comments arrive by email and letter in every format; many cannot be considered because they are about matters outside planning law.",
        "users": "Neighbours of a development, community groups, planning officers.",
        "outcomes": "More useful comments, less time sorting them.",
        # The designer days are for beta ("committed for a later phase" in the portfolios).
        "needs": [
            (Kind.MONEY, 4_000_000, "", ""),
            (Kind.TIME, 40, "designer", "", "beta"),
            (Kind.TIME, 40, "content_designer", ""),
        ],
        "pledges": [
            ("BST", Kind.TIME, 20, 1, "accepted"),
            ("EDH", Kind.MONEY, 750_000, 0, "offered"),
            ("CON", Kind.TIME, 10, 2, "withdrawn"),
        ],
        "deadline": 45,
        "target": 4,
        "licence": "OGL-UK-3.0",
        "days_ago": 90,
    },
    {
        "title": "Council tax single person discount review",
        "lead": "MAN",
        "phase": "discovery",
        "state": State.SEEKING_SUPPORT,
        "areas": ["council-tax"],
        "summary": "Finding out how councils can check single person discounts fairly, without sending letters that frighten people who are entitled to them.",
        "problem": "Reviews by letter bring in high call volumes and many wrong cancellations.",
        "users": "Council tax payers living alone; revenues teams.",
        "needs": [(Kind.TIME, 30, "user_researcher", ""), (Kind.TIME, 20, "data_analyst", "")],
        "pledges": [("SHF", Kind.TIME, 10, 1, "offered"), ("LDS", Kind.TIME, 6, 0, "accepted")],
        "deadline": 30,
        "target": 3,
        "days_ago": 40,
    },
    {
        "title": "School admissions appeal form",
        "lead": "KEN",
        "phase": "beta",
        "state": State.SEEKING_SUPPORT,
        "areas": ["school-admissions"],
        "summary": "An online appeal form for school places that explains the process and collects evidence in the shape appeal panels need.",
        "problem": "Parents find appeals confusing and panels get evidence in many formats.",
        "users": "Parents and carers appealing a school place decision; clerks to appeal panels.",
        "needs": [(Kind.MONEY, 2_500_000, "", ""), (Kind.TIME, 20, "developer", "")],
        "pledges": [
            ("HCK", Kind.MONEY, 500_000, 0, "accepted"),
            ("CON", Kind.MONEY, 250_000, 0, "offered"),
        ],
        "deadline": 20,
        "target": 3,
        "licence": "MIT",
        "days_ago": 70,
    },
    {
        "title": "Adult social care financial assessment calculator",
        "lead": "SHF",
        "phase": "alpha",
        "state": State.SEEKING_SUPPORT,
        "areas": ["adult-social-care"],
        "summary": "Helps people and their families estimate what they might pay toward care before a formal financial assessment.",
        "problem": "Families wait weeks for an assessment to learn roughly what care will cost.",
        "users": "People needing care and their families; financial assessment officers.",
        "needs": [
            (Kind.MONEY, 3_000_000, "", "Building the calculator in beta", "beta"),
            (Kind.TIME, 20, "product_manager", ""),
        ],
        "pledges": [
            ("MAN", Kind.MONEY, 1_000_000, 0, "accepted"),
            ("BFS", Kind.MONEY, 400_000, 0, "offered"),
        ],
        "deadline": 90,
        "target": 4,
        "days_ago": 55,
    },
    {
        "title": "Report a housing repair",
        "lead": "BST",
        "phase": "live",
        "state": State.COMPLETED,
        "areas": ["housing"],
        "summary": "Tenants report a repair with photos, choose an appointment and follow progress, on a product now run by four councils.",
        "problem": "Repairs reported by phone are often misdiagnosed, needing a second visit.",
        "users": "Council tenants; repairs call handlers; trades operatives.",
        "needs": [(Kind.MONEY, 5_000_000, "", ""), (Kind.TIME, 60, "developer", "")],
        "pledges": [
            ("HCK", Kind.MONEY, 2_000_000, 0, "fulfilled"),
            ("LDS", Kind.MONEY, 1_500_000, 0, "fulfilled"),
            ("SHF", Kind.TIME, 40, 1, "fulfilled"),
            ("KEN", Kind.MONEY, 300_000, 0, "withdrawn"),
        ],
        "target": 3,
        "code": "https://github.com/bristol/housing-repairs",
        "licence": "MIT",
        "days_ago": 420,
    },
    {
        # Cardiff's team writes this one in Welsh (language of parts: marked lang="cy").
        "title": "Trwyddedau parcio i breswylwyr",
        "featured": True,
        "language": Language.WELSH,
        "lead": "CRF",
        "phase": "beta",
        "state": State.IN_DELIVERY,
        "areas": ["parking"],
        "summary": "Gwneud cais am drwydded barcio i breswylwyr neu ymwelwyr, ei hadnewyddu neu ei newid ar-lein, yn Gymraeg ac yn Saesneg.",
        "problem": "Trwyddedau papur a gwiriadau â llaw o brawf cyfeiriad.",
        "users": "Preswylwyr, eu hymwelwyr, a swyddogion gorfodi parcio.",
        "needs": [
            (Kind.MONEY, 3_500_000, "", ""),
            (Kind.TIME, 30, "content_designer", "Cynnwys dwyieithog"),
        ],
        "pledges": [
            ("GWN", Kind.TIME, 15, 1, "accepted"),
            ("EDH", Kind.MONEY, 800_000, 0, "accepted"),
            ("BFS", Kind.MONEY, 300_000, 0, "offered"),
        ],
        "deadline": 75,
        "target": 4,
        "licence": "OGL-UK-3.0",
        "days_ago": 150,
    },
    {
        "title": "Join the library and borrow e-books",
        "lead": "EDH",
        "phase": "discovery",
        "state": State.SEEKING_SUPPORT,
        "areas": ["libraries"],
        "summary": "Let people join the library online and start borrowing e-books the same day, without a visit.",
        "problem": "Joining needs a visit with proof of address, so e-book lending is out of reach for many.",
        "users": "New residents, housebound readers, library staff.",
        "needs": [(Kind.TIME, 20, "user_researcher", ""), (Kind.MONEY, 1_000_000, "", "")],
        "pledges": [("CRF", Kind.TIME, 8, 0, "offered")],
        "deadline": 50,
        "target": 3,
        "days_ago": 20,
    },
    {
        "title": "Blue Badge renewals",
        "lead": "CON",
        "phase": "idea",
        "state": State.SEEKING_SUPPORT,
        "areas": ["parking", "adult-social-care"],
        "summary": "An idea: renew a Blue Badge without sending the same evidence again when nothing has changed.",
        "problem": "Renewals ask for evidence the council already holds.",
        "users": "Disabled people and their carers; Blue Badge teams.",
        "needs": [(Kind.TIME, 20, "service_owner", "")],
        "pledges": [],
        "target": 2,
        "days_ago": 10,
    },
    {
        # Gwynedd works in Welsh first.
        "title": "Rhoi gwybod am fin heb ei gasglu",
        "language": Language.WELSH,
        "lead": "GWN",
        "phase": "live",
        "state": State.IN_DELIVERY,
        "areas": ["waste-and-recycling"],
        "summary": "Rhoi gwybod yn Gymraeg neu'n Saesneg am fin na chafodd ei gasglu, wedi'i wirio yn erbyn cofnodion y criwiau yn y cerbyd.",
        "problem": "Mae llawer o adroddiadau am finiau a roddwyd allan yn hwyr; mae'r criwiau eisoes yn cofnodi hyn yn y cerbyd.",
        "users": "Preswylwyr; criwiau gwastraff; staff y ganolfan gyswllt.",
        "needs": [(Kind.TIME, 40, "developer", ""), (Kind.MONEY, 1_500_000, "", "")],
        "pledges": [
            ("CRF", Kind.TIME, 20, 0, "fulfilled"),
            ("HCK", Kind.MONEY, 500_000, 1, "accepted"),
        ],
        "licence": "MIT",
        "days_ago": 300,
    },
    {
        "title": "Report a pothole with a photo",
        "lead": "BFS",
        "phase": "beta",
        "state": State.SEEKING_SUPPORT,
        "areas": ["highways"],
        "summary": "Pin a pothole on a map, add a photo and get updates until it is fixed.",
        "problem": "Duplicate reports and reports without a location waste inspectors' time.",
        "users": "Drivers, cyclists and walkers; highways inspectors.",
        "needs": [(Kind.MONEY, 2_000_000, "", ""), (Kind.TIME, 10, "data_analyst", "")],
        "pledges": [
            ("KEN", Kind.MONEY, 600_000, 0, "accepted"),
            ("MAN", Kind.TIME, 4, 1, "declined"),
        ],
        "deadline": 35,
        "target": 3,
        "days_ago": 60,
        "featured": True,
    },
    {
        "title": "Free school meals auto-enrolment",
        "lead": "MAN",
        "phase": "alpha",
        "state": State.IN_DELIVERY,
        "areas": ["benefits", "school-admissions"],
        "summary": "Enrol eligible children for free school meals automatically using benefits data the council already holds.",
        "problem": "Thousands of eligible children miss out because families never apply.",
        "users": "Families on low incomes; schools; benefits teams.",
        "needs": [(Kind.TIME, 40, "data_analyst", ""), (Kind.MONEY, 2_000_000, "", "")],
        "pledges": [
            ("LDS", Kind.TIME, 20, 0, "accepted"),
            ("SHF", Kind.MONEY, 700_000, 1, "fulfilled"),
            ("BST", Kind.MONEY, 250_000, 1, "offered"),
        ],
        "target": 4,
        "days_ago": 120,
        "featured": True,
    },
    {
        "title": "Book a birth registration appointment",
        "lead": "CON",
        "phase": "discovery",
        "state": State.CLOSED,
        "areas": ["registration-services"],
        "summary": "Closed: the national booking service now covers this need.",
        "problem": "Appointments were booked by phone only.",
        "users": "New parents; registrars.",
        "needs": [(Kind.TIME, 10, "user_researcher", "")],
        "pledges": [("HCK", Kind.TIME, 4, 0, "withdrawn")],
        "days_ago": 250,
    },
    {
        "title": "Garden waste subscriptions",
        "lead": "BST",
        "phase": "retired",
        "state": State.COMPLETED,
        "areas": ["waste-and-recycling"],
        "summary": "Subscribe to garden waste collections and pay once a year. Retired in favour of the bulky waste platform.",
        "problem": "Annual renewals were handled on paper.",
        "users": "Residents with gardens; waste teams.",
        "needs": [(Kind.MONEY, 1_000_000, "", "")],
        "pledges": [
            ("LDS", Kind.MONEY, 500_000, 0, "fulfilled"),
            ("KEN", Kind.MONEY, 500_000, 0, "fulfilled"),
        ],
        "days_ago": 700,
    },
    {
        "title": "Taxi driver licence renewals",
        "lead": "SHF",
        "phase": "idea",
        "state": State.DRAFT,
        "areas": ["licensing"],
        "summary": "A draft idea: renew a taxi driver licence online with checks done in the background.",
        "problem": "Renewals need two visits to the council offices.",
        "users": "Taxi and private hire drivers; licensing officers.",
        "needs": [(Kind.TIME, 10, "service_owner", "")],
        "pledges": [],
        "days_ago": 3,
    },
]

FINAL = {
    "offered": [],
    "accepted": ["accept"],
    "declined": ["decline"],
    "fulfilled": ["accept", "fulfil"],
    "withdrawn": ["withdraw"],
}


def _person_for(code: str) -> User:
    return demo_person(next(p[0] for p in PEOPLE if p[4] == code))


def _at(moment: datetime.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


# Demo projects first loaded in English and now written in Welsh: {former title: new title}.
NOW_IN_WELSH = {
    "Resident parking permits": "Trwyddedau parcio i breswylwyr",
    "Report a missed bin": "Rhoi gwybod am fin heb ei gasglu",
}


def _slugs(title: str) -> list[str]:
    """Addresses a demo project may have: a project's address never changes, so it is found
    there whatever its team has retitled it since (or under its English title's address)."""
    return [
        slugify(name)[:120]
        for name in (title, *NOW_IN_WELSH)
        if name == title or NOW_IN_WELSH[name] == title
    ]


def demo_project(title: str) -> Project | None:
    return Project.objects.filter(slug__in=_slugs(title)).select_related("owner").first()


NOW_IN_WELSH_TEXT = {
    "Bilingual content": "Cynnwys dwyieithog",
    "Welsh content reviewed": "Cynnwys Cymraeg wedi'i adolygu",
    "Gwynedd's content designer reviewed every page in Welsh. Thank you!": (
        "Adolygodd dylunydd cynnwys Gwynedd bob tudalen yn Gymraeg. Diolch!"
    ),
}


def _welsh_in_place() -> None:
    """A demo database loaded before these projects were in Welsh gets them in Welsh, rather
    than a second copy of each (the address of each stays as it was)."""
    from projects.models import Update

    specs = {spec["title"]: spec for spec in PROJECTS}
    for former, title in NOW_IN_WELSH.items():
        project = Project.objects.filter(title=former).first()
        if project is None or Project.objects.filter(title=title).exists():
            continue
        spec = specs[title]
        services.project_update(
            actor=project.owner,
            project=project,
            title=title,
            language=spec["language"],
            summary=spec["summary"],
            problem=spec["problem"],
            users=spec["users"],
        )
        for english, welsh in NOW_IN_WELSH_TEXT.items():
            Need.objects.filter(project=project, description=english).update(description=welsh)
            Update.objects.filter(project=project, title=english).update(title=welsh)
            Update.objects.filter(project=project, body=english).update(body=welsh)


@transaction.atomic
def load() -> None:
    for name, name_cy, slug in AREAS:
        ServiceArea.objects.get_or_create(slug=slug, defaults={"name": name, "name_cy": name_cy})
    today = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    _welsh_in_place()
    for spec in PROJECTS:
        if demo_project(spec["title"]) is not None:
            continue
        lead = Council.objects.get(code=spec["lead"])
        owner = _person_for(spec["lead"])
        start = today - datetime.timedelta(days=spec["days_ago"])
        with _at(start):
            project = services.project_create(
                actor=owner,
                lead_council=lead,
                title=spec["title"],
                summary=spec["summary"],
                description=spec.get("description", ""),
                language=spec.get("language", Language.ENGLISH),
                service_areas=ServiceArea.objects.filter(slug__in=spec["areas"]),
            )
            services.project_update(
                actor=owner,
                project=project,
                problem=spec.get("problem", ""),
                users=spec.get("users", ""),
                outcomes=spec.get("outcomes", ""),
                partner_target=spec.get("target"),
                code_url=spec.get("code", ""),
                licence=spec.get("licence", ""),
            )
            needs = [
                services.need_add(
                    actor=owner,
                    project=project,
                    kind=kind,
                    amount=amount,
                    role=role,
                    description=description,
                    phase=phase[0] if phase else "",  # a need for a later phase
                )
                for kind, amount, role, description, *phase in spec["needs"]
            ]
        if spec["state"] == State.DRAFT:
            continue
        with _at(start + datetime.timedelta(days=1)):
            services.project_set_state(actor=owner, project=project, state=State.SEEKING_SUPPORT)
        span = max(spec["days_ago"] - 2, 1)
        for n, (code, kind, amount, need_index, final) in enumerate(spec["pledges"]):
            offered_at = start + datetime.timedelta(days=2 + span * n // (len(spec["pledges"]) + 1))
            pledger = _person_for(code)
            with _at(offered_at):
                pledge = services.pledge_offer(
                    actor=pledger,
                    project=project,
                    council=Council.objects.get(code=code),
                    kind=kind,
                    amount=amount,
                    need=needs[need_index] if need_index is not None else None,
                    note="Agreed at our digital board.",
                )
            for step, action in enumerate(FINAL[final], start=1):
                with _at(offered_at + datetime.timedelta(days=3 * step)):
                    if action == "withdraw":
                        services.pledge_withdraw(
                            actor=pledger, pledge=pledge, reason="Our budget was cut this year."
                        )
                    else:
                        getattr(services, f"pledge_{action}")(
                            actor=owner, pledge=pledge, note="Thank you!"
                        )
        with _at(start + datetime.timedelta(days=span)):
            for phase in ("discovery", "alpha", "beta", "live", "retired"):
                if project.phase == spec["phase"]:
                    break
                project = services.project_set_phase(actor=owner, project=project, phase=phase)
            if spec["state"] == State.IN_DELIVERY:
                services.project_set_state(actor=owner, project=project, state=State.IN_DELIVERY)
            elif spec["state"] == State.COMPLETED:
                services.project_set_state(actor=owner, project=project, state=State.IN_DELIVERY)
                services.project_set_state(actor=owner, project=project, state=State.COMPLETED)
            elif spec["state"] == State.CLOSED:
                services.project_set_state(actor=owner, project=project, state=State.CLOSED)
        if spec.get("deadline"):
            Project.objects.filter(pk=project.pk).update(
                pledging_deadline=timezone.localdate() + datetime.timedelta(days=spec["deadline"])
            )
        if spec.get("featured"):
            # Once, when it is made: an organiser who unfeatures it later is not overruled.
            services.project_feature(actor=demo_person(ORGANISER[0]), project=project)


# Teams, updates, follows, adoptions and demand, on top of the projects above.
TEAMS = [
    ("Book a bulky waste collection", "tom.price@example.com", "HCK", "designer", True),
    ("Book a bulky waste collection", "dan.wright@example.com", "BST", "developer", True),
    ("Book a bulky waste collection", "gwen.jones@example.com", "GWN", "user_researcher", False),
    ("Trwyddedau parcio i breswylwyr", "gwen.jones@example.com", "GWN", "content_designer", True),
    ("Comment on a planning application", "dan.wright@example.com", "BST", "developer", True),
]
UPDATES = [
    (
        "Book a bulky waste collection",
        20,
        "Private beta with 200 residents",
        "We opened bookings to 200 residents in two wards. 94% finished a booking without calling us.\n\nNext: payments through GOV.UK Pay.",
        "beta",
    ),
    (
        "Book a bulky waste collection",
        5,
        "Crews now get rounds from the service",
        "Round sheets are generated every night and sent to the in-cab devices. No more retyping.",
    ),
    (
        "Trwyddedau parcio i breswylwyr",
        30,
        "Cynnwys Cymraeg wedi'i adolygu",
        "Adolygodd dylunydd cynnwys Gwynedd bob tudalen yn Gymraeg. Diolch!",
    ),
    (
        "Comment on a planning application",
        100,
        "Prototype tested with neighbours",
        "Eight residents used the prototype. The map search worked; the comment guidance needs plainer words.",
    ),
]
FOLLOWS = [
    ("fraser.mackay@example.com", "Book a bulky waste collection"),
    ("omar.hussain@example.com", "Book a bulky waste collection"),
    ("newcomer@example.com", "Trwyddedau parcio i breswylwyr"),
    ("siobhan.kelly@example.com", "Comment on a planning application"),
]
ADOPTIONS = [
    ("Report a housing repair", "KEN", 60),
    ("Rhoi gwybod am fin heb ei gasglu", "CRF", 30),
]
DEMAND = [
    ("Blue Badge renewals", "HCK"),
    ("Blue Badge renewals", "SHF"),
    ("Join the library and borrow e-books", "LDS"),
]
TAG_FOLLOWS = [
    ("amara.okafor@example.com", "waste-and-recycling"),
    ("rhian.evans@example.com", "parking"),
]


@transaction.atomic
def load_people() -> None:
    from projects.models import Adoption, Follow, TagFollow, TeamMembership, Update
    from projects.services import people

    # Once only: the demo's own teams or updates mark a database already loaded (automatic
    # timeline updates of phase and state changes do not count).
    headings = [heading for _title, _days, heading, *_rest in UPDATES]
    if TeamMembership.objects.exists() or Update.objects.filter(title__in=headings).exists():
        return
    projects = {spec["title"]: demo_project(spec["title"]) for spec in PROJECTS}
    users = {email: demo_person(email) for email, *_rest in (*PEOPLE, NEWCOMER)}
    today = timezone.now().replace(hour=9, minute=30, second=0, microsecond=0)
    for title, email, code, role, approve in TEAMS:
        project = projects[title]
        membership = people.team_request_join(
            actor=users[email],
            project=project,
            role=role,
            council=Council.objects.get(code=code),
            message="Happy to help on this.",
        )
        if approve:
            people.team_approve(actor=project.owner, membership=membership)
    for title, days_ago, heading, body, *_phase in UPDATES:
        project = projects[title]
        with _at(today - datetime.timedelta(days=days_ago)):
            people.update_post(actor=project.owner, project=project, title=heading, body=body)
    for email, title in FOLLOWS:
        Follow.objects.get_or_create(user=users[email], project=projects[title])
    for title, code, days_ago in ADOPTIONS:
        project = projects[title]
        Adoption.objects.get_or_create(
            project=project,
            council=Council.objects.get(code=code),
            defaults={
                "adopted_on": timezone.localdate() - datetime.timedelta(days=days_ago),
                "recorded_by": _person_for(code),
                "note": "Running it for our residents too.",
            },
        )
    for title, code in DEMAND:
        people.demand_signal_record(
            actor=_person_for(code), project=projects[title], council=Council.objects.get(code=code)
        )
    for email, slug in TAG_FOLLOWS:
        TagFollow.objects.get_or_create(user=users[email], area=ServiceArea.objects.get(slug=slug))
    # One project left without news for months, so dormancy shows in the demo.
    Project.objects.filter(title="School admissions appeal form").update(
        last_activity_at=today - datetime.timedelta(days=120)
    )
