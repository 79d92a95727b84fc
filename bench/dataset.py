"""A synthetic national data set, written with PostgreSQL COPY.

Every council on the register (``../shared/data`` when it is there, generated otherwise), and
around them people, projects, needs, pledges with their ledger events, maker teams, follows and
updates. Popularity has a long tail, as it would nationally: a few councils lead hundreds of
projects and a few projects draw hundreds of pledges, so "the busiest page" means something.

Rows are generated in memory with a seeded RNG (same data every run), then copied table by
table. Pledges and their ledger events are made together so each pledge's state is its last
event's; the stored totals on projects and needs are then computed from the pledges in SQL and
reconciled with the ledger by ``projects.ledger.check_ledger``.
"""

from __future__ import annotations

import datetime
import io
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from councils.models import Council, Membership, MembershipRole, MembershipStatus, Nation
from projects.models import (
    Follow,
    Kind,
    Licence,
    Need,
    Phase,
    Pledge,
    PledgeEvent,
    PledgeState,
    Project,
    Role,
    ServiceArea,
    State,
    TeamMembership,
    TeamStatus,
    Update,
)

REGISTER_DIR = Path(settings.BASE_DIR).parent / "shared" / "data"
REGISTER_CSV = REGISTER_DIR / "uk_local_authorities_current.csv"
WELSH_TSV = REGISTER_DIR / "welsh_principal_authorities.tsv"


@dataclass(frozen=True)
class Sizes:
    projects: int = 10_000
    needs: int = 40_000
    pledges: int = 200_000
    people: int = 20_000
    team_memberships: int = 30_000
    follows: int = 50_000
    updates: int = 20_000
    councils_when_no_register: int = 400


@dataclass
class BuildReport:
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    councils_from: str = ""


SERVICE_AREAS = [
    "Adult social care",
    "Births, deaths and marriages",
    "Business and licensing",
    "Children's services",
    "Council tax and benefits",
    "Democracy and elections",
    "Education and schools",
    "Environmental health",
    "Highways and transport",
    "Housing",
    "Leisure and culture",
    "Libraries",
    "Parking",
    "Planning and building control",
    "Public health",
    "Registration and identity",
    "Waste and recycling",
    "Parks and open spaces",
    "Customer contact",
    "Data and insight",
    "Finance and procurement",
    "Emergency planning",
    "Community safety",
    "Digital infrastructure",
]
THINGS = [
    "bulky waste booking",
    "garden waste subscription",
    "missed bin reporting",
    "blue badge application",
    "parking permit renewal",
    "school admissions",
    "free school meals check",
    "housing repairs reporting",
    "homelessness triage",
    "council tax single person discount",
    "planning comment service",
    "pothole reporting",
    "library card sign-up",
    "register a death",
    "pest control booking",
    "street trading licence",
    "adult social care assessment",
    "short breaks finder",
    "allotment waiting list",
    "noise complaint service",
]
PREFIXES = ["Shared", "Open", "Common", "Reusable", "National", "Simple", "Joint", "Better"]
FIRST = ["Amara", "Rhian", "Sam", "Priya", "Tom", "Aisha", "Owen", "Fiona", "Kwame", "Ewan"]
FIRST += ["Niamh", "Hamza", "Grace", "Dylan", "Mei", "Ciaran", "Zara", "Iwan", "Ruth", "Jack"]
LAST = ["Okafor", "Evans", "Patel", "Jones", "Campbell", "Smith", "Murphy", "Khan", "Williams"]
LAST += ["Taylor", "Davies", "Brown", "Wilson", "Thomas", "Roberts", "Hughes", "Byrne", "Ali"]
PARAGRAPH = (
    "Residents tell us the current process is slow and hard to follow, and staff re-key "
    "the same details into three systems. We want to build it **once**, in the open, with "
    "councils that share the problem, and publish the code under an open licence."
)
TIME_ROLES = [r for r in Role.values if r]


# --- COPY ------------------------------------------------------------------------------------


def _text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, datetime.date):  # and datetime
        return value.isoformat()
    return str(value)


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` into ``model``'s table. Columns not named get the field's default (or
    NULL, or now for auto_now fields), so every NOT NULL column has a value."""
    named = set(columns)
    extra_columns, extra_values = [], []
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.column in named or (f.primary_key and f.get_internal_type().endswith("AutoField")):
            continue  # given, or numbered by the database
        if f.has_default():
            value = f.get_default()
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.null:
            value = None
        elif f.empty_strings_allowed and not f.is_relation:
            value = ""  # blank text fields without a default
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value in the bench data set")
        extra_columns.append(f.column)
        extra_values.append(value)
    suffix = ("\t" + "\t".join(_text(v) for v in extra_values)) if extra_values else ""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join([_text(v) for v in row]))
        buffer.write(suffix)
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    all_columns = ", ".join(f'"{c}"' for c in [*columns, *extra_columns])
    statement = f'COPY "{model._meta.db_table}" ({all_columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:  # psycopg 3
        copy.write(buffer.getvalue())
    return count


def _reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - our table names
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))',
            [table],
        )


# --- generating ------------------------------------------------------------------------------


def _zipf_weights(n: int, s: float, offset: float) -> list[float]:
    """Cumulative weights for a long tail: item i is chosen in proportion to 1/(i+offset)^s."""
    total, cumulative = 0.0, []
    for i in range(n):
        total += 1.0 / (i + offset) ** s
        cumulative.append(total)
    return cumulative


def _councils(sizes: Sizes, report: BuildReport, log) -> list[Council]:
    if REGISTER_CSV.exists():
        from councils.register import import_register, parse_register, parse_welsh_names

        welsh = parse_welsh_names(WELSH_TSV.read_text("utf-8-sig")) if WELSH_TSV.exists() else {}
        result = import_register(parse_register(REGISTER_CSV.read_text("utf-8-sig")), welsh=welsh)
        report.councils_from = f"{REGISTER_CSV} ({result})"
    else:
        nations = [Nation.ENGLAND] * 8 + [Nation.SCOTLAND, Nation.WALES]
        Council.objects.bulk_create(
            [
                Council(
                    code=f"B{i:03d}",
                    gss_code=f"E0{i:07d}",
                    name=f"Benchshire {i} Council",
                    short_name=f"Benchshire {i}",
                    slug=f"benchshire-{i}",
                    nation=nations[i % len(nations)],
                    region="Bench region",
                    authority_type="NMD",
                    authority_type_name="Non-metropolitan district",
                )
                for i in range(sizes.councils_when_no_register)
            ],
            batch_size=1000,
        )
        report.councils_from = f"generated ({sizes.councils_when_no_register}; no {REGISTER_CSV})"
    log(f"  councils: {report.councils_from}")
    return list(Council.objects.current().order_by("code"))


def build(sizes: Sizes | None = None, *, seed: int = 2026, log: Callable = print) -> BuildReport:
    """Fill an empty, migrated PostgreSQL database. Returns timings and row counts."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The bench data set needs PostgreSQL (COPY).")
    if Project.objects.exists() or User.objects.exists():
        raise RuntimeError("The bench database is not empty; build() wants a fresh database.")
    sizes = sizes or Sizes()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    report = BuildReport()
    started = time.perf_counter()
    mark = [started]

    def step(name: str) -> None:
        now = time.perf_counter()
        report.steps[name] = round(now - mark[0], 2)
        mark[0] = now
        log(f"  {name}: {report.steps[name]:.1f} s")

    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        councils = _councils(sizes, report, log)
        council_ids = [c.pk for c in councils]
        rng.shuffle(council_ids)  # which councils are busiest is random, but seeded
        council_cum = _zipf_weights(len(council_ids), 0.8, 5)
        ServiceArea.objects.bulk_create(
            [ServiceArea(name=name, slug=slugify(name)) for name in SERVICE_AREAS]
        )
        area_ids = list(ServiceArea.objects.values_list("pk", flat=True))
        step("councils and service areas")

        # People, each a verified member of one council (busy councils have more people).
        user_council = rng.choices(council_ids, cum_weights=council_cum, k=sizes.people)
        people_of: dict[int, list[int]] = defaultdict(list)
        user_rows, membership_rows = [], []
        for i in range(sizes.people):
            uid = i + 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            joined = now - datetime.timedelta(days=rng.randint(1, 1500))
            user_rows.append(
                (uid, f"bench{uid}@example.gov.uk", first, last, f"!bench{uid}", joined)
            )
            role = MembershipRole.ADMIN if rng.random() < 0.05 else MembershipRole.MEMBER
            membership_rows.append((uid, uid, user_council[i], role, MembershipStatus.VERIFIED))
            people_of[user_council[i]].append(uid)
        copy_rows(
            User,
            ["id", "email", "first_name", "last_name", "password", "date_joined"],
            user_rows,
        )
        copy_rows(Membership, ["id", "user_id", "council_id", "role", "status"], membership_rows)
        report.rows["people"] = len(user_rows)
        report.rows["memberships"] = len(membership_rows)
        step("people and memberships")

        def person_of(council_id: int) -> int:
            pool = people_of.get(council_id)
            return rng.choice(pool) if pool else rng.randint(1, sizes.people)

        # Projects. States and phases in plausible proportions; drafts are never pledged to.
        states = rng.choices(
            [State.DRAFT, State.SEEKING_SUPPORT, State.IN_DELIVERY, State.COMPLETED, State.CLOSED],
            weights=[10, 45, 25, 10, 10],
            k=sizes.projects,
        )
        leads = rng.choices(council_ids, cum_weights=council_cum, k=sizes.projects)
        phases = list(Phase.values)
        project_rows, area_rows = [], []
        project_info: dict[int, tuple] = {}  # pk -> (lead, owner, published_at, phase)
        published_ids: list[int] = []
        licences = list(Licence.values)
        for i in range(sizes.projects):
            pid = i + 1
            state, lead = states[i], leads[i]
            owner = person_of(lead)
            created = now - datetime.timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
            published = None
            if state != State.DRAFT:
                published = min(now, created + datetime.timedelta(days=rng.randint(0, 30)))
                published_ids.append(pid)
            phase = rng.choice(phases)
            title = f"{rng.choice(PREFIXES)} {rng.choice(THINGS)} {pid}"
            deadline = None
            if state == State.SEEKING_SUPPORT and rng.random() < 0.6:
                deadline = today + datetime.timedelta(days=rng.randint(-30, 240))
            hidden = rng.random() < 0.005 and state != State.DRAFT
            project_rows.append(
                (
                    pid,
                    title.capitalize(),
                    slugify(title),
                    f"A {title.lower()} that any council can reuse, built once and shared.",
                    "\n\n".join([PARAGRAPH] * rng.randint(1, 3)),
                    PARAGRAPH,
                    "Residents, and the officers who handle their requests.",
                    "Fewer calls, less re-keying, one service many councils run.",
                    phase,
                    state,
                    lead,
                    owner,
                    deadline,
                    rng.choice([None, None, rng.randint(2, 30)]),
                    f"https://github.com/example/{slugify(title)}" if rng.random() < 0.4 else "",
                    rng.choice(licences),
                    rng.random() < 0.005,
                    hidden,
                    "Duplicate of another project." if hidden else "",
                    created,
                    published,
                    published or created,
                )
            )
            project_info[pid] = (lead, owner, published or created, phase)
            for area in rng.sample(area_ids, rng.randint(0, 3)):
                area_rows.append((pid, area))
        step("projects generated")

        # Needs: money or days of a role, spread over every project.
        need_rows = []
        needs_of: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for nid, pid in enumerate(rng.choices(range(1, sizes.projects + 1), k=sizes.needs), 1):
            if rng.random() < 0.5:
                kind, role, amount = Kind.MONEY, "", rng.randint(10, 2000) * 5_000
            else:
                kind, role, amount = Kind.TIME, rng.choice(TIME_ROLES), rng.randint(4, 400)
            need_rows.append((nid, pid, kind, role, amount, "", len(needs_of[pid])))
            needs_of[pid].append((nid, kind, role))

        # Pledges and their ledger: sequence 1 offers; later events move it to its state.
        rng.shuffle(published_ids)
        project_cum = _zipf_weights(len(published_ids), 0.8, 30)
        pledge_projects = rng.choices(published_ids, cum_weights=project_cum, k=sizes.pledges)
        pledge_councils = rng.choices(council_ids, cum_weights=council_cum, k=sizes.pledges)
        pledge_states = rng.choices(
            [
                PledgeState.OFFERED,
                PledgeState.ACCEPTED,
                PledgeState.DECLINED,
                PledgeState.WITHDRAWN,
                PledgeState.FULFILLED,
            ],
            weights=[25, 30, 10, 10, 25],
            k=sizes.pledges,
        )
        pledge_rows, event_rows = [], []
        event_id = 0
        for i in range(sizes.pledges):
            pk = i + 1
            pid, council, state = pledge_projects[i], pledge_councils[i], pledge_states[i]
            lead, owner, published, _phase = project_info[pid]
            if council == lead:
                council = council_ids[(council_ids.index(council) + 1) % len(council_ids)]
            actor = person_of(council)
            need_id = None
            needs = needs_of.get(pid)
            if needs and rng.random() < 0.75:
                need_id, kind, role = rng.choice(needs)
            elif rng.random() < 0.5:
                kind, role = Kind.MONEY, ""
            else:
                kind, role = Kind.TIME, rng.choice(["", *TIME_ROLES])
            amount = rng.randint(1, 200) * 5_000 if kind == Kind.MONEY else rng.randint(1, 40)
            span = max(60.0, (now - published).total_seconds())
            at = published + datetime.timedelta(seconds=rng.uniform(0, span * 0.8))
            path = [PledgeState.OFFERED]
            # Fulfilled pledges were accepted first; half the withdrawn ones were too.
            if state == PledgeState.FULFILLED or (
                state == PledgeState.WITHDRAWN and rng.random() < 0.5
            ):
                path.append(PledgeState.ACCEPTED)
            if state != PledgeState.OFFERED:
                path.append(state)
            created, changed, previous = at, at, ""
            for sequence, to_state in enumerate(path, 1):
                event_id += 1
                by_maker = to_state in (PledgeState.OFFERED, PledgeState.WITHDRAWN)
                note = "Budget moved to another priority." if to_state == "withdrawn" else ""
                event_rows.append(
                    (
                        event_id,
                        pk,
                        sequence,
                        actor if by_maker else owner,
                        previous,
                        to_state,
                        note,
                        changed,
                    )
                )
                previous = to_state
                changed = changed + datetime.timedelta(
                    seconds=rng.uniform(60, max(120.0, (now - changed).total_seconds() * 0.3))
                )
                changed = min(changed, now)
            changed = event_rows[-1][7]
            note = "From our digital budget." if rng.random() < 0.3 else ""
            pledge_rows.append(
                (
                    pk,
                    pid,
                    need_id,
                    council,
                    actor,
                    kind,
                    role,
                    amount,
                    note,
                    state,
                    created,
                    changed,
                    created,  # offered when made: the dataset has no sign-offs
                )
            )
        step("needs, pledges and ledger generated")

        # Maker teams, follows and updates: the same long tail over published projects.
        team_rows, seen = [], set()
        statuses = rng.choices(
            [
                TeamStatus.ACTIVE,
                TeamStatus.REQUESTED,
                TeamStatus.LEFT,
                TeamStatus.DECLINED,
                TeamStatus.REMOVED,
            ],
            weights=[60, 15, 15, 5, 5],
            k=sizes.team_memberships,
        )
        while len(team_rows) < sizes.team_memberships:
            pid = rng.choices(published_ids, cum_weights=project_cum)[0]
            uid = rng.randint(1, sizes.people)
            if (pid, uid) in seen:
                continue
            seen.add((pid, uid))
            status = statuses[len(team_rows)]
            lead, owner, published, _phase = project_info[pid]
            created = published + datetime.timedelta(
                seconds=rng.uniform(0, max(60.0, (now - published).total_seconds()))
            )
            decided = status != TeamStatus.REQUESTED
            team_rows.append(
                (
                    len(team_rows) + 1,
                    pid,
                    uid,
                    user_council[uid - 1] if rng.random() < 0.9 else None,
                    rng.choice(TIME_ROLES),
                    status,
                    owner if decided else None,
                    created,
                    created if decided else None,
                    created if status in (TeamStatus.LEFT, TeamStatus.REMOVED) else None,
                )
            )
        follow_rows, seen = [], set()
        while len(follow_rows) < sizes.follows:
            pid = rng.choices(published_ids, cum_weights=project_cum)[0]
            uid = rng.randint(1, sizes.people)
            if (uid, pid) in seen:
                continue
            seen.add((uid, pid))
            follow_rows.append((len(follow_rows) + 1, pid, uid, project_info[pid][2]))
        update_rows = []
        last_activity: dict[int, datetime.datetime] = {}
        for update_id, pid in enumerate(
            rng.choices(published_ids, cum_weights=project_cum, k=sizes.updates), 1
        ):
            lead, owner, published, phase = project_info[pid]
            at = published + datetime.timedelta(
                seconds=rng.uniform(0, max(60.0, (now - published).total_seconds()))
            )
            last_activity[pid] = max(at, last_activity.get(pid, at))
            moved = rng.random() < 0.1 and phase != Phase.IDEA
            previous_phase = phases[phases.index(phase) - 1] if moved else ""
            update_rows.append(
                (
                    update_id,
                    pid,
                    owner,
                    f"Sprint notes {update_id}",
                    f"{PARAGRAPH}\n\n- Tested with residents\n- Next: *accessibility audit*",
                    previous_phase,
                    phase if moved else "",
                    at,
                )
            )
        step("teams, follows and updates generated")

        project_columns = [
            "id",
            "title",
            "slug",
            "summary",
            "description",
            "problem",
            "users",
            "outcomes",
            "phase",
            "state",
            "lead_council_id",
            "owner_id",
            "pledging_deadline",
            "partner_target",
            "code_url",
            "licence",
            "is_featured",
            "is_hidden",
            "hidden_reason",
            "created_at",
            "published_at",
            "last_activity_at",
        ]
        copy_rows(
            Project,
            project_columns,
            ((*row[:-1], max(row[-1], last_activity.get(row[0], row[-1]))) for row in project_rows),
        )
        copy_rows(Project.service_areas.through, ["project_id", "servicearea_id"], area_rows)
        copy_rows(
            Need,
            ["id", "project_id", "kind", "role", "amount", "description", "position"],
            need_rows,
        )
        copy_rows(
            Pledge,
            [
                "id",
                "project_id",
                "need_id",
                "council_id",
                "pledged_by_id",
                "kind",
                "role",
                "amount",
                "note",
                "state",
                "created_at",
                "state_changed_at",
                "offered_at",
            ],
            pledge_rows,
        )
        copy_rows(
            PledgeEvent,
            ["id", "pledge_id", "sequence", "actor_id", "from_state", "to_state", "note",
             "created_at"],
            event_rows,
        )  # fmt: skip
        copy_rows(
            TeamMembership,
            ["id", "project_id", "user_id", "council_id", "role", "status", "decided_by_id",
             "created_at", "decided_at", "ended_at"],
            team_rows,
        )  # fmt: skip
        copy_rows(Follow, ["id", "project_id", "user_id", "created_at"], follow_rows)
        copy_rows(
            Update,
            ["id", "project_id", "author_id", "title", "body", "from_phase", "to_phase",
             "created_at"],
            update_rows,
        )  # fmt: skip
        report.rows.update(
            projects=len(project_rows),
            project_service_areas=len(area_rows),
            needs=len(need_rows),
            pledges=len(pledge_rows),
            pledge_events=len(event_rows),
            team_memberships=len(team_rows),
            follows=len(follow_rows),
            updates=len(update_rows),
        )
        step("copied")

        compute_totals()
        for model in (User, Membership, Project, Need, Pledge, PledgeEvent, TeamMembership):
            _reset_sequence(model)
        for model in (Follow, Update, Project.service_areas.through):
            _reset_sequence(model)
        step("totals computed in SQL")

    with connection.cursor() as cursor:
        # The totals UPDATE left a dead copy of every project and need row: compact those two
        # tables (small, so quick), as they would be in a database restored from a dump; then
        # vacuum and analyse everything, as autovacuum keeps a running site's tables: the
        # planner has statistics, and the visibility map lets an index that holds every column
        # a query reads answer it alone. (Left to autovacuum, that first pass over the freshly
        # copied tables ran during the measurements.)
        cursor.execute("VACUUM (FULL) projects_project, projects_need")
        cursor.execute("VACUUM (ANALYZE)")
    step("compact and analyse")
    report.seconds = round(time.perf_counter() - started, 1)
    return report


TOTALS_SQL = [
    # Every stored total on a project in one UPDATE (each UPDATE writes a new version of every
    # row): what its needs ask for; money and half-days offered, accepted and fulfilled from
    # the pledges' states; partners, the councils other than the lead with a committed pledge
    # or an active maker-team member.
    """
    UPDATE projects_project p
    SET money_needed = COALESCE(n.money, 0), half_days_needed = COALESCE(n.time, 0),
        money_offered = COALESCE(t.mo, 0), money_accepted = COALESCE(t.ma, 0),
        money_fulfilled = COALESCE(t.mf, 0), half_days_offered = COALESCE(t.dof, 0),
        half_days_accepted = COALESCE(t.da, 0), half_days_fulfilled = COALESCE(t.df, 0),
        partner_count = COALESCE(pc.n, 0)
    FROM projects_project p2
    LEFT JOIN (
        SELECT project_id,
               SUM(amount) FILTER (WHERE kind = 'money') AS money,
               SUM(amount) FILTER (WHERE kind = 'time') AS time
        FROM projects_need GROUP BY project_id
    ) n ON n.project_id = p2.id
    LEFT JOIN (
        SELECT project_id,
               SUM(amount) FILTER (WHERE kind = 'money' AND state = 'offered') AS mo,
               SUM(amount) FILTER (WHERE kind = 'money' AND state = 'accepted') AS ma,
               SUM(amount) FILTER (WHERE kind = 'money' AND state = 'fulfilled') AS mf,
               SUM(amount) FILTER (WHERE kind = 'time' AND state = 'offered') AS dof,
               SUM(amount) FILTER (WHERE kind = 'time' AND state = 'accepted') AS da,
               SUM(amount) FILTER (WHERE kind = 'time' AND state = 'fulfilled') AS df
        FROM projects_pledge GROUP BY project_id
    ) t ON t.project_id = p2.id
    LEFT JOIN (
        SELECT x.project_id, COUNT(DISTINCT x.council_id) AS n
        FROM (SELECT project_id, council_id FROM projects_pledge
              WHERE state IN ('accepted', 'fulfilled')
              UNION
              SELECT project_id, council_id FROM projects_teammembership
              WHERE status = 'active' AND council_id IS NOT NULL) x
        JOIN projects_project pp ON pp.id = x.project_id AND x.council_id <> pp.lead_council_id
        GROUP BY x.project_id
    ) pc ON pc.project_id = p2.id
    WHERE p.id = p2.id
    """,
    """
    UPDATE projects_need n
    SET offered = t.o, accepted = t.a, fulfilled = t.f
    FROM (SELECT need_id,
                 COALESCE(SUM(amount) FILTER (WHERE state = 'offered'), 0) AS o,
                 COALESCE(SUM(amount) FILTER (WHERE state = 'accepted'), 0) AS a,
                 COALESCE(SUM(amount) FILTER (WHERE state = 'fulfilled'), 0) AS f
          FROM projects_pledge WHERE need_id IS NOT NULL GROUP BY need_id) t
    WHERE n.id = t.need_id
    """,
]


def compute_totals() -> None:
    """Stored totals on projects and needs, from the pledges (whose states the ledger holds)."""
    with connection.cursor() as cursor:
        for sql in TOTALS_SQL:
            cursor.execute(sql)
