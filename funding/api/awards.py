"""The shape of an award's tranches, shared by the decision and the applications' open data."""

from rest_framework import serializers

from core.api.serializers import MoneySerializer, money

from ..models import AwardTranche


class AwardTrancheSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    amount = MoneySerializer()
    milestone = serializers.IntegerField(
        allow_null=True, help_text="Released when this milestone is marked done"
    )
    milestone_title = serializers.CharField(allow_null=True)
    phase = serializers.CharField(
        allow_null=True, help_text="Released when the project enters this phase or a later one"
    )
    state = serializers.ChoiceField(
        choices=["planned", "awarded", "released"],
        help_text="planned until the decisions are published; then awarded (the funder's "
        "accepted pledge on the project) and released (fulfilled)",
    )
    pledge = serializers.IntegerField(
        allow_null=True, help_text="The funder's pledge, once published"
    )


def tranche_data(tranche: AwardTranche) -> dict:
    return {
        "position": tranche.position,
        "amount": money(tranche.amount),
        "milestone": tranche.milestone_id,
        "milestone_title": tranche.milestone.title if tranche.milestone_id else None,
        "phase": tranche.phase or None,
        "state": tranche.state,
        "pledge": tranche.pledge_id,
    }
