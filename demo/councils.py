"""Demo councils, people and memberships for ``make run``. Idempotent: safe to run again.

The councils are real (public register facts, bundled in ``demo/data``) so the demo works
without ../shared; the people are invented.
"""

from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from accounts.organisers import organisers_group
from councils.models import Council, CouncilDomain, Membership, MembershipRole, MembershipStatus
from councils.register import import_register, parse_register, parse_welsh_names, read_source

DATA = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "pipeline-demo-2026"  # noqa: S105 - demo data only; load_demo refuses production

# Official email domains of the demo councils (public facts).
DOMAINS = {
    "GRT": "guildford.gov.uk",
    "KEN": "kent.gov.uk",
    "MAN": "manchester.gov.uk",
    "LDS": "leeds.gov.uk",
    "BST": "bristol.gov.uk",
    "HCK": "hackney.gov.uk",
    "CMD": "camden.gov.uk",
    "BIR": "birmingham.gov.uk",
    "CON": "cornwall.gov.uk",
    "NFK": "norfolk.gov.uk",
    "BUC": "buckinghamshire.gov.uk",
    "CRY": "croydon.gov.uk",
    "SKP": "stockport.gov.uk",
    "OXF": "oxfordshire.gov.uk",
    "YOR": "york.gov.uk",
    "BNH": "brighton-hove.gov.uk",
    "SHF": "sheffield.gov.uk",
    "NET": "newcastle.gov.uk",
    "CAB": "cambridge.gov.uk",
    "LIV": "liverpool.gov.uk",
    "EDH": "edinburgh.gov.uk",
    "GLG": "glasgow.gov.uk",
    "ABE": "aberdeencity.gov.uk",
    "FIF": "fife.gov.uk",
    "HLD": "highland.gov.uk",
    "CRF": "cardiff.gov.uk",
    "SWA": "swansea.gov.uk",
    "GWN": "gwynedd.llyw.cymru",
    "MON": "monmouthshire.gov.uk",
    "AGY": "anglesey.gov.wales",
    "BFS": "belfastcity.gov.uk",
    "DRS": "derrystrabane.com",
    "ABC": "armaghbanbridgecraigavon.gov.uk",
    "NYE": "northyorks.gov.uk",
    "LEC": "leics.gov.uk",
    "WAR": "warwickshire.gov.uk",
    "DEV": "devon.gov.uk",
    "SFK": "suffolk.gov.uk",
    "HAM": "hants.gov.uk",
}

# (email, first name, last name, job title, council code, role)
PEOPLE = [
    ("amara.okafor@example.com", "Amara", "Okafor", "Head of Digital", "HCK", "admin"),
    ("tom.price@example.com", "Tom", "Price", "Service Designer", "HCK", "member"),
    ("rhian.evans@example.com", "Rhian", "Evans", "Digital Transformation Lead", "CRF", "admin"),
    ("gwen.jones@example.com", "Gwen", "Jones", "User Researcher", "GWN", "member"),
    ("fraser.mackay@example.com", "Fraser", "MacKay", "Product Manager", "EDH", "admin"),
    ("siobhan.kelly@example.com", "Siobhan", "Kelly", "Finance Business Partner", "BFS", "admin"),
    ("priya.shah@example.com", "Priya", "Shah", "Delivery Manager", "LDS", "admin"),
    ("dan.wright@example.com", "Dan", "Wright", "Developer", "BST", "member"),
    ("helen.carter@example.com", "Helen", "Carter", "Chief Digital Officer", "KEN", "admin"),
    ("omar.hussain@example.com", "Omar", "Hussain", "Data Analyst", "MAN", "admin"),
    ("lucy.trelawny@example.com", "Lucy", "Trelawny", "Content Designer", "CON", "admin"),
    ("mark.ellis@example.com", "Mark", "Ellis", "Service Owner", "SHF", "admin"),
]
ORGANISER = ("organiser@example.com", "Olu", "Adeyemi", "LocalGov Digital organiser")
NEWCOMER = ("newcomer@example.com", "Nia", "Thomas", "Digital Officer")


def demo_person(email: str) -> User | None:
    """The demo person first made with this address, also after they made another primary."""
    return (
        User.objects.filter(email__iexact=email).first()
        or User.objects.filter(emailaddress__email__iexact=email).first()
    )


def _person(email: str, first: str, last: str, job: str, *, make: bool) -> User | None:
    """The demo person with this address, or a new one when ``make``. A person already there is
    left as they are (their name, password and addresses are theirs to change)."""
    user = demo_person(email)
    if user is None and make:
        user = User(email=email, first_name=first, last_name=last, job_title=job)
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if (email, first, last, job) == ORGANISER:
            user.groups.add(organisers_group())
    return user


def _join(user: User, council: Council, **fields) -> None:
    """A demo membership, made once: whatever happened to it since (approved, refused, left,
    another role) is kept."""
    if not Membership.objects.filter(user=user, council=council).exists():
        Membership.objects.create(user=user, council=council, **fields)


@transaction.atomic
def load() -> None:
    rows = parse_register(read_source(str(DATA / "demo_councils.csv")))
    welsh = parse_welsh_names(read_source(str(DATA / "demo_welsh_names.tsv")))
    existing = set(
        Council.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", flat=True)
    )
    # Keep a fuller register (imported from ../shared) as it is; only add what is missing.
    import_register([r for r in rows if r["code"] not in existing], welsh=welsh)
    for code, domain in DOMAINS.items():
        council = Council.objects.get(code=code)
        if not council.website:
            council.website = f"https://www.{domain}"
            council.save(update_fields=["website"])
        CouncilDomain.objects.get_or_create(domain=domain, defaults={"council": council})

    # The people are made together, on a database that has none of them. Where the demo was
    # loaded before, one who is missing changed their address: making them again would make a
    # second Amara Okafor.
    everyone = [ORGANISER, NEWCOMER, *(person[:4] for person in PEOPLE)]
    make = not any(demo_person(email) for email, *_rest in everyone)
    people = {person[0]: _person(*person, make=make) for person in everyone}
    for email, _first, _last, _job, code, role in PEOPLE:
        if people[email] is not None:
            _join(
                people[email],
                Council.objects.get(code=code),
                status=MembershipStatus.VERIFIED,
                role=MembershipRole(role),
                decided_by=people[ORGANISER[0]],
            )
    # One request waiting for a decision, so admins see the approval flow.
    if people[NEWCOMER[0]] is not None:
        _join(
            people[NEWCOMER[0]],
            Council.objects.get(code="HCK"),
            status=MembershipStatus.PENDING,
            message="I joined the digital team last month.",
        )
    enrol_privileged()


def enrol_privileged() -> list[User]:
    """Organisers, council admins and approvers need two-factor authentication before they use
    those powers, as do funders' admins, assessors and moderators: give each demo one an
    authenticator app (a random secret of their own), so someone trying the demo signs in with
    ``manage.py demo_code <email>`` for the code. People who set one up themselves keep theirs."""
    privileged = (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups=organisers_group())
            | Q(
                memberships__status=MembershipStatus.VERIFIED,
                memberships__role__in=[MembershipRole.ADMIN, MembershipRole.APPROVER],
            )
            # funding.FunderMembership, by its reverse relation (the values of FunderRole).
            | Q(
                funder_memberships__status=MembershipStatus.VERIFIED,
                funder_memberships__role__in=["admin", "moderator", "assessor"],
            )
        )
        .exclude(authenticator__type=Authenticator.Type.TOTP)
        .distinct()
    )
    enrolled = list(privileged)
    for user in enrolled:
        TOTP.activate(user, generate_totp_secret())
    return enrolled
