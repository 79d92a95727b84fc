"""Reads for applications: who may see and do what to a bid, the bid with everything its page
shows, the projects a person may apply with, and the open data (every submitted bid's public
record) with the one FilterSet the API, its CSV and the call page share.

What is public: a bid once it is submitted (and after: shortlisted, funded, not funded, or
withdrawn after submission, shown as withdrawn), as its public record only (call, project, lead
council, confirmed partners, summary, amount requested, phase, state, dates, the decision and
award). Never its answers, a draft, or a bid withdrawn before it was submitted.

The shortlist is the funder's until it publishes its decisions: a shortlisted bid is shown as
submitted (``Application.public_state``) everywhere but to the funder's assessors, moderators and
admins and to organisers (``state_shown``), in the open data's filters too.

Drafts are seen by the lead council's verified members, the project's team and organisers; the
funder's verified members see bids from their submission (answers included).
"""

import django_filters
from django import forms
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet
from councils.models import Membership, MembershipRole, MembershipStatus
from projects.models import Project, ServiceArea, State, TeamMembership, TeamStatus

from ..models import (
    PUBLIC_STATES,
    SHOWN_STATES,
    Application,
    ApplicationPartner,
    ApplicationState,
    AwardTranche,
    Call,
    FunderMembership,
    FunderRole,
    PartnerState,
)

# Where a bid still counts as live: it holds the project's one place in the call.
LIVE_STATES = tuple(s for s in ApplicationState.values if s != ApplicationState.WITHDRAWN)
# The states the open data shows (a withdrawn bid only if it had been submitted).
OPEN_DATA_STATES = (*PUBLIC_STATES, ApplicationState.WITHDRAWN)
# The states its filter offers: as shown, so never the shortlist.
OPEN_DATA_FILTER_STATES = tuple(s for s in OPEN_DATA_STATES if s in SHOWN_STATES)
# The funder's roles that see its shortlist (those who assess, moderate and run its calls).
SHORTLIST_ROLES = (FunderRole.ASSESSOR, FunderRole.MODERATOR, FunderRole.ADMIN)
# Projects that may apply: published, visible and being worked on.
APPLYING_PROJECT_STATES = (State.SEEKING_SUPPORT, State.IN_DELIVERY)


def public_q(prefix: str = "") -> Q:
    """Applications whose public record is open data."""
    return Q(**{f"{prefix}state__in": PUBLIC_STATES}) | Q(
        **{f"{prefix}state": ApplicationState.WITHDRAWN, f"{prefix}submitted_at__isnull": False}
    )


def is_public(application: Application) -> bool:
    return application.state in PUBLIC_STATES or (
        application.state == ApplicationState.WITHDRAWN and application.submitted_at is not None
    )


# --- who is who to a bid ------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def _lead_membership(user, application: Application) -> Membership | None:
    """The person's verified membership of the bid's lead council (remembered per request)."""
    if not _signed_in(user):
        return None
    cache = application.__dict__.setdefault("_lead_membership", {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(
            user=user, council_id=application.lead_council_id, status=MembershipStatus.VERIFIED
        ).first()
    return cache[user.pk]


def user_on_project_team(user, project: Project) -> bool:
    """The project's owner or an active member of its maker team."""
    if not _signed_in(user):
        return False
    if project.owner_id == user.pk:
        return True
    return TeamMembership.objects.filter(
        project=project, user=user, status=TeamStatus.ACTIVE
    ).exists()


def user_is_funder_member(user, application: Application) -> bool:
    if not _signed_in(user):
        return False
    return FunderMembership.objects.filter(
        user=user, funder_id=application.call.funder_id, status=MembershipStatus.VERIFIED
    ).exists()


def user_sees_draft(user, application: Application) -> bool:
    """The bid in full before it is submitted: the lead council's verified members, the
    project's team, and organisers."""
    if not _signed_in(user):
        return False
    return (
        user.is_organiser
        or _lead_membership(user, application) is not None
        or user_on_project_team(user, application.project)
    )


def user_sees_answers(user, application: Application) -> bool:
    """The whole bid, answers included: those who see its draft, and from its submission the
    funder's verified members (who assess it)."""
    if user_sees_draft(user, application):
        return True
    return application.submitted_at is not None and user_is_funder_member(user, application)


def user_sees_shortlist(user, application: Application) -> bool:
    """Whether the bid is on the shortlist: the funder's verified assessors, moderators and
    admins, and organisers. Not its applicants, nor the funder's other members."""
    if not _signed_in(user):
        return False
    return (
        user.is_organiser
        or FunderMembership.objects.filter(
            user=user,
            funder_id=application.call.funder_id,
            status=MembershipStatus.VERIFIED,
            role__in=SHORTLIST_ROLES,
        ).exists()
    )


def state_shown(user, application: Application) -> str:
    """The bid's state as this person may see it (``Application.public_state`` unless they see
    the shortlist)."""
    if application.state == ApplicationState.SHORTLISTED and user_sees_shortlist(user, application):
        return application.state
    return application.public_state


def user_can_view_application(user, application: Application) -> bool:
    return is_public(application) or user_sees_answers(user, application)


def user_can_edit_application(user, application: Application) -> bool:
    """Start and edit a bid: a verified member of the lead council on the project's team (or
    its owner)."""
    return _lead_membership(user, application) is not None and user_on_project_team(
        user, application.project
    )


def user_has_authority(user, application: Application) -> bool:
    """Commit the lead council (submit, withdraw): its verified approvers and admins. Their
    second factor is asked for by the services."""
    membership = _lead_membership(user, application)
    return membership is not None and membership.role in (
        MembershipRole.APPROVER,
        MembershipRole.ADMIN,
    )


# --- one bid --------------------------------------------------------------------------------


def application_rows() -> QuerySet[Application]:
    """Applications with what every page, API row and CSV line shows, in a constant number of
    queries: the call and its funder, the project, the lead council, the confirmed partners
    (``confirmed_partners``), the project's service areas, and a funded bid's published award
    tranches (``published_tranches``)."""
    return Application.objects.select_related(
        "call__funder", "project__lead_council", "lead_council"
    ).prefetch_related(
        Prefetch(
            "partners",
            queryset=ApplicationPartner.objects.filter(state=PartnerState.CONFIRMED)
            .select_related("council")
            .order_by("council__short_name", "pk"),
            to_attr="confirmed_partners",
        ),
        "project__service_areas",
        published_tranches_prefetch(),
    )


def published_tranches_prefetch() -> Prefetch:
    """An award's tranches, public once the decisions are published (each then has its
    pledge, whose state says awarded or released)."""
    return Prefetch(
        "tranches",
        queryset=AwardTranche.objects.filter(pledge__isnull=False)
        .select_related("pledge", "milestone")
        .order_by("position"),
        to_attr="published_tranches",
    )


def published_tranches(application: Application) -> list[AwardTranche]:
    found = getattr(application, "published_tranches", None)
    if found is None:
        found = list(published_tranches_prefetch().queryset.filter(application=application))
    return found


def application_for_page(*, pk, user) -> Application | None:
    """The bid, if this person may see it (a draft does not exist for anyone else)."""
    pk = str(pk)
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        return None
    application = (
        Application.objects.select_related(
            "call__funder",
            "project__lead_council",
            "project__owner",
            "lead_council",
            "submitted_by",
            "withdrawn_by",
        )
        .filter(pk=int(pk))
        .first()
    )
    if application is None or not user_can_view_application(user, application):
        return None
    return application


def application_partners(*, application: Application) -> list[ApplicationPartner]:
    """Every partner council in the bid and where it stands, for its page."""
    return list(
        ApplicationPartner.objects.filter(application=application)
        .select_related("council", "decided_by")
        .order_by("invited_at", "pk")
    )


def application_answers(*, application: Application) -> list[tuple]:
    """(question, answer text) for each of the call's questions, in the call's order."""
    answers = {a.question_id: a.text for a in application.answers.all()}
    return [(q, answers.get(q.pk, "")) for q in application.call.questions.all()]


# --- applying -----------------------------------------------------------------------------------


def projects_to_apply_with(*, user, call: Call) -> QuerySet[Project]:
    """The projects this person may apply to ``call`` with: published and being worked on, led
    by a council they are a verified member of, on whose team they are (or which they own), and
    with no live application to this call."""
    if not _signed_in(user):
        return Project.objects.none()
    councils = Membership.objects.filter(user=user, status=MembershipStatus.VERIFIED).values(
        "council_id"
    )
    teams = TeamMembership.objects.filter(user=user, status=TeamStatus.ACTIVE).values("project_id")
    live = Application.objects.filter(call=call, state__in=LIVE_STATES).values("project_id")
    return (
        Project.objects.visible()
        .filter(state__in=APPLYING_PROJECT_STATES, lead_council__in=councils)
        .filter(Q(owner=user) | Q(pk__in=teams))
        .exclude(pk__in=live)
        .select_related("lead_council")
        .order_by("title", "pk")
    )


def live_applications_by(*, user, call: Call) -> QuerySet[Application]:
    """The person's councils' live bids to this call (to point them at, rather than a form)."""
    if not _signed_in(user):
        return Application.objects.none()
    councils = Membership.objects.filter(user=user, status=MembershipStatus.VERIFIED).values(
        "council_id"
    )
    return (
        Application.objects.filter(call=call, state__in=LIVE_STATES, lead_council__in=councils)
        .select_related("project")
        .order_by("project__title", "pk")
    )


# --- open data ------------------------------------------------------------------------------

# Newest submission first; submitted_at is set on every public record, so cursor pages are exact.
PUBLIC_ORDERING = ("-submitted_at", "-pk")


def public_applications() -> QuerySet[Application]:
    """Every bid whose public record is open data, with what its row shows."""
    return application_rows().filter(public_q()).order_by(*PUBLIC_ORDERING)


def call_applications(*, call: Call) -> list[Application]:
    """The public records of one call's bids, for its page: newest submission first."""
    return list(public_applications().filter(call=call))


class ApplicationFilterSet(FilterSet):
    """The open data's filters, shared by /api/v1/applications/ and its CSV (and any page
    listing bids)."""

    call = django_filters.CharFilter(field_name="call__slug", label=_("Call (slug)"))
    lead_council = django_filters.CharFilter(
        method="filter_lead_council", label=_("Lead council (register code or slug)")
    )
    state = django_filters.MultipleChoiceFilter(
        choices=[(s, ApplicationState(s).label) for s in OPEN_DATA_FILTER_STATES],
        method="filter_state",
        label=_("State"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    area = django_filters.ModelChoiceFilter(
        field_name="project__service_areas",
        to_field_name="slug",
        queryset=ServiceArea.objects.all(),
        label=_("Service area of the project"),
        empty_label=_("Any service area"),
        distinct=False,
    )

    class Meta:
        model = Application
        fields = ["call", "lead_council", "state", "area"]

    def filter_state(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        """By the state as shown: "submitted" takes in the shortlisted bids, which are
        submitted as far as anyone filtering the open data knows."""
        if not value:
            return queryset
        states = set(value)
        if ApplicationState.SUBMITTED in states:
            states.add(ApplicationState.SHORTLISTED)
        return queryset.filter(state__in=sorted(states))

    def filter_lead_council(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(lead_council__code__iexact=value) | Q(lead_council__slug=value.lower())
        )
