"""Reads for funding calls: the public listing's sections, one call's page, the vocabularies
a call's rules are chosen from.

Whether a published call is upcoming, open or closed follows from its times and the server's
clock (``now``), never from a stored flag, so a call opens and closes on time without a job.
"""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.vocabulary import Term, in_reader_language
from councils.models import Commitment, Council
from councils.vocabulary import AUTHORITY_TYPES
from projects.models import ServiceArea

from ..models import Call, CallQuestion, CallStatus, Criterion, Funder
from .funders import user_funder_ids

User = get_user_model()

# What the public sees of a call (and the API's ``status``), besides a funder's drafts.
UPCOMING, OPEN, CLOSED, DECIDED, DRAFT = "upcoming", "open", "closed", "decided", "draft"
STAGES = (OPEN, UPCOMING, CLOSED, DECIDED)
PUBLIC_STATUSES = (CallStatus.PUBLISHED, CallStatus.DECIDED)
# Each stage's order, a cursor ordering (no NULLs: ``decided_at`` is set on every decided
# call): what closes first, what opens first, what closed last, what was decided last.
STAGE_ORDERING = {
    OPEN: ("closes_at", "pk"),
    UPCOMING: ("opens_at", "pk"),
    CLOSED: ("-closes_at", "-pk"),
    DECIDED: ("-decided_at", "-pk"),
}
DEFAULT_ORDERING = ("-closes_at", "-pk")


def stage_q(stage: str, now: datetime.datetime | None = None) -> Q:
    """The calls in one public stage at ``now``."""
    now = now or timezone.now()
    published = Q(status=CallStatus.PUBLISHED)
    return {
        UPCOMING: published & Q(opens_at__gt=now),
        OPEN: published & Q(opens_at__lte=now, closes_at__gt=now),
        CLOSED: published & Q(closes_at__lte=now),
        DECIDED: Q(status=CallStatus.DECIDED),
    }[stage]


def call_stage(call: Call, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if call.status == CallStatus.DRAFT:
        return DRAFT
    if call.status == CallStatus.DECIDED:
        return DECIDED
    if now < call.opens_at:
        return UPCOMING
    return OPEN if now < call.closes_at else CLOSED


def call_is_locked(call: Call, now: datetime.datetime | None = None) -> bool:
    """Has a published call opened? Then its rules, questions and criteria stay as applicants
    first read them: only its description and decision date may change."""
    now = now or timezone.now()
    return call.status != CallStatus.DRAFT and call.opens_at <= now


def public_calls() -> QuerySet[Call]:
    """Published and decided calls with their funder: the base the listing's FilterSet narrows
    (page and API). Rules that a card or an API row shows come prefetched, one query each."""
    return (
        Call.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("funder")
        .prefetch_related(
            Prefetch("service_areas", queryset=ServiceArea.objects.order_by("name")),
            Prefetch("required_commitments", queryset=Commitment.objects.order_by("name")),
        )
    )


def call_sections(
    calls: QuerySet[Call], *, size: int, now: datetime.datetime | None = None
) -> dict[str, tuple[list[Call], bool]]:
    """The listing's sections: for each stage, up to ``size`` calls in its order and whether
    there are more. One query per stage, whatever the number of calls (the cards show no
    rules, so nothing is prefetched)."""
    now = now or timezone.now()
    calls = calls.prefetch_related(None)
    sections = {}
    for stage in STAGES:
        rows = list(calls.filter(stage_q(stage, now)).order_by(*STAGE_ORDERING[stage])[: size + 1])
        sections[stage] = (rows[:size], len(rows) > size)
    return sections


def call_detail_queryset() -> QuerySet[Call]:
    return Call.objects.select_related("funder").prefetch_related(
        Prefetch("questions", queryset=CallQuestion.objects.order_by("position", "pk")),
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk")),
        Prefetch("service_areas", queryset=ServiceArea.objects.order_by("name")),
        Prefetch("required_commitments", queryset=Commitment.objects.order_by("name")),
    )


def call_for_page(*, slug: str, user: User | None) -> Call | None:
    """The call, with its questions, criteria and rules; a draft only for the funder's
    verified members and organisers (to anyone else it does not exist)."""
    call = call_detail_queryset().filter(slug=slug).first()
    if call is None or call.status != CallStatus.DRAFT:
        return call
    if user is None or not user.is_authenticated:
        return None
    if user.is_organiser or call.funder_id in user_funder_ids(user=user):
        return call
    return None


def funder_calls(*, funder: Funder, with_drafts: bool) -> list[Call]:
    """A funder's calls for its page: drafts first (for its members), then the newest."""
    statuses = (*PUBLIC_STATUSES, CallStatus.DRAFT) if with_drafts else PUBLIC_STATUSES
    return list(
        Call.objects.filter(funder=funder, status__in=statuses).order_by("-created_at", "-pk")
    )


def funder_by_slug(slug: str) -> Funder | None:
    return Funder.objects.filter(slug=slug).first()


# --- the vocabularies of a call's rules --------------------------------------------------------


def council_type_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Register type code → its name in English (one query): for each of ``codes``, or else for
    every type the councils on Pipeline have. A code no council names stands for itself. Show
    a name with ``council_type_display``, in the reader's language."""
    rows = Council.objects.exclude(authority_type="")
    order: list[str] = []
    if codes is not None:
        order = list(codes)
        rows = rows.filter(authority_type__in=order)
    names: dict[str, str] = {}
    for code, name in (
        rows.values_list("authority_type", "authority_type_name")
        .order_by("authority_type_name", "authority_type")
        .distinct()
    ):
        if name:
            names.setdefault(code, name)
        order.append(code)
    return {code: names.get(code, code) for code in dict.fromkeys(order)}


def council_type_display(code: str, names: dict[str, str]) -> Term:
    """A type code's name in the reader's language (the code itself if no council has it)."""
    return in_reader_language(names.get(code, code), AUTHORITY_TYPES)


def council_type_choices() -> list[tuple[str, str]]:
    """(code, name in the reader's language) for each type the councils on Pipeline have."""
    names = council_type_names()
    return sorted(
        ((code, str(council_type_display(code, names))) for code in names),
        key=lambda pair: pair[1].lower(),
    )
