from rest_framework import serializers

from core.api.serializers import MoneySerializer, days, money
from projects.models import PledgeState


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


class CouncilDetailSerializer(CouncilSerializer):
    pledge_totals = serializers.DictField(
        child=PledgeTotalSerializer(),
        help_text="What the council has pledged, by pledge state: " + ", ".join(PledgeState.values),
    )

    def to_representation(self, c) -> dict:
        data = super().to_representation(c)
        totals = self.context["pledge_totals"]
        data["pledge_totals"] = {
            state: {
                "count": totals[state]["count"],
                "money": money(totals[state]["money"]),
                "days": days(totals[state]["time"]),
            }
            for state in PledgeState.values
        }
        return data
