"""Reads for projects and pledges: querysets with their joins already done."""

import datetime
import re
from functools import cached_property
from typing import NamedTuple

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy

from core.db import first_match, key_rows
from councils.models import Council

from .models import (
    ACTIVE_TEAM_STATUSES,
    COUNTED_STATES,
    INTERNAL_STATES,
    OPEN_AMENDMENT_STATES,
    PHASE_ORDER,
    PUBLIC_PLEDGE_STATES,
    Adoption,
    DemandSignal,
    Follow,
    Need,
    Pledge,
    PledgeEvent,
    PledgeState,
    Project,
    State,
    TeamMembership,
    TeamStatus,
    Update,
)
from .permissions import user_can_view_project


def partner_q(*, project_ref) -> Q:
    """Council rows that are partners of a project (``project_ref``: a pk or an OuterRef)."""
    committed = Pledge.objects.filter(
        project=project_ref,
        council=OuterRef("pk"),
        state__in=(PledgeState.ACCEPTED, PledgeState.FULFILLED),
    )
    on_team = TeamMembership.objects.filter(
        project=project_ref, council=OuterRef("pk"), status=TeamStatus.ACTIVE
    )
    return Q(Exists(committed)) | Q(Exists(on_team))


# What a listing's filters, order and cursor read of each project. A listing reads only these
# for its page, then the whole row only for the projects whose card or API row is not already
# in the pages cache (``rows_in_order``): most of a page's cost was building rows the cache
# then answered for.
LISTING_KEY_FIELDS = ("id", "published_at", "created_at", "partner_count", "demand_count")


def project_list() -> QuerySet[Project]:
    """Published, visible projects with what a listing row shows, in a fixed number of queries."""
    return (
        Project.objects.visible().select_related("lead_council").prefetch_related("service_areas")
    )


def project_listing_keys() -> QuerySet:
    """Published, visible projects, each only as a listing's filters, order and cursor read it
    (``core.db.KeyRow``s, not projects)."""
    return key_rows(Project.objects.visible(), *LISTING_KEY_FIELDS)


def project_cards() -> QuerySet[Project]:
    """Projects with what a card shows, in a fixed number of queries; for ``rows_in_order``
    (the listing or page that chose them has already checked who may see them)."""
    return Project.objects.select_related("lead_council").prefetch_related("service_areas")


def rows_in_order(keys: list, queryset: QuerySet) -> list:
    """``queryset``'s rows for ``keys`` (a listing's ``core.db.KeyRow``s, or rows of the same
    model), in their order; None for a row gone since."""
    if not keys:
        return []
    full = queryset.in_bulk([k.pk for k in keys])
    return [full.get(k.pk) for k in keys]


def project_sitemap_rows() -> QuerySet[Project]:
    """What the public can read, as little of each as an address needs."""
    return Project.objects.visible().only("slug", "updated_at").order_by("pk")


def project_rows() -> QuerySet[Project]:
    """Visible projects for long machine-read listings (the API): the lead council joined, the
    long text fields left in the database, and each project's service areas as a plain list in
    ``area_list`` — a related manager and queryset per row cost more than the row itself."""
    return (
        Project.objects.visible()
        .select_related("lead_council")
        .defer("description", "problem", "users", "outcomes", "hidden_reason")
        .prefetch_related(Prefetch("service_areas", to_attr="area_list"))
    )


def project_for_page(*, slug: str, user) -> Project | None:
    project = (
        Project.objects.select_related("lead_council", "owner", "combined_into")
        .prefetch_related("service_areas")
        .filter(slug=slug)
    )
    project = first_match(project)
    if project is None or not user_can_view_project(user, project):
        return None
    return project


def project_combined_from(*, project: Project) -> list[Project]:
    """The public projects that were combined into ``project``, oldest combination first."""
    return list(
        Project.objects.visible()
        .filter(combined_into=project)
        .only("pk", "slug", "title", "language")
        .order_by("combined_at", "pk")
    )


def project_needs(*, project: Project) -> QuerySet[Need]:
    return Need.objects.filter(project=project).order_by("position", "pk")


def project_pledges(*, project: Project) -> QuerySet[Pledge]:
    """The project's pledges as the lead council and the public see them: from their offer."""
    return (
        Pledge.objects.public()
        .filter(project=project)
        .select_related("council", "funder", "pledged_by", "need", "decision_record__recorded_by")
        .prefetch_related(
            Prefetch(
                "events", queryset=PledgeEvent.objects.select_related("actor").order_by("sequence")
            )
        )
        .order_by("-created_at", "-pk")
    )


PROJECT_PAGE_PLEDGES = 50


class PledgeEventRow(NamedTuple):
    """One ledger event of one of a project's pledges, with what its page shows of the pledge."""

    pledge_id: int
    kind: str
    role: str
    amount: int
    pledge_state: str
    pledge_created_at: datetime.datetime
    need_id: int | None
    council_id: int | None
    council_slug: str | None
    council_short_name: str | None
    council_name_cy: str | None
    sequence: int
    from_state: str
    to_state: str
    created_at: datetime.datetime
    # The pledge's conditions (README, "Conditional and match pledges").
    min_other_councils: int | None = None
    match_percent: int | None = None
    matched_amount: int | None = None
    # A funder's award instead of a council's pledge (README, "Awards in the ledger").
    funder_id: int | None = None
    funder_slug: str | None = None
    funder_name: str | None = None
    funder_name_cy: str | None = None


def project_pledge_events(*, project: Project) -> list[PledgeEventRow]:
    """Every ledger event of the project's pledges as plain rows, each pledge's in order, in one
    query. A popular project has hundreds of pledges: its page charts all their events, names
    its partner councils and lists the latest pledges, all from these rows.

    Only the public ledger: pledges from their offer, without the events inside the pledging
    council (waiting for and getting sign-off), so an approved pledge starts at "offered"."""
    rows = (
        PledgeEvent.objects.filter(pledge__project=project, pledge__offered_at__isnull=False)
        .exclude(to_state__in=INTERNAL_STATES)
        .order_by("pledge_id", "sequence")
        .values_list(
            "pledge_id",
            "pledge__kind",
            "pledge__role",
            "pledge__amount",
            "pledge__state",
            "pledge__created_at",
            "pledge__need_id",
            "pledge__council_id",
            "pledge__council__slug",
            "pledge__council__short_name",
            "pledge__council__name_cy",
            "sequence",
            "from_state",
            "to_state",
            "created_at",
            "pledge__min_other_councils",
            "pledge__match_percent",
            "pledge__matched_amount",
            "pledge__funder_id",
            "pledge__funder__slug",
            "pledge__funder__name",
            "pledge__funder__name_cy",
        )
    )
    events = [PledgeEventRow(*row) for row in rows]
    return [
        row._replace(from_state="") if row.from_state in INTERNAL_STATES else row for row in events
    ]


def _funder_of(row: PledgeEventRow):
    """The funder of an award row, built without a query (and without importing funding)."""
    if row.funder_id is None:
        return None
    funder_model = Pledge._meta.get_field("funder").related_model
    return funder_model(
        pk=row.funder_id, slug=row.funder_slug, name=row.funder_name, name_cy=row.funder_name_cy
    )


def _council_of(row: PledgeEventRow) -> Council | None:
    if row.council_id is None:
        return None
    return Council(
        pk=row.council_id,
        slug=row.council_slug,
        short_name=row.council_short_name,
        name_cy=row.council_name_cy,
    )


def project_pledges_latest(
    *,
    project: Project,
    events: list[PledgeEventRow],
    needs: list[Need],
    limit: int = PROJECT_PAGE_PLEDGES,
) -> list[Pledge]:
    """The project's newest pledges for its page, built from ``events``
    (``project_pledge_events``) and ``needs`` with no query: each has its council, its need and
    ``history``, its ledger events. Only what the page shows is filled in."""
    newest = sorted(
        ((row.pledge_created_at, row.pledge_id) for row in events if not row.from_state),
        reverse=True,
    )[:limit]
    wanted = {pledge_id for _created, pledge_id in newest}
    need_by_id = {need.pk: need for need in needs}
    pledges: dict[int, Pledge] = {}
    for row in events:
        if row.pledge_id not in wanted:
            continue
        pledge = pledges.get(row.pledge_id)
        if pledge is None:
            pledge = pledges[row.pledge_id] = Pledge(
                pk=row.pledge_id,
                project=project,
                council=_council_of(row),
                funder=_funder_of(row),
                need=need_by_id.get(row.need_id),
                kind=row.kind,
                role=row.role,
                amount=row.amount,
                state=row.pledge_state,
                created_at=row.pledge_created_at,
                min_other_councils=row.min_other_councils,
                match_percent=row.match_percent,
                matched_amount=row.matched_amount,
            )
            pledge.history = []
        pledge.history.append(
            PledgeEvent(
                pledge_id=row.pledge_id,
                sequence=row.sequence,
                from_state=row.from_state,
                to_state=row.to_state,
                created_at=row.created_at,
            )
        )
    return [pledges[pledge_id] for _created, pledge_id in newest]


def project_partners(
    *, project: Project, events: list[PledgeEventRow], team: list[TeamMembership]
) -> list[Council]:
    """What ``project_partner_councils`` answers, from rows the page has already read: councils
    other than the lead with a committed pledge (in ``events``) or an active maker-team member
    (``team``, from ``project_team``)."""
    partners: dict[int, Council] = {}
    for row in events:
        committed = row.pledge_state in (PledgeState.ACCEPTED, PledgeState.FULFILLED)
        if committed and row.council_id is not None and row.council_id not in partners:
            partners[row.council_id] = _council_of(row)
    for member in team:
        if member.status == TeamStatus.ACTIVE and member.council_id is not None:
            partners.setdefault(member.council_id, member.council)
    partners.pop(project.lead_council_id, None)
    return sorted(partners.values(), key=lambda c: (c.short_name, c.pk))


def project_partner_councils(*, project: Project) -> QuerySet[Council]:
    """Councils other than the lead with a committed pledge or an active team member."""
    return (
        Council.objects.filter(partner_q(project_ref=project.pk))
        .exclude(pk=project.lead_council_id)
        .order_by("short_name")
    )


def _public_amendments() -> Prefetch:
    return Prefetch(
        "amendments",
        queryset=Pledge.objects.public().only("pk", "amends_id", "state").order_by("-pk"),
        to_attr="public_amendments",
    )


def pledge_with_history(*, pk: int) -> Pledge | None:
    """A pledge with all its page shows (``pledge_detail``): the ledger with each event's
    linked pledges and projects, its need, funder, original and public amendments."""
    # Joined: what every pledge has, and its decision record. Fetched apart, each only when
    # the pledge has one: its need, funder and original. Joining all eleven tables cost
    # PostgreSQL 5 ms to plan, ten times the time to run it.
    return first_match(
        Pledge.objects.select_related("project__lead_council", "project__owner", "council")
        .select_related("pledged_by", "decision_record__recorded_by")
        .prefetch_related("need", "funder", "amends")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=PledgeEvent.objects.select_related(
                    "actor", "linked_pledge", "moved_from", "moved_to"
                ).order_by("sequence"),
            ),
            _public_amendments(),
        )
        .filter(pk=pk)
    )


def pledge_for_api(*, pk: int) -> Pledge | None:
    """A pledge with what the API shows of it (``PledgeDetailSerializer``, which names linked
    pledges, the need and the original by id only), and its project's lead council for the
    check of who may see it. Every API write reads its pledge back so: a quarter of the CPU of
    a pledge offer went on ``pledge_with_history``."""
    return first_match(
        Pledge.objects.select_related("project__lead_council", "council", "pledged_by")
        .select_related("decision_record__recorded_by")
        .prefetch_related(
            "funder",
            Prefetch(
                "events", queryset=PledgeEvent.objects.select_related("actor").order_by("sequence")
            ),
            _public_amendments(),
        )
        .filter(pk=pk)
    )


def pledge_for_action(*, pk: int) -> Pledge | None:
    """A pledge about to be acted on: with its project and councils, for the permission
    checks, and without the history that ``pledge_with_history`` reads for showing it."""
    return first_match(
        Pledge.objects.select_related(
            "project__lead_council", "project__owner", "council", "funder"
        ).filter(pk=pk)
    )


def pledge_governance(
    *, pledge: Pledge, events: list[PledgeEvent]
) -> list[tuple[str, str, Pledge | None]]:
    """What organisers read about a pledge's governance, in words: its sign-off, the council's
    decision behind it and its amendment links, as (label, text, linked pledge) rows.
    ``events`` are the pledge's ledger, oldest first, with their actors and linked pledges."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    def when(event: PledgeEvent) -> str:
        return date_format(timezone.localtime(event.created_at), "j F Y")

    sign_off = _("Not needed: within the council’s delegated limit, or made by an approver")
    for event in events:
        if event.from_state != PledgeState.PENDING:
            continue
        who = {"person": event.actor.get_full_name(), "date": when(event)}
        if event.to_state == PledgeState.REFUSED:
            sign_off = _("Refused by %(person)s on %(date)s") % who
        elif event.to_state == PledgeState.WITHDRAWN:
            sign_off = _("Withdrawn on %(date)s while awaiting sign-off") % who
        else:
            sign_off = _("Signed off by %(person)s on %(date)s") % who
    if pledge.state == PledgeState.PENDING:
        sign_off = _("Awaiting an approver of %(council)s") % {"council": pledge.pledger_name}
    rows: list[tuple[str, str, Pledge | None]] = [(_("Sign-off"), sign_off, None)]
    try:
        record = pledge.decision_record
    except ObjectDoesNotExist:
        record = None
    rows.append(
        (
            _("Council’s decision"),
            f"{record.title}, {date_format(record.decided_on, 'j F Y')} – {record.url}"
            if record
            else _("None recorded"),
            None,
        )
    )
    if pledge.amends_id:
        original = pledge.amends
        rows.append(
            (
                _("Amends"),
                _("Pledge %(id)s of %(amount)s")
                % {"id": original.pk, "amount": original.amount_display},
                original,
            )
        )
    replaced = next((e for e in events if e.to_state == PledgeState.SUPERSEDED), None)
    if replaced is not None and replaced.linked_pledge is not None:
        rows.append(
            (
                _("Replaced by"),
                _("Pledge %(id)s of %(amount)s, accepted on %(date)s")
                % {
                    "id": replaced.linked_pledge.pk,
                    "amount": replaced.linked_pledge.amount_display,
                    "date": when(replaced),
                },
                replaced.linked_pledge,
            )
        )
    waiting = pledge_open_amendment(pledge=pledge)
    if waiting is not None:
        rows.append(
            (
                _("Change waiting"),
                _("Pledge %(id)s of %(amount)s (%(state)s)")
                % {
                    "id": waiting.pk,
                    "amount": waiting.amount_display,
                    "state": waiting.get_state_display().lower(),
                },
                waiting,
            )
        )
    return rows


def pledge_open_amendment(*, pledge: Pledge) -> Pledge | None:
    """The change waiting on ``pledge`` (for its approver or for the owner), if any: one at
    most."""
    return (
        Pledge.objects.filter(amends=pledge, state__in=OPEN_AMENDMENT_STATES)
        .select_related("council", "project")
        .first()
    )


def pledge_shown_events(*, pledge: Pledge, user) -> list[PledgeEvent]:
    """A pledge's ledger events as ``user`` may see them (``pledge`` from
    ``pledge_with_history`` or ``pledge_for_api``): all of them for the pledging council and
    organisers; for anyone else the events inside the pledging council are left out and the
    sign-off reads as the offer."""
    from .permissions import user_sees_internal_pledges

    events = list(pledge.events.all())
    if user_sees_internal_pledges(user, pledge):
        return events
    shown = []
    for event in events:
        if event.to_state in INTERNAL_STATES:
            continue
        if event.from_state in INTERNAL_STATES:
            event.from_state = ""
        shown.append(event)
    return shown


def council_pledges(*, council: Council) -> QuerySet[Pledge]:
    """The council's public pledges with their projects, newest first (page and CSV).

    Pledges to projects an organiser has hidden are left out, as they are everywhere public,
    and so are those that never left the council (waiting for sign-off, or refused).
    """
    return with_amendment_links(
        Pledge.objects.public()
        .filter(council=council, project__is_hidden=False)
        .select_related("project", "project__lead_council", "need", "pledged_by", "decision_record")
        .order_by("-created_at", "-pk")
    )


def council_pledge_totals(*, council: Council) -> dict[str, dict[str, int]]:
    """{state: {"money": pence, "time": half_days, "count": n}} for every public state, and
    ``"match"`` for match pledges still on the table (conditional, offered, accepted or
    fulfilled) at what they give now, kept apart from the states; in one query."""
    totals = {
        state: {"money": 0, "time": 0, "count": 0} for state in (*PUBLIC_PLEDGE_STATES, "match")
    }
    plain, match = Q(match_percent__isnull=True), Q(match_percent__isnull=False)
    rows = (
        Pledge.objects.public()
        .filter(council=council, project__is_hidden=False)
        .values("state", "kind")
        .annotate(
            total=Sum("amount", filter=plain, default=0),
            n=Count("pk", filter=plain),
            matched=Sum("matched_amount", filter=match, default=0),
            matches=Count("pk", filter=match),
        )
        .order_by()
    )
    on_the_table = (*COUNTED_STATES, PledgeState.CONDITIONAL)
    for row in rows:
        totals[row["state"]][row["kind"]] += row["total"]
        totals[row["state"]]["count"] += row["n"]
        bucket = "match" if row["state"] in on_the_table else row["state"]
        totals[bucket][row["kind"]] += row["matched"]
        totals[bucket]["count"] += row["matches"]
    return totals


def council_projects_led(*, council: Council, user, may_act: bool) -> QuerySet:
    """The keys (``core.db.KeyRow``s) of the projects a council leads; its drafts too for
    organisers and those who may act for it (``may_act``:
    ``councils.selectors.council_standing``)."""
    qs = key_rows(Project.objects.filter(lead_council=council), *LISTING_KEY_FIELDS)
    if user.is_authenticated and (user.is_organiser or may_act):
        return qs.order_by("-created_at")
    return qs.filter(
        Q(state__in=[s for s in State.values if s != State.DRAFT]), is_hidden=False
    ).order_by("-published_at")


def pledges_waiting_for(*, project: Project) -> QuerySet[Pledge]:
    return project_pledges(project=project).filter(state=PledgeState.OFFERED)


COUNCIL_PAGE_PLEDGES = 50
COUNCIL_PAGE_PROJECTS = 20


class CouncilPledgeParts:
    """A council's pledges as its page shows them (charts, totals by state, the latest), read
    only when that part of the page is not in the cache: the same for every reader."""

    def __init__(self, council: Council):
        self.council = council

    @cached_property
    def totals(self) -> dict[str, dict[str, int]]:
        return council_pledge_totals(council=self.council)

    @cached_property
    def charts(self) -> list:
        return council_pledge_charts(council=self.council, totals=self.totals)

    @cached_property
    def by_state(self) -> list[dict]:
        rows = [
            {"state": state, "label": PledgeState(state).label, **self.totals[state]}
            for state in PUBLIC_PLEDGE_STATES
        ]
        if self.totals["match"]["count"]:
            label = gettext_lazy("Match pledges on the table (what they give now)")
            rows.append({"state": "match", "label": label, **self.totals["match"]})
        return rows

    @cached_property
    def count(self) -> int:
        return sum(self.totals[state]["count"] for state in (*PUBLIC_PLEDGE_STATES, "match"))

    @cached_property
    def made(self) -> list[Pledge]:
        return list(council_pledges(council=self.council)[:COUNCIL_PAGE_PLEDGES])


def council_project_context(*, council: Council, user, may_act: bool) -> dict:
    """What a council's page shows of projects: those it leads, its pledges and their totals."""
    # The newest projects it leads, and whether there are more (the listing has them all).
    projects_led = list(
        council_projects_led(council=council, user=user, may_act=may_act)[
            : COUNCIL_PAGE_PROJECTS + 1
        ]
    )
    return {
        "projects_led": projects_led[:COUNCIL_PAGE_PROJECTS],
        "more_projects_led": len(projects_led) > COUNCIL_PAGE_PROJECTS,
        "pledge_parts": CouncilPledgeParts(council),
        # Read only when its part of the page is not in the cache (an adoption or a benefit
        # of the council retires it: ``council_benefits_tag``).
        "adoptions": SimpleLazyObject(lambda: list(council_adoptions(council=council))),
    }


def with_amendment_links(pledges: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """Each pledge's public amendments, newest first, in one query for the lot
    (``Pledge.amended_by_id`` reads them)."""
    return pledges.prefetch_related(
        Prefetch(
            "amendments",
            queryset=Pledge.objects.public().only("pk", "amends_id", "state").order_by("-pk"),
            to_attr="public_amendments",
        )
    )


# What the pledge listing's filters, order, cursor and row versions read (``pledge_listing_keys``).
PLEDGE_KEY_FIELDS = ("id", "project_id", "council_id", "created_at")


def _public_pledges() -> QuerySet[Pledge]:
    return Pledge.objects.public().filter(
        project__state__in=[s for s in State.values if s != State.DRAFT],
        project__is_hidden=False,
    )


def pledge_listing_keys() -> QuerySet:
    """The public pledges, each only as the listing's filters, order and cursor read it
    (``core.db.KeyRow``s, not pledges): the rows themselves are kept serialised in the cache
    (``pagecache.cached_rows``) and read whole (``pledge_list``) only when missing."""
    return key_rows(_public_pledges(), *PLEDGE_KEY_FIELDS)


def pledge_list() -> QuerySet[Pledge]:
    """Public pledges to published, visible projects, with what a listing row shows."""
    return with_amendment_links(
        _public_pledges().select_related(
            "project", "council", "funder", "pledged_by", "decision_record__recorded_by"
        )
    )


def headline_stats() -> dict:
    """The home page's figures: councils taking part, projects by phase, money and days."""
    from councils.models import Membership, MembershipStatus

    sums = {
        "money_pledged": Sum(
            F("money_offered") + F("money_accepted") + F("money_fulfilled"), default=0
        ),
        # Committed: accepted or fulfilled ("accepted" alone means accepted, not yet fulfilled).
        "money_committed": Sum(F("money_accepted") + F("money_fulfilled"), default=0),
        "days_pledged": Sum(
            F("half_days_offered") + F("half_days_accepted") + F("half_days_fulfilled"), default=0
        ),
        "days_committed": Sum(F("half_days_accepted") + F("half_days_fulfilled"), default=0),
        # Apart from the totals above, as everywhere: conditional offers, and what match
        # pledges give now.
        "money_conditional": Sum("money_conditional", default=0),
        "money_matched": Sum("money_matched", default=0),
        "days_conditional": Sum("half_days_conditional", default=0),
        "days_matched": Sum("half_days_matched", default=0),
    }
    # One pass over the visible projects: counts and sums by phase, added up here. Counted as
    # rows, not ids, so the pass reads the phase's totals index alone (models.HEADLINE_TOTALS).
    rows = list(Project.objects.visible().values("phase").annotate(n=Count("*"), **sums).order_by())
    by_phase = {row["phase"]: row["n"] for row in rows}
    totals = {name: sum(row[name] for row in rows) for name in sums}
    # EXISTS per council, not joins: joining memberships, pledges and projects multiplies
    # their rows (a busy council: members × pledges × projects) before DISTINCT removes them.
    # One EXISTS over the three, not three EXISTS joined by OR: PostgreSQL answered the OR by
    # reading every membership and every project into a hash (12 ms nationally), where this
    # looks each council up in the three indexes and stops at the first row found (3 ms).
    taking_part = (
        Membership.objects.filter(council=OuterRef("pk"), status=MembershipStatus.VERIFIED)
        .values("pk")
        .union(
            Pledge.objects.filter(council=OuterRef("pk")).values("pk"),
            Project.objects.filter(lead_council=OuterRef("pk")).values("pk"),
            all=True,
        )
    )
    councils = Council.objects.filter(Exists(taking_part)).count()
    return {
        "councils_taking_part": councils,
        "projects_by_phase": {phase: by_phase.get(phase, 0) for phase in PHASE_ORDER},
        "projects": sum(by_phase.values()),
        **totals,
    }


def project_team_partner_council_ids(project: Project) -> set[int]:
    """Councils (other than the lead) with an active maker-team member."""
    return set(
        TeamMembership.objects.filter(
            project=project, status=TeamStatus.ACTIVE, council__isnull=False
        )
        .exclude(council_id=project.lead_council_id)
        .values_list("council_id", flat=True)
    )


# --- people around a project ----------------------------------------------------------------


def project_team(*, project: Project) -> QuerySet:
    return (
        TeamMembership.objects.filter(project=project, status=TeamStatus.ACTIVE)
        .select_related("user", "council")
        .order_by("created_at", "pk")
    )


def project_team_requests(*, project: Project) -> QuerySet:
    return (
        TeamMembership.objects.filter(project=project, status=TeamStatus.REQUESTED)
        .select_related("user", "council")
        .order_by("created_at", "pk")
    )


def project_updates(*, project: Project) -> QuerySet:
    return (
        Update.objects.filter(project=project)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def project_adoptions(*, project: Project) -> QuerySet:
    return (
        Adoption.objects.filter(project=project).select_related("council").order_by("-adopted_on")
    )


def project_demand(*, project: Project) -> QuerySet:
    if not project.demand_count:  # stored with every signal; most projects have none
        return DemandSignal.objects.none()
    return (
        DemandSignal.objects.filter(project=project)
        .select_related("council")
        .order_by("created_at")
    )


def user_project_offers(*, user, project: Project, demand: list[DemandSignal]) -> dict:
    """What the person is to this project and what they may do on its page, each with the
    reason when they may not (``projects.permissions``, as the services decide):

    ``following``, ``team_membership``; ``pledge_offer``, ``adopt_offer`` and ``join_offer``
    verdicts; for 'we need this too', ``demand_open``, ``demand_offer`` (a verdict: councils
    that may still say so) and ``demand_said`` (their councils that have; they may take it back).
    ``demand`` is the project's signals (``project_demand``).
    """
    from councils.selectors import user_verified_councils

    from .permissions import (
        SIGNED_OUT,
        Verdict,
        demand_open,
        may_adopt,
        may_pledge,
        other_council_verdict,
        team_join_refusal,
    )

    offers = {"demand_open": demand_open(project), "demand_said": []}
    if not user.is_authenticated:
        join = team_join_refusal(user, project)
        return {
            **offers,
            "following": False,
            "team_membership": None,
            "pledge_offer": may_pledge(user, project),
            "adopt_offer": may_adopt(user, project),
            "demand_offer": SIGNED_OUT,
            "join_offer": Verdict(False, join) if join else SIGNED_OUT,
        }
    councils = list(user_verified_councils(user=user))
    said = {signal.council_id for signal in demand}
    others = other_council_verdict(user, project, councils=councils)
    offers["demand_said"] = [c for c in others.councils if c.pk in said]
    can_say = tuple(c for c in others.councils if c.pk not in said)
    join = team_join_refusal(user, project)
    return {
        **offers,
        "following": Follow.objects.filter(user=user, project=project).exists(),
        "team_membership": TeamMembership.objects.filter(
            user=user, project=project, status__in=ACTIVE_TEAM_STATUSES
        ).first(),
        "pledge_offer": may_pledge(user, project, councils=councils),
        "adopt_offer": may_adopt(user, project, councils=councils),
        "demand_offer": (
            Verdict(True, councils=can_say) if can_say else Verdict(False, others.reason)
        ),
        "join_offer": Verdict(not join, join),
    }


def council_adoptions(*, council: Council) -> QuerySet:
    return (
        Adoption.objects.filter(council=council, project__is_hidden=False)
        .select_related("project__lead_council")
        .order_by("-adopted_on")
    )


def similar_projects(*, title: str, summary: str, area_ids: list[int], exclude_pk=None, limit=5):
    """'Has someone already done this?': published projects sharing areas or words, best first."""
    words = {w for w in _words(f"{title} {summary}") if len(w) > 3}
    query = Q(service_areas__in=area_ids) if area_ids else Q(pk__in=[])
    for word in sorted(words)[:12]:
        query |= Q(title__icontains=word) | Q(summary__icontains=word)
    candidates = (
        Project.objects.visible()
        .filter(query)
        .exclude(pk=exclude_pk)
        .distinct()
        .select_related("lead_council")
        .prefetch_related("service_areas")[:50]
    )
    scored = []
    for project in candidates:
        shared_areas = len({a.pk for a in project.service_areas.all()} & set(area_ids))
        shared_words = len(words & set(_words(f"{project.title} {project.summary}")))
        score = 3 * shared_areas + shared_words
        if score:
            scored.append((score, project))
    scored.sort(key=lambda item: (-item[0], item[1].title))
    return [project for _score, project in scored[:limit]]


STOPWORDS = {
    "with",
    "that",
    "this",
    "from",
    "their",
    "they",
    "have",
    "will",
    "into",
    "your",
    "online",
}


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS]


# --- My Pipeline ------------------------------------------------------------------------------


DASHBOARD_COUNCIL_PLEDGES = 20


def dashboard_for(*, user) -> dict:
    """What waits for a person and what they are part of, in a fixed number of queries.

    The person's councils and the projects they manage are read first, as plain ids, so each
    list after it is an index read of a few rows: asked as subqueries, the planner sorted every
    offered pledge in the country before filtering (90 ms for an officer of the busiest
    council)."""
    from councils.models import Membership, MembershipRole, MembershipStatus
    from councils.selectors import memberships_awaiting_decision

    roles = list(
        Membership.objects.filter(user=user, status=MembershipStatus.VERIFIED)
        .select_related("council")
        .order_by("council__name")
    )
    councils = [m.council for m in roles]
    member_ids = [m.council_id for m in roles]
    admin_ids = [m.council_id for m in roles if m.role == MembershipRole.ADMIN]
    approver_ids = [m.council_id for m in roles if m.role == MembershipRole.APPROVER]
    if user.is_organiser:
        managed = Q()
    else:
        managed_ids = list(
            Project.objects.filter(
                Q(owner=user, lead_council_id__in=member_ids) | Q(lead_council_id__in=admin_ids)
            )
            .order_by()
            .values_list("pk", flat=True)
        )
        managed = Q(project_id__in=managed_ids)
    return {
        "offers_waiting": list(
            Pledge.objects.filter(managed, state=PledgeState.OFFERED)
            .select_related("project", "council", "funder", "pledged_by")
            .order_by("created_at", "pk")[:100]
        ),
        # Changes to pledges the pledging council proposed, waiting for the owner's answer.
        "changes_waiting": list(
            Pledge.objects.filter(managed, state=PledgeState.PROPOSED)
            .select_related("project", "council", "amends")
            .order_by("created_at", "pk")[:100]
        ),
        "join_requests": list(
            TeamMembership.objects.filter(managed, status=TeamStatus.REQUESTED)
            .select_related("project", "user", "council")
            .order_by("created_at", "pk")[:100]
        ),
        "memberships_waiting": list(memberships_awaiting_decision(user=user)[:100]),
        "projects_owned": list(
            Project.objects.filter(owner=user)
            .select_related("lead_council")
            .prefetch_related("service_areas")
            .order_by("-created_at")
        ),
        "teams": list(
            TeamMembership.objects.filter(
                user=user, status__in=(TeamStatus.ACTIVE, TeamStatus.REQUESTED)
            )
            .select_related("project", "council")
            .order_by("-created_at")
        ),
        "following": list(
            Follow.objects.filter(user=user, project__is_hidden=False)
            .select_related("project__lead_council")
            .order_by("-created_at")
        ),
        # Pledges over a delegated limit waiting for this person's sign-off, oldest first.
        "approvals_waiting": list(
            Pledge.objects.filter(state=PledgeState.PENDING, council_id__in=approver_ids)
            .select_related("project", "council", "funder", "pledged_by")
            .order_by("created_at", "pk")[:100]
        ),
        # The newest few; each council's page and CSV have the rest.
        "council_pledges": list(
            Pledge.objects.filter(council_id__in=member_ids)
            .select_related("project", "council")
            .order_by("-created_at", "-id")[:DASHBOARD_COUNCIL_PLEDGES]
        ),
        "councils": councils,
    }


# --- charts -----------------------------------------------------------------------------------


def _ledger_changes(kind: str, events: list[PledgeEventRow]) -> list[tuple]:
    """(day, change to pledged, change to committed) for each ledger event of this kind.

    Match pledges and pledges still waiting for other councils are not pledged: they are shown
    apart (README, "Conditional and match pledges"); a conditional one counts from its offer."""
    from django.utils import timezone

    here = timezone.get_current_timezone()
    changes = []
    for row in events:
        if row.kind != kind or row.match_percent is not None:
            continue
        if row.from_state and row.from_state == row.to_state:
            continue  # moved here from a combined project: it counted from its first events
        if row.from_state == PledgeState.CONDITIONAL and row.to_state != PledgeState.OFFERED:
            continue  # withdrawn or lapsed while waiting: it never counted
        amount, from_state, to_state = row.amount, row.from_state, row.to_state
        pledged = committed = 0
        # A proposed change counts toward nothing until it takes its original's place (the
        # original's move to superseded takes the old amount out the same day).
        was_counted = from_state in (PledgeState.OFFERED, PledgeState.ACCEPTED)
        if to_state == PledgeState.OFFERED:
            pledged = amount
        elif to_state == PledgeState.ACCEPTED:
            committed = amount
            if from_state == PledgeState.PROPOSED:
                pledged = amount
        elif to_state in (PledgeState.DECLINED, PledgeState.WITHDRAWN, PledgeState.SUPERSEDED):
            if was_counted:
                pledged = -amount
            if from_state == PledgeState.ACCEPTED:
                committed = -amount
        if pledged or committed:
            changes.append((row.created_at.astimezone(here).date(), pledged, committed))
    changes.sort(key=lambda c: c[0])
    return changes


def _events_of(pledges) -> list[PledgeEventRow]:
    return [
        PledgeEventRow(
            p.pk, p.kind, p.role, p.amount, p.state, p.created_at, p.need_id, p.council_id,
            "", "", "", e.sequence, e.from_state, e.to_state, e.created_at,
            p.min_other_councils, p.match_percent, p.matched_amount,
        )
        for p in pledges or ()
        for e in p.events.all()
    ]  # fmt: skip


PLEDGED_AND_COMMITTED = gettext_lazy(
    "Pledged: offered, accepted or fulfilled. Committed: accepted or fulfilled."
)


def project_pledge_charts(
    *, project: Project, pledges=None, events: list[PledgeEventRow] | None = None
) -> list:
    """The project page's charts: for money and for staff time (each the project asks for and
    has pledges of), where the pledges stand against the goal, and how they grew over time.

    The first reads well from the first pledge; the second is drawn once there is a day or more
    of history to show (a new project's one day would be a single vertical line). Give either
    ``events``, the rows of ``project_pledge_events``, or ``pledges`` with their events
    prefetched (``project_pledges``); either way this adds no query.
    """
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from core.charts import Series, bar_chart, step_line_chart

    from .models import format_amount

    if events is None:
        events = _events_of(pledges)
    charts = []
    for kind, goal, what in (
        ("money", project.money_needed, _("Money")),
        ("time", project.half_days_needed, _("Staff time")),
    ):
        changes = _ledger_changes(kind, events)
        if not goal or not changes:
            continue
        pledged, committed = sum(c[1] for c in changes), sum(c[2] for c in changes)
        fulfilled = project.money_fulfilled if kind == "money" else project.half_days_fulfilled
        rows = [
            (_("Goal"), goal, "goal"),
            (_("Pledged"), pledged, "offered"),
            (_("Committed"), committed, ""),
            (_("Fulfilled"), fulfilled, "fulfilled"),
        ]
        rows = [(label, v, format_amount(kind, v), css) for label, v, css in rows]
        chart = bar_chart(
            _("%(what)s pledged against the goal") % {"what": what},
            "; ".join(f"{label}: {text}" for label, _v, text, _c in rows),
            rows,
        )
        chart.note = PLEDGED_AND_COMMITTED
        charts.append(chart)
        # Over time: cumulative totals at the end of each day with a change.
        end = max(timezone.localdate(), changes[-1][0])
        if (end - changes[0][0]).days < 1:
            continue
        start = timezone.localdate(project.published_at) if project.published_at else end
        start = min(start, changes[0][0])
        if start == changes[0][0]:
            start -= datetime.timedelta(days=1)  # the first rise is seen, not lost on the axis
        pledged_points, committed_points = [], []
        total_pledged = total_committed = 0
        for day, more_pledged, more_committed in changes:
            total_pledged += more_pledged
            total_committed += more_committed
            if pledged_points and pledged_points[-1][0] == day:
                pledged_points.pop(), committed_points.pop()
            pledged_points.append((day, total_pledged))
            committed_points.append((day, total_committed))
        # Formatted once per day shown, not once per change (a busy project has thousands).
        table = [
            {"date": day, "values": [format_amount(kind, p), format_amount(kind, c)]}
            for (day, p), (_day, c) in zip(pledged_points, committed_points, strict=True)
        ]
        chart = step_line_chart(
            _("%(what)s pledged over time") % {"what": what},
            _(
                "%(what)s pledged and committed since %(start)s. Now %(pledged)s pledged and "
                "%(committed)s committed of a goal of %(goal)s."
            )
            % {
                "what": what,
                "start": date_format(start, "j F Y"),
                "pledged": format_amount(kind, total_pledged),
                "committed": format_amount(kind, total_committed),
                "goal": format_amount(kind, goal),
            },
            [
                Series(_("Pledged (offered, accepted or fulfilled)"), "pledged", pledged_points),
                Series(_("Committed (accepted or fulfilled)"), "committed", committed_points),
            ],
            goal=goal,
            goal_display=format_amount(kind, goal),
            start=start,
            end=end,
        )
        chart.table = table
        charts.append(chart)
    return charts


def council_pledge_charts(*, council: Council, totals: dict) -> list:
    """Bars of what the council offered and committed, by state: money, then staff time."""
    from django.utils.translation import gettext as _

    from core.charts import bar_chart
    from core.formatting import format_half_days, format_pence

    charts = []
    for kind, label, fmt in (
        ("money", _("Money pledged by state"), format_pence),
        ("time", _("Staff time pledged by state"), format_half_days),
    ):
        rows = [
            (PledgeState(state).label, totals[state][kind], fmt(totals[state][kind]), state)
            for state in PUBLIC_PLEDGE_STATES
        ]
        if not any(value for _l, value, _d, _c in rows):
            continue
        description = "; ".join(f"{row[0]}: {row[2]}" for row in rows)
        charts.append(bar_chart(f"{label}: {council.display_name}", description, rows))
    return charts
