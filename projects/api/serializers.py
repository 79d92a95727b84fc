"""API shapes for projects, needs and pledges.

Output serializers declare their fields for the OpenAPI schema but build each row directly
(``to_representation``), which keeps long listings fast. Input serializers are separate and
strict: owner, lead council of an existing project, states and totals are never read from input.
"""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import (
    MoneySerializer,
    StrictInputSerializer,
    WebAddressField,
    days,
    money,
)
from core.formatting import parse_days

from ..models import (
    INTERNAL_STATES,
    MAX_HALF_DAYS,
    MAX_MONEY_PENCE,
    MAX_OTHER_COUNCILS,
    NEED_PHASES,
    Kind,
    Language,
    Licence,
    Phase,
    PledgeState,
    Role,
    State,
)

LANGUAGE_HELP = (
    "The language the council writes the project's text in (title, summary, description, "
    "problem, users, outcomes and updates), as a BCP 47 code: en (English) or cy (Welsh)."
)


WEB_ADDRESS_HELP = (
    "An http(s) web address with no spaces, quotes, angle brackets, backslashes or control "
    "characters; empty to remove it."
)


def _abs(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def council_ref(council) -> dict:
    return {
        "code": council.code,
        "gss_code": council.gss_code or None,
        "name": council.short_name,
        "name_cy": council.name_cy or None,
    }


class CouncilRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    gss_code = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    name_cy = serializers.CharField(allow_null=True)


def funder_ref(funder) -> dict:
    return {"slug": funder.slug, "name": funder.name, "name_cy": funder.name_cy or None}


class PledgeFunderRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_cy = serializers.CharField(allow_null=True)


class TotalsSerializer(serializers.Serializer):
    money_needed = MoneySerializer()
    money_offered = MoneySerializer()
    money_accepted = MoneySerializer()
    money_fulfilled = MoneySerializer()
    days_needed = serializers.DecimalField(max_digits=7, decimal_places=1)
    days_offered = serializers.DecimalField(max_digits=7, decimal_places=1)
    days_accepted = serializers.DecimalField(max_digits=7, decimal_places=1)
    days_fulfilled = serializers.DecimalField(max_digits=7, decimal_places=1)
    money_conditional = MoneySerializer(
        help_text="Apart from the totals above: conditional pledges still waiting for other "
        "councils to pledge (a match among them at what it gives now)"
    )
    money_matched = MoneySerializer(
        help_text="Apart from the totals above: what match pledges on the table (offered, "
        "accepted or fulfilled) give now, following the other councils' accepted pledges"
    )
    days_conditional = serializers.DecimalField(
        max_digits=7, decimal_places=1, help_text="As money_conditional, in days"
    )
    days_matched = serializers.DecimalField(
        max_digits=7, decimal_places=1, help_text="As money_matched, in days"
    )
    partner_count = serializers.IntegerField()
    partner_target = serializers.IntegerField(allow_null=True)


def project_totals(p) -> dict:
    return {
        "money_needed": money(p.money_needed),
        "money_offered": money(p.money_offered),
        "money_accepted": money(p.money_accepted),
        "money_fulfilled": money(p.money_fulfilled),
        "days_needed": days(p.half_days_needed),
        "days_offered": days(p.half_days_offered),
        "days_accepted": days(p.half_days_accepted),
        "days_fulfilled": days(p.half_days_fulfilled),
        "money_conditional": money(p.money_conditional),
        "money_matched": money(p.money_matched),
        "days_conditional": days(p.half_days_conditional),
        "days_matched": days(p.half_days_matched),
        "partner_count": p.partner_count,
        "partner_target": p.partner_target,
    }


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _areas(p) -> list:
    """The project's service areas: the plain list ``selectors.project_rows`` prefetches, or
    the related manager's (also prefetched) for a single project."""
    areas = getattr(p, "area_list", None)
    return areas if areas is not None else p.service_areas.all()


_SLUG = "__slug__"


def _project_urls(context: dict) -> tuple[str, str]:
    """A project's page and API addresses with ``__slug__`` to fill in, worked out once per
    response: ``reverse`` and ``build_absolute_uri`` for every row were a fifth of a listing's
    time. The page address follows the request's language, as ``get_absolute_url`` does."""
    urls = context.get("_project_urls")
    if urls is None:
        request = context.get("request")
        page = reverse("projects:detail", kwargs={"slug": _SLUG})
        urls = (_abs(request, page), _abs(request, f"/api/v1/projects/{_SLUG}/"))
        context["_project_urls"] = urls
    return urls


class ProjectSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    language = serializers.ChoiceField(choices=Language.choices, help_text=LANGUAGE_HELP)
    phase = serializers.ChoiceField(choices=Phase.choices)
    state = serializers.ChoiceField(choices=State.choices)
    lead_council = CouncilRefSerializer()
    service_areas = serializers.ListField(child=serializers.SlugField())
    pledging_deadline = serializers.DateField(allow_null=True)
    totals = TotalsSerializer()
    code_url = serializers.URLField(allow_blank=True)
    prototype_url = serializers.URLField(allow_blank=True)
    licence = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField(help_text="The project's page on Pipeline")
    api_url = serializers.URLField()

    def to_representation(self, p) -> dict:
        page_url, api_url = _project_urls(self.context)
        return {
            "slug": p.slug,
            "title": p.title,
            "summary": p.summary,
            "language": p.language,
            "phase": p.phase,
            "state": p.state,
            "lead_council": council_ref(p.lead_council),
            "service_areas": [a.slug for a in _areas(p)],
            "pledging_deadline": p.pledging_deadline.isoformat() if p.pledging_deadline else None,
            "totals": project_totals(p),
            "code_url": p.code_url,
            "prototype_url": p.prototype_url,
            "licence": p.licence,
            "created_at": _iso(p.created_at),
            "published_at": _iso(p.published_at),
            "url": page_url.replace(_SLUG, p.slug),
            "api_url": api_url.replace(_SLUG, p.slug),
        }


class QuantitySerializer(serializers.Serializer):
    """An amount of a need's kind, in the shapes used everywhere: money as ``{amount_pence,
    currency}``, staff time as exact days; the other is null."""

    amount = MoneySerializer(allow_null=True, help_text="For money needs")
    days = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, help_text="For staff-time needs"
    )


def quantity(kind: str, value: int) -> dict:
    """``value`` (pence or half-days, by ``kind``) as a ``QuantitySerializer`` shape."""
    if kind == Kind.MONEY:
        return {"amount": money(value), "days": None}
    return {"amount": None, "days": days(value)}


class NeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    role = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    amount = MoneySerializer(allow_null=True, help_text="For money needs")
    days = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    offered = QuantitySerializer(help_text="Pledged and still on offer")
    accepted = QuantitySerializer(help_text="Accepted by the project's owner")
    fulfilled = QuantitySerializer(help_text="Delivered")
    conditional = QuantitySerializer(
        help_text="Apart from the above: conditional pledges still waiting for other councils"
    )
    matched = QuantitySerializer(
        help_text="Apart from the above: what match pledges on the table give now"
    )
    met_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the project's team marked the need met; null while it is open. A met "
        "need takes no new offers (409); what was pledged toward it stays.",
    )
    phase = serializers.CharField(
        allow_blank=True,
        help_text="The phase it is needed for (idea to live); empty when it is needed now. "
        "Pledges toward it are committed for that phase and fall due when the project enters it.",
    )

    def to_representation(self, n) -> dict:
        need = quantity(n.kind, n.amount)
        return {
            "id": n.pk,
            "kind": n.kind,
            "role": n.role,
            "description": n.description,
            **need,
            "offered": quantity(n.kind, n.offered),
            "accepted": quantity(n.kind, n.accepted),
            "fulfilled": quantity(n.kind, n.fulfilled),
            "conditional": quantity(n.kind, n.conditional),
            "matched": quantity(n.kind, n.matched),
            "met_at": _iso(n.met_at) if n.met_at else None,
            "phase": n.phase,
        }


class ProjectDetailSerializer(ProjectSerializer):
    description = serializers.CharField(help_text="Markdown")
    problem = serializers.CharField()
    users = serializers.CharField()
    outcomes = serializers.CharField()
    owner = serializers.CharField(help_text="The owner's name")
    needs = NeedSerializer(many=True)

    def to_representation(self, p) -> dict:
        data = super().to_representation(p)
        data.update(
            description=p.description,
            problem=p.problem,
            users=p.users,
            outcomes=p.outcomes,
            owner=p.owner.get_full_name(),
            needs=[NeedSerializer(n).data for n in p.needs.all()],
        )
        return data


class ProjectCreateSerializer(StrictInputSerializer):
    lead_council = serializers.CharField(help_text="Register code of the lead council, e.g. GRT")
    title = serializers.CharField(max_length=120)
    summary = serializers.CharField(max_length=300)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, help_text=f"{LANGUAGE_HELP} English if not given."
    )
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    problem = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    users = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    outcomes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    service_areas = serializers.ListField(
        child=serializers.SlugField(), required=False, max_length=30
    )
    pledging_deadline = serializers.DateField(required=False, allow_null=True)
    partner_target = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=400
    )
    code_url = WebAddressField(required=False, allow_blank=True, help_text=WEB_ADDRESS_HELP)
    prototype_url = WebAddressField(required=False, allow_blank=True, help_text=WEB_ADDRESS_HELP)
    licence = serializers.ChoiceField(choices=Licence.choices, required=False, allow_blank=True)


class ProjectUpdateSerializer(ProjectCreateSerializer):
    lead_council = None
    title = serializers.CharField(max_length=120, required=False)
    summary = serializers.CharField(max_length=300, required=False)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, help_text=LANGUAGE_HELP
    )


class StateInputSerializer(StrictInputSerializer):
    state = serializers.ChoiceField(choices=State.choices)


class PhaseInputSerializer(StrictInputSerializer):
    phase = serializers.ChoiceField(choices=Phase.choices)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^[0-9]+(\.(0+|50*))?$",
        "example": "2.5",
        "description": 'Staff time in whole or half days, as a decimal string ("3", "2.5", '
        '"0.50"); no exponents. From half a day to 2,000 days.',
    }
)
class DaysField(serializers.Field):
    """Days read by the web forms' own parser (``parse_days``), so both ways in accept and
    refuse the same text: plain decimals in half-day steps, never an exponent ("1e2") or NaN.
    The value is in half-days."""

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        try:
            half_days = parse_days(str(data))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if half_days <= 0:
            raise serializers.ValidationError("The time must be more than zero.")
        if half_days > MAX_HALF_DAYS:
            raise serializers.ValidationError(
                f"The time must be {MAX_HALF_DAYS // 2:,} days or less."
            )
        return half_days

    default_error_messages = {"invalid": 'Give the number of days as text, like "2.5".'}


def _amount_fields(data: dict, kind: str) -> int:
    """Money in integer pence; time in half-days (``DaysField``). Exactly one is given."""
    pence, half_days = data.get("amount_pence"), data.get("days")
    if kind == Kind.MONEY:
        if half_days is not None:
            raise serializers.ValidationError(
                {"days": ["Money is given in amount_pence, not days."]}
            )
        if pence is None:
            raise serializers.ValidationError({"amount_pence": ["Give the amount in pence."]})
        return pence
    if pence is not None:
        raise serializers.ValidationError({"amount_pence": ["Staff time is given in days."]})
    if half_days is None:
        raise serializers.ValidationError({"days": ["Give the number of days, like 2.5."]})
    return half_days


class NeedInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    role = serializers.ChoiceField(choices=Role.choices, required=False, allow_blank=True)
    amount_pence = serializers.IntegerField(required=False, min_value=1, max_value=MAX_MONEY_PENCE)
    days = DaysField(required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phase = serializers.ChoiceField(
        choices=[(p, Phase(p).label) for p in NEED_PHASES],
        required=False,
        allow_blank=True,
        help_text="The phase it is needed for; leave out or empty when it is needed now. It "
        "must be the project's phase now or one still ahead.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs["amount"] = _amount_fields(attrs, attrs["kind"])
        return attrs


class PledgeEventSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    from_state = serializers.CharField(allow_null=True)
    to_state = serializers.ChoiceField(choices=PledgeState.choices)
    actor = serializers.CharField(
        allow_null=True,
        help_text="Who made the change; null when Pipeline did (a condition met or lapsed)",
    )
    note = serializers.CharField(allow_blank=True)
    linked_pledge = serializers.IntegerField(
        allow_null=True,
        help_text="Where an amendment meets its original: on an amendment's first event and "
        "where it takes its original's place, the original's id; on the original's move to "
        "superseded, the id of the amendment that replaced it. Null on every other event.",
    )
    created_at = serializers.DateTimeField()

    def to_representation(self, e) -> dict:
        return {
            "sequence": e.sequence,
            "from_state": e.from_state or None,
            "to_state": e.to_state,
            "actor": e.actor.get_full_name() if e.actor_id else None,
            "note": e.note,
            "linked_pledge": e.linked_pledge_id,
            "created_at": _iso(e.created_at),
        }


class DecisionRecordSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="The decision's title, as the council published it")
    date = serializers.DateField(help_text="When the decision was taken")
    url = serializers.URLField(
        help_text="The published decision: a delegated decision, a cabinet or committee minute"
    )
    recorded_by = serializers.CharField(help_text="Who attached it to the pledge")
    recorded_at = serializers.DateTimeField()

    def to_representation(self, r) -> dict:
        return {
            "title": r.title,
            "date": r.decided_on.isoformat(),
            "url": r.url,
            "recorded_by": r.recorded_by.get_full_name(),
            "recorded_at": _iso(r.recorded_at),
        }


def decision_record_of(pledge):
    """The pledge's decision record, or None (a missing reverse one-to-one raises)."""
    try:
        return pledge.decision_record
    except ObjectDoesNotExist:
        return None


class PledgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField()
    council = CouncilRefSerializer(
        allow_null=True, help_text="The pledging council; null for a funder's award"
    )
    funder = PledgeFunderRefSerializer(
        allow_null=True,
        help_text="For a funder's award (or one tranche of it): the funder; null for a "
        "council's pledge",
    )
    award_state = serializers.ChoiceField(
        choices=["awarded", "released"],
        allow_null=True,
        help_text="For an award: awarded (state accepted) until the funder releases it "
        "(state fulfilled); null for a council's pledge",
    )
    need = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=Kind.choices)
    role = serializers.CharField(allow_blank=True)
    amount = MoneySerializer(allow_null=True)
    days = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    state = serializers.ChoiceField(choices=PledgeState.choices)
    note = serializers.CharField(allow_blank=True)
    pledged_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    state_changed_at = serializers.DateTimeField()
    offered_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the lead council was offered it: at once, or on an approver's sign-off. "
        "Null while it awaits approval (seen only by the pledging council and organisers).",
    )
    min_other_councils = serializers.IntegerField(
        allow_null=True,
        help_text="A condition: the pledge stands only once at least this many other councils "
        "have a live (offered, accepted or fulfilled) pledge to the project. Null: none.",
    )
    match_percent = serializers.IntegerField(
        allow_null=True,
        help_text="A match: the pledge gives this percentage of what other councils' accepted "
        "and fulfilled pledges of the same kind give (not other matches), rounded down, never "
        "more than its amount or days (the cap). Null: not a match.",
    )
    matched = QuantitySerializer(
        allow_null=True,
        help_text="What a match pledge gives now (fixed once fulfilled); null if not a match",
    )
    condition_status = serializers.ChoiceField(
        choices=["waiting", "met", "lapsed", "not_met"],
        allow_null=True,
        help_text="waiting (state conditional), met (Pipeline made it an offer at "
        "condition_met_at), lapsed (not met by the deadline or the project's close), not_met "
        "(awaiting approval, refused, or withdrawn while waiting); null without a condition.",
    )
    condition_met_at = serializers.DateTimeField(allow_null=True)
    decision_record = DecisionRecordSerializer(
        allow_null=True,
        help_text="The council's published decision behind the pledge, once attached by an "
        "approver of the pledging council (or the pledger, within the delegated limit); null "
        "until then. Never changed once attached.",
    )
    amends = serializers.IntegerField(
        allow_null=True,
        help_text="For an amendment (a changed amount the pledging council proposed): the id of "
        "the pledge it changes. Null for an original pledge.",
    )
    amended_by = serializers.IntegerField(
        allow_null=True,
        help_text="The id of the amendment that replaced this pledge (its state is then "
        "superseded), or of a change proposed to it and waiting for the project owner (that "
        "pledge's state is proposed). Null when there is neither.",
    )
    url = serializers.URLField()

    def to_representation(self, p) -> dict:
        request = self.context.get("request")
        is_money = p.kind == Kind.MONEY
        record = decision_record_of(p)
        return {
            "id": p.pk,
            "project": p.project.slug,
            "council": council_ref(p.council) if p.council_id else None,
            "funder": funder_ref(p.funder) if p.is_award else None,
            "award_state": p.award_state,
            "need": p.need_id,
            "kind": p.kind,
            "role": p.role,
            "amount": money(p.amount) if is_money else None,
            "days": None if is_money else days(p.amount),
            "state": p.state,
            "note": p.note,
            "pledged_by": p.pledged_by.get_full_name(),
            "created_at": _iso(p.created_at),
            "state_changed_at": _iso(p.state_changed_at),
            "offered_at": _iso(p.offered_at) if p.offered_at else None,
            "min_other_councils": p.min_other_councils,
            "match_percent": p.match_percent,
            "matched": quantity(p.kind, p.matched_amount) if p.is_match else None,
            "condition_status": p.condition_status,
            "condition_met_at": _iso(p.condition_met_at) if p.condition_met_at else None,
            "decision_record": DecisionRecordSerializer(record).data if record else None,
            "amends": p.amends_id,
            "amended_by": p.amended_by_id,
            "url": _abs(request, p.get_absolute_url()),
        }


class PledgeDetailSerializer(PledgeSerializer):
    events = PledgeEventSerializer(
        many=True,
        help_text="The pledge's ledger, oldest first. Events inside the pledging council "
        "(awaiting approval, refused) only for its members and organisers.",
    )

    def to_representation(self, p) -> dict:
        data = super().to_representation(p)
        events = getattr(p, "shown_events", None)
        if events is None:  # no reader named: the public ledger only
            events = [e for e in p.events.all() if e.to_state not in INTERNAL_STATES]
        data["events"] = [PledgeEventSerializer(e).data for e in events]
        return data


class PledgeInputSerializer(StrictInputSerializer):
    project = serializers.SlugField()
    council = serializers.CharField(help_text="Register code of the pledging council")
    need = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=Kind.choices)
    role = serializers.ChoiceField(choices=Role.choices, required=False, allow_blank=True)
    amount_pence = serializers.IntegerField(required=False, min_value=1, max_value=MAX_MONEY_PENCE)
    days = DaysField(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    min_other_councils = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_OTHER_COUNCILS,
        help_text="Only if at least this many other councils also pledge to the project: it "
        "waits as conditional until then, becomes an offer by itself when they do, and lapses "
        "if they have not by the pledging deadline or the project's close.",
    )
    match_percent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100,
        help_text="Make it a match: this percentage of what other councils' accepted pledges "
        "of the same kind give, with amount_pence or days as the cap.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs["amount"] = _amount_fields(attrs, attrs["kind"])
        return attrs


class PledgeAmendSerializer(StrictInputSerializer):
    """A changed amount, in the pledge's own kind: ``amount_pence`` for money, ``days`` for
    staff time."""

    amount_pence = serializers.IntegerField(required=False, min_value=1, max_value=MAX_MONEY_PENCE)
    days = DaysField(required=False)
    note = serializers.CharField(
        max_length=2000, help_text="Why the amount changes; public, like a pledge's note"
    )


class PledgeActionSerializer(StrictInputSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PledgeWithdrawSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000)


class PledgeRefuseSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Told to the pledger")


class PledgeDecisionInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200, help_text="The decision's published title")
    date = serializers.DateField(help_text="When the decision was taken (YYYY-MM-DD)")
    url = WebAddressField(
        max_length=500,
        help_text="The published decision: an http(s) web address with no spaces, quotes, "
        "angle brackets, backslashes or control characters.",
    )


class ServiceAreaSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_cy = serializers.CharField(allow_blank=True)
    project_count = serializers.IntegerField()

    def to_representation(self, a) -> dict:
        return {
            "slug": a.slug,
            "name": a.name,
            "name_cy": a.name_cy,
            "project_count": getattr(a, "project_count", 0),
        }


class TeamMembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField()
    person = serializers.CharField(help_text="The person's name")
    role = serializers.ChoiceField(choices=Role.choices)
    council = CouncilRefSerializer(allow_null=True)
    status = serializers.CharField()
    created_at = serializers.DateTimeField()

    def to_representation(self, m) -> dict:
        return {
            "id": m.pk,
            "project": m.project.slug,
            "person": m.user.get_full_name(),
            "role": m.role,
            "council": council_ref(m.council) if m.council else None,
            "status": m.status,
            "created_at": _iso(m.created_at),
        }


class TeamJoinSerializer(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)
    council = serializers.CharField(required=False, allow_blank=True, help_text="Register code")
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class TeamDecisionSerializer(StrictInputSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class UpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown")
    author = serializers.CharField()
    from_phase = serializers.CharField(allow_null=True)
    to_phase = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    url = serializers.URLField()

    def to_representation(self, u) -> dict:
        request = self.context.get("request")
        return {
            "id": u.pk,
            "project": u.project.slug,
            "title": u.title,
            "body": u.body,
            "author": u.author.get_full_name(),
            "from_phase": u.from_phase or None,
            "to_phase": u.to_phase or None,
            "created_at": _iso(u.created_at),
            "url": _abs(request, u.get_absolute_url()),
        }


class UpdateInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=150)
    body = serializers.CharField(max_length=20_000)
    to_phase = serializers.ChoiceField(choices=Phase.choices, required=False, allow_blank=True)


class FollowSerializer(serializers.Serializer):
    project = serializers.SlugField()
    created_at = serializers.DateTimeField()

    def to_representation(self, f) -> dict:
        return {"project": f.project.slug, "created_at": _iso(f.created_at)}


class FollowInputSerializer(StrictInputSerializer):
    project = serializers.SlugField()
