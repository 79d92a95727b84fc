from decimal import Decimal

from rest_framework import serializers

from core.api.serializers import MoneySerializer, StrictInputSerializer, days, money
from projects.models import PUBLIC_PLEDGE_STATES


class CouncilSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Register code, e.g. GRT")
    gss_code = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    official_name = serializers.CharField()
    name_cy = serializers.CharField(allow_null=True)
    official_name_cy = serializers.CharField(allow_null=True)
    nation = serializers.CharField()
    region = serializers.CharField(allow_blank=True)
    type = serializers.CharField(allow_blank=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    current = serializers.BooleanField()
    website = serializers.URLField(allow_blank=True)
    url = serializers.URLField()

    def to_representation(self, c) -> dict:
        request = self.context.get("request")
        path = c.get_absolute_url()
        return {
            "code": c.code,
            "gss_code": c.gss_code or None,
            "name": c.short_name,
            "official_name": c.name,
            "name_cy": c.name_cy or None,
            "official_name_cy": c.official_name_cy or None,
            "nation": c.nation,
            "region": c.region,
            "type": c.authority_type_name,
            "start_date": c.start_date.isoformat() if c.start_date else None,
            "end_date": c.end_date.isoformat() if c.end_date else None,
            "current": c.is_current,
            "website": c.website,
            "url": request.build_absolute_uri(path) if request else path,
        }


class PledgeTotalSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    money = MoneySerializer()
    days = serializers.DecimalField(max_digits=9, decimal_places=1)


class DelegatedLimitsSerializer(serializers.Serializer):
    money = MoneySerializer(
        allow_null=True, help_text="Pledges of more money need an approver; null: no limit"
    )
    days = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        allow_null=True,
        help_text="Pledges of more staff days need an approver; null: no limit",
    )


def delegated_limits(c) -> dict:
    return {
        "money": None if c.money_limit is None else money(c.money_limit),
        "days": None if c.half_days_limit is None else days(c.half_days_limit),
    }


class CouncilLimitsInputSerializer(StrictInputSerializer):
    """Both limits are set together; null (or left out) means no limit."""

    money_limit_pence = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Money limit in pence"
    )
    days_limit = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        required=False,
        allow_null=True,
        min_value=Decimal(0),
        help_text="Staff time limit in days, whole or half",
    )

    def validate_days_limit(self, value):
        if value is not None and (value * 2) != (value * 2).to_integral_value():
            raise serializers.ValidationError("Give days in whole or half days, like 3 or 3.5.")
        return value

    def limits(self) -> dict:
        data = self.validated_data
        days_limit = data.get("days_limit")
        return {
            "money_limit": data.get("money_limit_pence"),
            "half_days_limit": None if days_limit is None else int(days_limit * 2),
        }


class CouncilDetailSerializer(CouncilSerializer):
    delegated_limits = DelegatedLimitsSerializer(
        help_text="Pledges over these need sign-off by one of the council's approvers"
    )
    pledge_totals = serializers.DictField(
        child=PledgeTotalSerializer(),
        help_text="What the council has pledged, by pledge state: "
        + ", ".join(PUBLIC_PLEDGE_STATES)
        + "; and match: its match pledges still on the table (conditional, offered, accepted "
        "or fulfilled) at what they give now, kept apart from the states (which count its "
        "other pledges, and match pledges that ended at what they last gave). A proposed "
        "change (proposed) counts toward nothing until accepted; then the old "
        "amount stays under superseded and the new one is under the state it took, so a total "
        "pledged adds up offered, accepted and fulfilled only.",
    )

    def to_representation(self, c) -> dict:
        data = super().to_representation(c)
        data["delegated_limits"] = delegated_limits(c)
        totals = self.context["pledge_totals"]
        data["pledge_totals"] = {
            state: {
                "count": totals[state]["count"],
                "money": money(totals[state]["money"]),
                "days": days(totals[state]["time"]),
            }
            for state in (*PUBLIC_PLEDGE_STATES, "match")
        }
        return data
