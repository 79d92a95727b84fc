"""Reads for a bid's partner councils: who may see and do what, the partner list, the
invitations a council has, and the consortium builder (``consortium_suggestions``)."""

import math
from dataclasses import dataclass, field
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from councils.models import (
    Council,
    CouncilCommitment,
    Membership,
    MembershipRole,
    MembershipStatus,
)
from projects.models import (
    LIVE_PLEDGE_STATES,
    DemandSignal,
    Pledge,
    Project,
    TeamMembership,
    TeamStatus,
)
from projects.models import PUBLIC_STATES as PROJECT_PUBLIC_STATES

from ..models import (
    PUBLIC_STATES,
    Application,
    ApplicationPartner,
    ApplicationState,
    PartnerState,
)

User = get_user_model()

# Who speaks for a council when it commits to a bid: its approvers (who sign off pledges over
# its delegated limits) and its admins (who run its membership), as for other commitments.
AUTHORITY_ROLES = (MembershipRole.APPROVER, MembershipRole.ADMIN)


# --- who is who to a bid ----------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerStanding:
    """What a person is to one bid, read once (two queries) for a page or an API call."""

    lead_member: bool = False  # a verified member of the lead council
    team: bool = False  # on the project's maker team
    organiser: bool = False
    council_ids: frozenset[int] = frozenset()  # councils they are a verified member of
    authority_ids: frozenset[int] = frozenset()  # … of which they are an approver or admin

    @property
    def party(self) -> bool:
        """The bid's own side: sees all of it, drafts included."""
        return self.lead_member or self.team or self.organiser

    def member_of(self, council_id: int) -> bool:
        return council_id in self.council_ids

    def has_authority(self, council_id: int) -> bool:
        return council_id in self.authority_ids


NOBODY = PartnerStanding()


def partner_standing(*, user, application: Application) -> PartnerStanding:
    if user is None or not user.is_authenticated:
        return NOBODY
    memberships = list(
        Membership.objects.filter(user=user, status=MembershipStatus.VERIFIED).values_list(
            "council_id", "role"
        )
    )
    team = TeamMembership.objects.filter(
        project_id=application.project_id, user=user, status=TeamStatus.ACTIVE
    ).exists()
    council_ids = frozenset(council_id for council_id, _role in memberships)
    return PartnerStanding(
        lead_member=application.lead_council_id in council_ids,
        team=team,
        organiser=bool(user.is_organiser),
        council_ids=council_ids,
        authority_ids=frozenset(c for c, role in memberships if role in AUTHORITY_ROLES),
    )


def user_has_council_authority(*, user, council: Council) -> bool:
    """May this person commit the council to a bid? A verified approver or admin of it (the
    second factor is asked for by the service, with its own words)."""
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, council=council, status=MembershipStatus.VERIFIED, role__in=AUTHORITY_ROLES
    ).exists()


def council_authorities(*, council: Council) -> QuerySet[Membership]:
    """The people who can confirm the council's part: shown to its other members, who ask them."""
    return (
        Membership.objects.filter(
            council=council, status=MembershipStatus.VERIFIED, role__in=AUTHORITY_ROLES
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


def invitation_recipient_ids(*, council: Council) -> list[int]:
    """Who hears of an invitation: the council's approvers and admins, who can answer it; or,
    when it has none, all its verified members (one of them can ask for the role)."""
    verified = Membership.objects.filter(
        council=council, status=MembershipStatus.VERIFIED, user__is_active=True
    )
    people = list(verified.filter(role__in=AUTHORITY_ROLES).values_list("user_id", flat=True))
    return sorted(set(people or verified.values_list("user_id", flat=True)))


# --- the bid and its partners ----------------------------------------------------------------


def application_for_partners(*, pk: int) -> Application | None:
    return (
        Application.objects.select_related(
            "call__funder", "project__lead_council", "project__owner", "lead_council"
        )
        .filter(pk=pk)
        .first()
    )


def application_is_public(application: Application) -> bool:
    return application.state in PUBLIC_STATES


def partners_visible_to(*, application: Application, standing: PartnerStanding) -> bool:
    """May this person see the bid's partners at all? Its own side always; anyone once it is
    submitted (its confirmed partners are public); an invited council for its own invitation."""
    return (
        standing.party
        or application_is_public(application)
        or bool(
            standing.council_ids
            and ApplicationPartner.objects.filter(
                application=application, council_id__in=standing.council_ids
            ).exists()
        )
    )


def partner_list(
    *, application: Application, standing: PartnerStanding
) -> QuerySet[ApplicationPartner]:
    """The partner rows this person may see, in the order they were invited. The bid's own side
    sees every row; once the bid is submitted, everyone sees its confirmed partners; an invited
    council's members see their own council's row."""
    rows = ApplicationPartner.objects.filter(application=application).select_related(
        "council", "invited_by", "decided_by"
    )
    if standing.party:
        return rows.order_by("invited_at", "pk")
    shown = Q(council_id__in=standing.council_ids)
    if application_is_public(application):
        shown |= Q(state=PartnerState.CONFIRMED)
    return rows.filter(shown).order_by("invited_at", "pk")


def change_refusal(application: Application) -> str:
    """Why the bid's partners can no longer change ("" while it is a draft)."""
    if application.state == ApplicationState.DRAFT:
        return ""
    return _("This bid is %(state)s, so its partners can no longer change.") % {
        "state": application.get_public_state_display().lower()
    }


def invitation_refusal(application: Application, *, now=None) -> str:
    """Why no council can be invited, or confirm its part, now ("" while the bid is a draft and
    the call is open, by the server's clock)."""
    refusal = change_refusal(application)
    if refusal:
        return refusal
    call = application.call
    now = now or timezone.now()
    if call.is_open(now):
        return ""
    if call.closes_at <= now:
        closed = date_format(timezone.localtime(call.closes_at), "j F Y, H:i")
        return _("The call closed on %(date)s, so councils can no longer join this bid.") % {
            "date": closed
        }
    return _("The call is not open for applications.")


def partner_for(*, application: Application, council_slug: str) -> ApplicationPartner | None:
    return (
        ApplicationPartner.objects.select_related(
            "council",
            "invited_by",
            "decided_by",
            "application__call__funder",
            "application__project",
            "application__lead_council",
        )
        .filter(application=application, council__slug=council_slug)
        .first()
    )


def invitations_for_user(*, user, limit: int = 200) -> list[ApplicationPartner]:
    """Invitations to the councils this person is a verified member of, newest first: every
    state, so a council sees what it answered as well as what waits for it."""
    if user is None or not user.is_authenticated:
        return []
    mine = Membership.objects.filter(user=user, status=MembershipStatus.VERIFIED).values(
        "council_id"
    )
    return list(
        ApplicationPartner.objects.filter(council_id__in=mine)
        .select_related(
            "council",
            "invited_by",
            "decided_by",
            "application__call__funder",
            "application__project",
            "application__lead_council",
        )
        .order_by("-invited_at", "-pk")[:limit]
    )


def find_councils(text: str, *, limit: int = 10) -> list[Council]:
    """Current councils matching what a person typed: its register code, its address name or
    its name exactly; else any whose name contains it. The council chooser of the invite form."""
    text = " ".join(text.split())
    if not text:
        return []
    current = Council.objects.current().order_by("short_name", "pk")
    exact = list(
        current.filter(
            Q(code__iexact=text)
            | Q(slug=text.lower())
            | Q(short_name__iexact=text)
            | Q(name__iexact=text)
            | Q(name_cy__iexact=text)
        )[: limit + 1]
    )
    if exact:
        return exact
    return list(
        current.filter(
            Q(short_name__icontains=text) | Q(name__icontains=text) | Q(name_cy__icontains=text)
        )[: limit + 1]
    )


# --- the consortium builder ------------------------------------------------------------------

# Points for each kind of evidence. Each kind's most is below the next stronger kind's least, so
# one piece of stronger evidence outranks any amount of a weaker kind alone:
#   explicit demand (100) > officers following (40..60) > worked together (25..35)
#   > same service area (10..22) > similar council (4..9); signing the commitments the call
#   requires adds a little (3), as it makes the council count toward the call's minimum.
DEMAND_POINTS = 100
FOLLOW_POINTS, FOLLOW_MORE, FOLLOW_MOST = 40, 8, 60
WORKED_POINTS, WORKED_MORE, WORKED_MOST = 25, 5, 35
AREA_LEAD_POINTS, AREA_PLEDGE_POINTS, AREA_MORE, AREA_MOST = 12, 10, 2, 22
SAME_TYPE_POINTS, SAME_REGION_POINTS, SIMILAR_SIZE_POINTS = 5, 4, 3
# "A similar size": the larger population at most this many times the smaller.
SIMILAR_SIZE_RATIO = Fraction(3, 2)
COMMITMENT_POINTS = 3


class Evidence:
    DEMAND = "demand"
    FOLLOWS = "follows"
    WORKED_TOGETHER = "worked_together"
    SERVICE_AREA = "service_area"
    SIMILAR = "similar"


@dataclass(frozen=True)
class Reason:
    kind: str
    text: str
    points: int


@dataclass
class Suggestion:
    """A council the lead could invite, with why, best evidence first."""

    council: Council
    score: int = 0
    reasons: list[Reason] = field(default_factory=list)
    # None when the call requires no commitment; else whether it signed every one.
    meets_commitments: bool | None = None
    commitments_text: str = ""  # "Signed the Local Digital Declaration", or what is missing

    @property
    def because(self) -> str:
        """The reasons as stored with an invitation and shown to the invited council."""
        return "\n".join(r.text for r in self.reasons)


def _more(first: int, each: int, most: int, count: int) -> int:
    return min(most, first + each * (max(count, 1) - 1))


def _best_area(rows, key: str, names: dict[int, str]) -> dict[int, tuple[int, str]]:
    """Per council, its area with the most projects: (count, area name)."""
    best: dict[int, tuple[int, str]] = {}
    for row in rows:
        council_id, count, name = row[key], row["n"], names[row["area"]]
        if council_id not in best or (count, name) > best[council_id]:
            best[council_id] = (count, name)
    return best


def consortium_suggestions(application: Application, limit: int = 20) -> list[Suggestion]:
    """Councils the lead could invite into ``application``, ranked by evidence, each with the
    reasons shown to the lead (and stored with an invitation made from the suggestion).

    Evidence, strongest first, and its weight (points, documented above the constants):

    - explicit demand: the council said "we need this too" of the project (``DemandSignal``):
      100;
    - officers following the project: verified members of the council who follow it: 40 for
      one, 8 more for each other, at most 60;
    - worked together: the council pledged to one of the lead's published projects, the lead
      pledged to one of its projects, or both were confirmed partners in another bid: 25 for
      one link, 5 more for each other, at most 35;
    - same service area: the council leads, or pledged to, published projects in the service
      areas of the bid's project (its best area counts): 12 for leading one, 10 for pledging to
      one, 2 more for each other project, at most 22 in all;
    - similar council: the same type as the lead (5), the same region (4), and a similar
      population (3: the larger at most 1.5 times the smaller, from the register's estimate).

    A council that signed every commitment the call requires (such as the Local Digital
    Declaration) gets 3 more, and is marked, as only such partners count toward the call's
    minimum. Councils that have ended or are not on the register, the lead, and councils already
    in the bid (invited, confirmed or declined) are never suggested. A suggestion needs at least
    one kind of evidence; ties go to the council's name.

    Runs a fixed set of queries whatever the number of councils, projects or pledges: each kind
    of evidence is one grouped query, then the councils are read once and ranked in Python.
    """
    project = application.project
    lead = application.lead_council
    call = application.call
    found: dict[int, list[Reason]] = {}

    def add(council_id: int, kind: str, text: str, points: int) -> None:
        found.setdefault(council_id, []).append(Reason(kind, text, points))

    # Explicit demand.
    for council_id, said_at in DemandSignal.objects.filter(project=project).values_list(
        "council_id", "created_at"
    ):
        day = date_format(timezone.localtime(said_at).date(), "j F Y")
        add(
            council_id,
            Evidence.DEMAND,
            _("Said “we need this too” on %(date)s") % {"date": day},
            DEMAND_POINTS,
        )

    # Officers following the project (verified members of the council).
    followers = (
        Membership.objects.filter(status=MembershipStatus.VERIFIED, user__follows__project=project)
        .values("council_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    for row in followers:
        n = row["n"]
        add(
            row["council_id"],
            Evidence.FOLLOWS,
            ngettext("%(n)s officer follows this project", "%(n)s officers follow this project", n)
            % {"n": n},
            _more(FOLLOW_POINTS, FOLLOW_MORE, FOLLOW_MOST, n),
        )

    # Worked together: pledges either way between the two councils, and earlier bids.
    worked: dict[int, list[tuple[int, str]]] = {}
    # Pledges on the table or taken up, to projects the public sees.
    live = Q(
        state__in=LIVE_PLEDGE_STATES,
        offered_at__isnull=False,
        project__state__in=PROJECT_PUBLIC_STATES,
        project__is_hidden=False,
    )
    to_lead = (
        Pledge.objects.filter(live, project__lead_council=lead)
        .values("council_id")
        .annotate(n=Count("project_id", distinct=True), title=Max("project__title"))
    )
    for row in to_lead:
        n, title = row["n"], row["title"]
        worked.setdefault(row["council_id"], []).append(
            (
                n,
                ngettext(
                    "Worked with %(lead)s before: pledged to its project “%(title)s”",
                    "Worked with %(lead)s before: pledged to %(n)s of its projects, including "
                    "“%(title)s”",
                    n,
                )
                % {"lead": lead.display_name, "title": title, "n": n},
            )
        )
    from_lead = (
        Pledge.objects.filter(live, council=lead)
        .values(other=F("project__lead_council_id"))
        .annotate(n=Count("project_id", distinct=True), title=Max("project__title"))
    )
    for row in from_lead:
        n, title = row["n"], row["title"]
        worked.setdefault(row["other"], []).append(
            (
                n,
                ngettext(
                    "%(lead)s pledged to its project “%(title)s”",
                    "%(lead)s pledged to %(n)s of its projects, including “%(title)s”",
                    n,
                )
                % {"lead": lead.display_name, "title": title, "n": n},
            )
        )
    # Other bids in which the lead and the council were both in: one led and the other was a
    # confirmed partner, or both were confirmed partners.
    confirmed = ApplicationPartner.objects.filter(state=PartnerState.CONFIRMED).exclude(
        application=application
    )
    bids = [
        confirmed.filter(application__lead_council=lead).values(other=F("council_id")),
        confirmed.filter(council=lead).values(other=F("application__lead_council_id")),
        confirmed.filter(
            application__partners__council=lead,
            application__partners__state=PartnerState.CONFIRMED,
        ).values(other=F("council_id")),
    ]
    bid_links: dict[int, tuple[set[int], str]] = {}
    for rows in bids:
        for row in rows.annotate(
            n=Count("application_id", distinct=True), title=Max("application__project__title")
        ):
            if row["other"] == lead.pk:
                continue
            count, title = bid_links.get(row["other"], (0, ""))
            bid_links[row["other"]] = (count + row["n"], max(title, row["title"] or ""))
    for council_id, (n, title) in bid_links.items():
        worked.setdefault(council_id, []).append(
            (
                n,
                ngettext(
                    "Partners with %(lead)s in an earlier bid, for “%(title)s”",
                    "Partners with %(lead)s in %(n)s earlier bids, including one for “%(title)s”",
                    n,
                )
                % {"lead": lead.display_name, "title": title, "n": n},
            )
        )
    for council_id, links in worked.items():
        points = _more(WORKED_POINTS, WORKED_MORE, WORKED_MOST, sum(n for n, _text in links))
        for i, (_n, text) in enumerate(links):
            # The kind's points once, on its first reason; the others explain it.
            add(council_id, Evidence.WORKED_TOGETHER, text, points if i == 0 else 0)

    # Same service areas: projects the council leads or pledged to, in the project's areas.
    areas = {a.pk: str(a.display_name) for a in project.service_areas.all()}
    if areas:
        leads = _best_area(
            Project.objects.visible()
            .exclude(pk=project.pk)
            .annotate(area=F("service_areas"))
            .filter(area__in=list(areas))
            .values("lead_council_id", "area")
            .annotate(n=Count("pk", distinct=True)),
            "lead_council_id",
            areas,
        )
        pledged = _best_area(
            Pledge.objects.filter(live)
            .exclude(project=project)
            .annotate(area=F("project__service_areas"))
            .filter(area__in=list(areas))
            .values("council_id", "area")
            .annotate(n=Count("project_id", distinct=True)),
            "council_id",
            areas,
        )
        for council_id in leads.keys() | pledged.keys():
            points = 0
            texts = []
            if council_id in leads:
                n, name = leads[council_id]
                points += AREA_LEAD_POINTS + AREA_MORE * (n - 1)
                texts.append(
                    ngettext(
                        "Leads %(n)s project in %(area)s", "Leads %(n)s projects in %(area)s", n
                    )
                    % {"n": n, "area": name}
                )
            if council_id in pledged:
                n, name = pledged[council_id]
                points += AREA_PLEDGE_POINTS + AREA_MORE * (n - 1)
                texts.append(
                    ngettext(
                        "Pledged to %(n)s project in %(area)s",
                        "Pledged to %(n)s projects in %(area)s",
                        n,
                    )
                    % {"n": n, "area": name}
                )
            for i, text in enumerate(texts):
                add(
                    council_id, Evidence.SERVICE_AREA, text, min(AREA_MOST, points) if i == 0 else 0
                )

    # The councils: current, on the register, not the lead, not in the bid already; those with
    # evidence and those like the lead.
    in_bid = ApplicationPartner.objects.filter(application=application).values("council_id")
    similar = Q(pk__in=list(found))
    if lead.authority_type:
        similar |= Q(authority_type=lead.authority_type)
    if lead.region:
        similar |= Q(region=lead.region)
    if lead.population:
        similar |= Q(
            population__gte=math.ceil(lead.population / SIMILAR_SIZE_RATIO),
            population__lte=math.floor(lead.population * SIMILAR_SIZE_RATIO),
        )
    # A council outside the call's nations or council types could never count: not suggested.
    eligible = Q()
    if call.nations:
        eligible &= Q(nation__in=call.nations)
    if call.council_types:
        eligible &= Q(authority_type__in=call.council_types)
    councils = list(
        Council.objects.current()
        .filter(on_register=True)
        .filter(similar)
        .filter(eligible)
        .exclude(pk=lead.pk)
        .exclude(pk__in=in_bid)
    )

    # The call's required commitments, and who signed them all.
    required = {c.pk: c for c in call.required_commitments.all()}
    signed: dict[int, set[int]] = {}
    if required:
        for council_id, commitment_id in CouncilCommitment.objects.filter(
            commitment_id__in=list(required), council_id__in=[c.pk for c in councils]
        ).values_list("council_id", "commitment_id"):
            signed.setdefault(council_id, set()).add(commitment_id)

    suggestions = []
    for council in councils:
        reasons = list(found.get(council.pk, []))
        same_type = bool(lead.authority_type) and council.authority_type == lead.authority_type
        same_region = bool(lead.region) and council.region == lead.region
        if same_type and same_region:
            text = _("Same type as %(lead)s (%(type)s) and in the same region (%(region)s)")
        elif same_type:
            text = _("Same type as %(lead)s (%(type)s)")
        elif same_region:
            text = _("In the same region as %(lead)s (%(region)s)")
        else:
            text = ""
        if text:
            reasons.append(
                Reason(
                    Evidence.SIMILAR,
                    text
                    % {
                        "lead": lead.display_name,
                        "type": council.type_display,
                        "region": council.region_display,
                    },
                    SAME_TYPE_POINTS * same_type + SAME_REGION_POINTS * same_region,
                )
            )
        if similar_size(lead.population, council.population):
            reasons.append(
                Reason(
                    Evidence.SIMILAR,
                    _("A similar size to %(lead)s (%(people)s people; %(lead)s: %(lead_people)s)")
                    % {
                        "lead": lead.display_name,
                        "people": f"{council.population:,}",
                        "lead_people": f"{lead.population:,}",
                    },
                    SIMILAR_SIZE_POINTS,
                )
            )
        if not reasons:
            continue
        suggestion = Suggestion(council=council, reasons=reasons)
        suggestion.score = sum(r.points for r in reasons)
        if required:
            has = signed.get(council.pk, set())
            suggestion.meets_commitments = has >= set(required)
            if suggestion.meets_commitments:
                suggestion.score += COMMITMENT_POINTS
                names = [str(c.display_name) for c in required.values()]
                suggestion.commitments_text = (
                    _("Signed the %(commitment)s") % {"commitment": names[0]}
                    if len(names) == 1
                    else _("Signed every commitment this call asks for: %(commitments)s")
                    % {"commitments": ", ".join(names)}
                )
            else:
                missing = [str(c.display_name) for pk, c in required.items() if pk not in has]
                suggestion.commitments_text = _(
                    "Has not recorded signing: %(commitments)s. It would not count toward the "
                    "call’s minimum of partner councils."
                ) % {"commitments": ", ".join(missing)}
        suggestions.append(suggestion)

    suggestions.sort(key=lambda s: (-s.score, s.council.short_name.lower(), s.council.pk))
    return suggestions[:limit]


def similar_size(first: int | None, second: int | None) -> bool:
    """Both populations known, the larger at most ``SIMILAR_SIZE_RATIO`` times the smaller."""
    if not first or not second:
        return False
    return max(first, second) <= min(first, second) * SIMILAR_SIZE_RATIO


def suggestion_for(application: Application, council: Council) -> Suggestion | None:
    """The builder's suggestion of this council, if it makes one (to store why, on inviting)."""
    for suggestion in consortium_suggestions(application, limit=10_000):
        if suggestion.council.pk == council.pk:
            return suggestion
    return None
