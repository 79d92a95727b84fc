"""Similar bids: a call's submitted applications grouped by how alike their words are, within
each service area, so organisers and the funder can see where councils are bidding to build the
same thing and suggest that they combine (``funding.services.combining``).

How alike two bids are is the cosine of their TF-IDF vectors: each bid's words (the project's
title, counted twice, its summary and the bid's summary), lower-cased, without common English
and Welsh words, a plural "s" taken off; each word weighted by how often the bid uses it and by
how few of the call's bids do. Words every bid uses weigh little; a word two bids alone share
weighs most. Pairs at or above ``THRESHOLD`` are linked, and linked bids form a cluster. Pure
Python and exact order everywhere: the same bids give the same clusters on SQLite and PostgreSQL,
and the page runs the same few queries however many bids there are.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from accounts.mfa import acts_as_organiser
from core.errors import NotAllowed
from councils.models import Membership, MembershipStatus
from projects.models import ServiceArea

from ..models import Application, ApplicationState, Call, CombineState, CombineSuggestion
from .assessment import MODERATING_ROLES, funder_role, require_funder_second_factor
from .partners import user_has_council_authority

# Bids that are in: submitted, and not withdrawn or decided.
SIMILAR_STATES = (ApplicationState.SUBMITTED, ApplicationState.SHORTLISTED)
# Bids this alike (cosine, 0 to 1) or more are shown as a pair.
THRESHOLD = 0.3
# The words shown for why two bids are alike.
SHARED_WORDS = 5
MIN_WORD_LENGTH = 3

_STOP_WORDS = """
    about above across after again against all also among and any are around because been
    before being below between both but can could did does doing down during each either every
    for from further had has have having her here hers him his how into its itself just least
    less like make many may more most much must near need needs new not now off once one only
    onto other our ours out over own per same she should since some such than that the their
    theirs them then there these they this those through too under until upon use used using
    very via was way ways were what when where which while who whom whose why will with within
    without would yet you your yours able across already better help helps well work working
    council councils local project projects service services bid bids will shared share
    ac am ar gan gyda hefyd hyn hynny iddo iddi mae maen ond oedd sydd sef wedi yma yng ydy
    ein eich eu fel neu pan pob rhai trwy tuag ychydig cyngor cynghorau prosiect gwasanaeth
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def _stem(word: str) -> str:
    """A plural ``s`` off ("bins" and "bin" are one word); never from ``ss`` or short words."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def bid_words(*texts: str) -> list[tuple[str, str]]:
    """(stem, word as written, lower-cased) for each distinctive word of ``texts``, in order."""
    found = []
    for text in texts:
        for match in WORD.finditer((text or "").lower()):
            word = match.group().replace("’", "'")
            if len(word) < MIN_WORD_LENGTH or word in STOP_WORDS:
                continue
            stem = _stem(word)
            if stem in STOP_WORDS:
                continue
            found.append((stem, word))
    return found


@dataclass(frozen=True)
class SimilarPair:
    first: Application
    second: Application
    similarity: float
    shared: tuple[str, ...]  # the words that weigh most in both, heaviest first
    suggestion: CombineSuggestion | None = None

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


@dataclass
class Cluster:
    applications: list[Application]
    pairs: list[SimilarPair]
    anchor: str = ""  # an id for the page: its area and its first bid

    @property
    def top(self) -> float:
        return max(p.similarity for p in self.pairs)


@dataclass
class AreaClusters:
    area: ServiceArea | None  # None: bids whose projects name none of the areas
    applications: int
    clusters: list[Cluster] = field(default_factory=list)


@dataclass
class SimilarBids:
    call: Call
    applications: int
    areas: list[AreaClusters]
    threshold: float = THRESHOLD

    @property
    def cluster_count(self) -> int:
        return sum(len(a.clusters) for a in self.areas)


def _vectors(
    applications: list[Application],
) -> tuple[dict[int, dict[str, float]], dict[str, str]]:
    """Each bid's unit-length TF-IDF vector, and each stem's word as shown (the first written
    form in alphabetical order, so the same everywhere)."""
    counts: dict[int, Counter] = {}
    forms: dict[str, set[str]] = defaultdict(set)
    for app in applications:
        project = app.project
        words = bid_words(project.title, project.title, project.summary, app.summary)
        counts[app.pk] = Counter(stem for stem, _word in words)
        for stem, word in words:
            forms[stem].add(word)
    total = len(applications)
    seen_in = Counter(stem for counter in counts.values() for stem in counter)
    vectors: dict[int, dict[str, float]] = {}
    for pk, counter in counts.items():
        weights = {
            stem: (1 + math.log(n)) * (math.log((1 + total) / (1 + seen_in[stem])) + 1)
            for stem, n in sorted(counter.items())
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors[pk] = {stem: w / norm for stem, w in weights.items()}
    return vectors, {stem: min(words) for stem, words in forms.items()}


def _pair(a: dict[str, float], b: dict[str, float]) -> tuple[float, list[str]]:
    common = sorted(set(a) & set(b))
    score = math.fsum(a[s] * b[s] for s in common)
    heaviest = sorted(common, key=lambda s: (-a[s] * b[s], s))
    return round(score, 4), heaviest


def _clusters(
    members: list[Application],
    vectors: dict[int, dict[str, float]],
    shown: dict[str, str],
    suggestions: dict[tuple[int, int], CombineSuggestion],
    threshold: float,
) -> list[Cluster]:
    pairs: list[SimilarPair] = []
    for i, first in enumerate(members):
        for second in members[i + 1 :]:
            score, heaviest = _pair(vectors[first.pk], vectors[second.pk])
            if score >= threshold and score > 0:
                pairs.append(
                    SimilarPair(
                        first=first,
                        second=second,
                        similarity=score,
                        shared=tuple(shown[s] for s in heaviest[:SHARED_WORDS]),
                        suggestion=suggestions.get((first.pk, second.pk)),
                    )
                )
    # Linked bids form a cluster (union by the smaller id: the same roots on every run).
    parent = {app.pk: app.pk for app in members}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for pair in pairs:
        a, b = root(pair.first.pk), root(pair.second.pk)
        if a != b:
            parent[max(a, b)] = min(a, b)
    by_root: dict[int, Cluster] = {}
    for pair in pairs:
        cluster = by_root.setdefault(root(pair.first.pk), Cluster([], []))
        cluster.pairs.append(pair)
    for app in members:
        cluster = by_root.get(root(app.pk))
        if cluster is not None:
            cluster.applications.append(app)
    clusters = list(by_root.values())
    for cluster in clusters:
        cluster.pairs.sort(key=lambda p: (-p.similarity, p.first.pk, p.second.pk))
    clusters.sort(key=lambda c: (-c.top, c.applications[0].pk))
    return clusters


def similar_applications(*, call: Call) -> list[Application]:
    """The call's bids that count for similarity, with what the page shows of each."""
    return list(
        Application.objects.filter(call=call, state__in=SIMILAR_STATES)
        .select_related("project", "lead_council")
        .prefetch_related(
            Prefetch("project__service_areas", queryset=ServiceArea.objects.order_by("name"))
        )
        .order_by("pk")
    )


def live_suggestions(*, call: Call) -> dict[tuple[int, int], CombineSuggestion]:
    """The call's live suggestions, by their pair of application ids (smaller first)."""
    rows = CombineSuggestion.objects.filter(call=call, state=CombineState.SUGGESTED).order_by("pk")
    return {
        (min(s.continuing_id, s.absorbed_id), max(s.continuing_id, s.absorbed_id)): s for s in rows
    }


def similar_bids(*, call: Call, threshold: float = THRESHOLD) -> SimilarBids:
    """The call's submitted bids in clusters of similar ones, per service area (the call's areas
    if it names any, else those of the bids' projects). Four queries, whatever the number."""
    applications = similar_applications(call=call)
    call_areas = list(call.service_areas.order_by("name"))
    suggestions = live_suggestions(call=call)
    vectors, shown = _vectors(applications)
    wanted = {area.pk for area in call_areas}
    groups: dict[int | None, list[Application]] = defaultdict(list)
    areas: dict[int, ServiceArea] = {area.pk: area for area in call_areas}
    for app in applications:
        mine = [a for a in app.project.service_areas.all() if not wanted or a.pk in wanted]
        for area in mine:
            areas.setdefault(area.pk, area)
            groups[area.pk].append(app)
        if not mine:
            groups[None].append(app)
    ordered = sorted(areas.values(), key=lambda a: (a.name.lower(), a.pk))
    result = []
    for area in [*ordered, None]:
        members = groups.get(area.pk if area else None, [])
        if area is None and not members:
            continue
        clusters = _clusters(members, vectors, shown, suggestions, threshold)
        for cluster in clusters:
            cluster.anchor = f"similar-{area.pk if area else 'none'}-{cluster.applications[0].pk}"
        result.append(AreaClusters(area=area, applications=len(members), clusters=clusters))
    return SimilarBids(call=call, applications=len(applications), areas=result, threshold=threshold)


def pair_similarity(*, first: Application, second: Application) -> SimilarPair | None:
    """How alike two of a call's bids are, measured against all its bids (for a suggestion's
    page and record); None if either no longer counts."""
    applications = similar_applications(call=first.call)
    by_pk = {app.pk: app for app in applications}
    if first.pk not in by_pk or second.pk not in by_pk:
        return None
    vectors, shown = _vectors(applications)
    score, heaviest = _pair(vectors[first.pk], vectors[second.pk])
    return SimilarPair(
        first=by_pk[first.pk],
        second=by_pk[second.pk],
        similarity=score,
        shared=tuple(shown[s] for s in heaviest[:SHARED_WORDS]),
    )


def call_suggestions(*, call: Call) -> list[CombineSuggestion]:
    """Every suggestion made on the call, newest first, with both bids."""
    return list(
        CombineSuggestion.objects.filter(call=call)
        .select_related(
            "continuing__project",
            "continuing__lead_council",
            "absorbed__project",
            "absorbed__lead_council",
        )
        .order_by("-created_at", "-pk")
    )


# --- who may -----------------------------------------------------------------------------------


def may_suggest(*, user, call: Call) -> bool:
    """Organisers and the funder's moderators and admins; refuses (``SecondFactorRequired``)
    one of them without a second factor."""
    if funder_role(user=user, call=call) in MODERATING_ROLES:
        require_funder_second_factor(user=user, power="moderate")
        return True
    return acts_as_organiser(user)


def require_suggester(*, user, call: Call) -> None:
    if not may_suggest(user=user, call=call):
        raise NotAllowed(
            _(
                "Only LocalGov Digital organisers and the moderators of %(funder)s can see "
                "similar bids and suggest combining them."
            )
            % {"funder": call.funder.display_name}
        )


def answering_sides(*, user, suggestion: CombineSuggestion) -> list[str]:
    """Which bids (``continuing``, ``absorbed``) this person may answer for: those whose lead
    council they have authority for."""
    sides = []
    for side in ("continuing", "absorbed"):
        council = getattr(suggestion, side).lead_council
        if user_has_council_authority(user=user, council=council):
            sides.append(side)
    return sides


def suggestion_for_page(*, pk: int) -> CombineSuggestion | None:
    return (
        CombineSuggestion.objects.select_related(
            "call__funder",
            "continuing__project",
            "continuing__lead_council",
            "absorbed__project",
            "absorbed__lead_council",
            "suggested_by",
            "continuing_agreed_by",
            "absorbed_agreed_by",
            "closed_by",
        )
        .filter(pk=pk)
        .first()
    )


def user_may_see_suggestion(*, user, suggestion: CombineSuggestion) -> bool:
    """Those who may suggest (organisers, the funder's moderators), and the verified members of
    the two lead councils. Everyone else is told there is no such page."""
    if user is None or not user.is_authenticated:
        return False
    leads = (suggestion.continuing.lead_council_id, suggestion.absorbed.lead_council_id)
    if Membership.objects.filter(
        user=user, council_id__in=leads, status=MembershipStatus.VERIFIED
    ).exists():
        return True
    return may_suggest(user=user, call=suggestion.call)


def applications_for_pair(*, call: Call, first: int, second: int) -> tuple | None:
    """Two different bids of ``call`` that count for similarity, in the order asked; None if
    either is not one."""
    if first == second:
        return None
    found = {
        app.pk: app
        for app in Application.objects.filter(
            call=call, state__in=SIMILAR_STATES, pk__in=(first, second)
        ).select_related("project", "lead_council", "call__funder")
    }
    if len(found) != 2:
        return None
    return found[first], found[second]
