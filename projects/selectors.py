"""Reads for projects and pledges: querysets with their joins already done."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum

from councils.models import Council

from .models import PHASE_ORDER, Need, Pledge, PledgeEvent, PledgeState, Project, State
from .permissions import user_can_view_project


def project_list() -> QuerySet[Project]:
    """Published, visible projects with what a listing row shows, in a fixed number of queries."""
    return (
        Project.objects.visible().select_related("lead_council").prefetch_related("service_areas")
    )


def project_for_page(*, slug: str, user) -> Project | None:
    project = (
        Project.objects.select_related("lead_council", "owner")
        .prefetch_related("service_areas")
        .filter(slug=slug)
        .first()
    )
    if project is None or not user_can_view_project(user, project):
        return None
    return project


def project_needs(*, project: Project) -> QuerySet[Need]:
    return Need.objects.filter(project=project).order_by("position", "pk")


def project_pledges(*, project: Project) -> QuerySet[Pledge]:
    return (
        Pledge.objects.filter(project=project)
        .select_related("council", "pledged_by", "need")
        .prefetch_related(
            Prefetch(
                "events", queryset=PledgeEvent.objects.select_related("actor").order_by("sequence")
            )
        )
        .order_by("-created_at", "-pk")
    )


def project_partner_councils(*, project: Project) -> QuerySet[Council]:
    committed = Pledge.objects.filter(
        project=project,
        council=OuterRef("pk"),
        state__in=(PledgeState.ACCEPTED, PledgeState.FULFILLED),
    )
    return (
        Council.objects.filter(Exists(committed))
        .exclude(pk=project.lead_council_id)
        .order_by("short_name")
    )


def pledge_with_history(*, pk: int) -> Pledge | None:
    return (
        Pledge.objects.select_related(
            "project__lead_council", "project__owner", "council", "need", "pledged_by"
        )
        .prefetch_related(
            Prefetch(
                "events", queryset=PledgeEvent.objects.select_related("actor").order_by("sequence")
            )
        )
        .filter(pk=pk)
        .first()
    )


def council_pledges(*, council: Council) -> QuerySet[Pledge]:
    """The council's pledges with their projects, newest first (page and CSV)."""
    return (
        Pledge.objects.filter(council=council)
        .select_related("project", "project__lead_council", "need", "pledged_by")
        .order_by("-created_at", "-pk")
    )


def council_pledge_totals(*, council: Council) -> dict[str, dict[str, int]]:
    """{state: {"money": pence, "time": half_days, "count": n}} for every state, in one query."""
    totals = {state: {"money": 0, "time": 0, "count": 0} for state in PledgeState.values}
    rows = (
        Pledge.objects.filter(council=council)
        .values("state", "kind")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    for row in rows:
        totals[row["state"]][row["kind"]] = row["total"]
        totals[row["state"]]["count"] += row["n"]
    return totals


def council_projects_led(*, council: Council, user) -> QuerySet[Project]:
    from councils.selectors import user_may_act_for_council

    qs = (
        Project.objects.filter(lead_council=council)
        .select_related("lead_council")
        .prefetch_related("service_areas")
    )
    if user.is_authenticated and (
        user.is_organiser or user_may_act_for_council(user=user, council=council)
    ):
        return qs.order_by("-created_at")
    return qs.filter(
        Q(state__in=[s for s in State.values if s != State.DRAFT]), is_hidden=False
    ).order_by("-published_at")


def pledges_waiting_for(*, project: Project) -> QuerySet[Pledge]:
    return project_pledges(project=project).filter(state=PledgeState.OFFERED)


COUNCIL_PAGE_PLEDGES = 50


def council_project_context(*, council: Council, user) -> dict:
    """What a council's page shows of projects: those it leads, its pledges and their totals."""
    totals = council_pledge_totals(council=council)
    return {
        "projects_led": council_projects_led(council=council, user=user),
        "pledges_made": council_pledges(council=council)[:COUNCIL_PAGE_PLEDGES],
        "pledge_totals": [
            {"state": state, "label": PledgeState(state).label, **totals[state]}
            for state in PledgeState.values
        ],
        "pledge_count": sum(totals[state]["count"] for state in PledgeState.values),
    }


def pledge_list() -> QuerySet[Pledge]:
    """Pledges to published, visible projects, with what a listing row shows."""
    return Pledge.objects.filter(
        project__state__in=[s for s in State.values if s != State.DRAFT], project__is_hidden=False
    ).select_related("project", "council", "pledged_by")


def headline_stats() -> dict:
    """The home page's figures: councils taking part, projects by phase, money and days."""
    from councils.models import MembershipStatus

    visible = Project.objects.visible()
    by_phase = dict(visible.values_list("phase").annotate(n=Count("pk")).order_by())
    totals = visible.aggregate(
        money_pledged=Sum(
            F("money_offered") + F("money_accepted") + F("money_fulfilled"), default=0
        ),
        money_accepted=Sum(F("money_accepted") + F("money_fulfilled"), default=0),
        days_pledged=Sum(
            F("half_days_offered") + F("half_days_accepted") + F("half_days_fulfilled"), default=0
        ),
        days_accepted=Sum(F("half_days_accepted") + F("half_days_fulfilled"), default=0),
    )
    councils = (
        Council.objects.filter(
            Q(memberships__status=MembershipStatus.VERIFIED)
            | Q(pledges__isnull=False)
            | Q(projects_led__isnull=False)
        )
        .distinct()
        .count()
    )
    return {
        "councils_taking_part": councils,
        "projects_by_phase": {phase: by_phase.get(phase, 0) for phase in PHASE_ORDER},
        "projects": sum(by_phase.values()),
        **totals,
    }


def project_team_partner_council_ids(project: Project) -> set[int]:
    """Councils (other than the lead) with an active maker-team member."""
    return set()
