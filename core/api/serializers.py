from rest_framework import serializers

from core.validators import validate_web_address


class StrictInputSerializer(serializers.Serializer):
    """Input serializers name their fields; anything else sent is refused, not ignored."""

    def validate(self, attrs):
        if hasattr(self, "initial_data") and isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted here."] for name in unknown}
                )
        return attrs


class WebAddressField(serializers.CharField):
    """A web address checked by ``validate_web_address``, as the web forms and services check
    it (DRF's URLField lets quotes and angle brackets through)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.validators.append(validate_web_address)


class MoneySerializer(serializers.Serializer):
    amount_pence = serializers.IntegerField()
    currency = serializers.CharField(default="GBP")


def money(pence: int) -> dict:
    return {"amount_pence": int(pence), "currency": "GBP"}


def days(half_days: int) -> str:
    """Exact days as a decimal string: 7 half-days → "3.5"."""
    whole, half = divmod(int(half_days), 2)
    return f"{whole}.5" if half else str(whole)


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error response."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
