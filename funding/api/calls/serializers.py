"""The API's funding calls: the same fields as the pages, money in pence, times in UTC."""

from django.urls import reverse
from rest_framework import serializers

from core.api.serializers import MoneySerializer, money

from ...models import Call
from ...selectors.calls import CLOSED, DECIDED, DRAFT, OPEN, UPCOMING, call_stage

STATUSES = [UPCOMING, OPEN, CLOSED, DECIDED, DRAFT]
_SLUG = "__slug__"


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _abs(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _urls(context: dict) -> dict[str, str]:
    """Page and API addresses with ``__slug__`` to fill in, worked out once per response."""
    urls = context.get("_call_urls")
    if urls is None:
        request = context.get("request")
        urls = context["_call_urls"] = {
            "call": _abs(request, reverse("funding:call", kwargs={"slug": _SLUG})),
            "api": _abs(request, reverse("api:call-detail", kwargs={"slug": _SLUG})),
            "funder": _abs(request, reverse("funding:funder", kwargs={"slug": _SLUG})),
        }
    return urls


class FunderRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_cy = serializers.CharField(allow_null=True)
    kind = serializers.CharField(help_text="government, devolved, membership or other")
    url = serializers.URLField(help_text="The funder's page on Pipeline")


class CouncilTypeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The register's type code, e.g. NMD")
    name = serializers.CharField()


class CommitmentRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_cy = serializers.CharField(allow_null=True)
    url = serializers.URLField(allow_blank=True)


class RulesSerializer(serializers.Serializer):
    """Empty lists admit everyone."""

    min_partners = serializers.IntegerField(help_text="Partner councils besides the lead")
    nations = serializers.ListField(child=serializers.CharField())
    council_types = CouncilTypeSerializer(many=True)
    service_areas = serializers.ListField(child=serializers.SlugField())
    phases = serializers.ListField(child=serializers.CharField())
    required_commitments = CommitmentRefSerializer(
        many=True, help_text="Every council in a bid must have signed these"
    )
    awards_per_service_area = serializers.IntegerField(
        allow_null=True, help_text="The most bids the funder expects to fund in one service area"
    )


class CallSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    language = serializers.CharField(help_text="en or cy: the language the call is written in")
    status = serializers.ChoiceField(
        choices=STATUSES,
        help_text="upcoming, open or closed by the server's clock; decided; draft (its funder's "
        "members only)",
    )
    funder = FunderRefSerializer()
    budget = MoneySerializer()
    max_award = MoneySerializer(help_text="The most one bid can be given")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    decision_expected_on = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    rules = RulesSerializer()
    url = serializers.URLField(help_text="The call's page on Pipeline")
    api_url = serializers.URLField()

    def to_representation(self, call: Call) -> dict:
        urls = _urls(self.context)
        names = self.context.get("council_type_names", {})
        funder = call.funder
        return {
            "slug": call.slug,
            "title": call.title,
            "summary": call.summary,
            "language": call.language,
            "status": call_stage(call, self.context.get("now")),
            "funder": {
                "slug": funder.slug,
                "name": funder.name,
                "name_cy": funder.name_cy or None,
                "kind": funder.kind,
                "url": urls["funder"].replace(_SLUG, funder.slug),
            },
            "budget": money(call.budget),
            "max_award": money(call.max_award),
            "opens_at": _iso(call.opens_at),
            "closes_at": _iso(call.closes_at),
            "decision_expected_on": call.decision_expected_on.isoformat()
            if call.decision_expected_on
            else None,
            "published_at": _iso(call.published_at),
            "decided_at": _iso(call.decided_at),
            "rules": {
                "min_partners": call.min_partners,
                "nations": list(call.nations),
                "council_types": [
                    {"code": code, "name": names.get(code, code)} for code in call.council_types
                ],
                "service_areas": [a.slug for a in call.service_areas.all()],
                "phases": list(call.phases),
                "required_commitments": [
                    {
                        "slug": c.slug,
                        "name": c.name,
                        "name_cy": c.name_cy or None,
                        "url": c.url,
                    }
                    for c in call.required_commitments.all()
                ],
                "awards_per_service_area": call.awards_per_service_area,
            },
            "url": urls["call"].replace(_SLUG, call.slug),
            "api_url": urls["api"].replace(_SLUG, call.slug),
        }


class QuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    text = serializers.CharField()
    guidance = serializers.CharField(allow_blank=True)
    word_limit = serializers.IntegerField()
    required = serializers.BooleanField()


class CriterionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    weight = serializers.IntegerField(help_text="Its share of the total is weight / sum of weights")


class CallDetailSerializer(CallSerializer):
    description = serializers.CharField(allow_blank=True, help_text="Markdown")
    questions = QuestionSerializer(many=True)
    criteria = CriterionSerializer(many=True, help_text="Scored 0 to 4 by assessors")

    def to_representation(self, call: Call) -> dict:
        data = super().to_representation(call)
        data["description"] = call.description
        data["questions"] = [
            {
                "position": q.position,
                "text": q.text,
                "guidance": q.guidance,
                "word_limit": q.word_limit,
                "required": q.required,
            }
            for q in call.questions.all()
        ]
        data["criteria"] = [
            {
                "position": c.position,
                "title": c.title,
                "description": c.description,
                "weight": c.weight,
            }
            for c in call.criteria.all()
        ]
        return data
