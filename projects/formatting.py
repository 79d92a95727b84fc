"""Showing exact quantities: integer pence as pounds, integer half-days as days."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Kind


def format_pence(pence: int) -> str:
    pounds, rest = divmod(int(pence), 100)
    if rest:
        return f"£{pounds:,}.{rest:02d}"
    return f"£{pounds:,}"


def half_days_to_days(half_days: int) -> Decimal:
    return Decimal(int(half_days)) / 2


def format_half_days(half_days: int) -> str:
    days = half_days_to_days(half_days)
    text = f"{days:,.1f}".removesuffix(".0")
    return ngettext("%(days)s day", "%(days)s days", 1 if days == 1 else 2) % {"days": text}


def format_amount(kind: str, amount: int) -> str:
    if kind == Kind.MONEY:
        return format_pence(amount)
    if kind == Kind.TIME:
        return format_half_days(amount)
    return _("unknown")


def parse_pounds(text: str) -> int:
    """'£1,234.50' → 123450 pence. Raises ValueError with a message a person can act on."""
    cleaned = str(text).strip().replace(",", "").removeprefix("£").strip()
    if not cleaned:
        raise ValueError(_("Enter an amount in pounds, like 2500 or 2500.50"))
    try:
        value = Decimal(cleaned)
    except ArithmeticError as exc:
        raise ValueError(_("Enter an amount in pounds, like 2500 or 2500.50")) from exc
    if not value.is_finite():
        raise ValueError(_("Enter an amount in pounds, like 2500 or 2500.50"))
    pence = value * 100
    if pence != pence.to_integral_value():
        raise ValueError(_("Enter an amount in pounds and pence, with no more than 2 decimals"))
    return int(pence)


def parse_days(text: str) -> int:
    """'3.5' → 7 half-days. Only whole and half days are allowed."""
    cleaned = str(text).strip().lower().removesuffix("days").removesuffix("day").strip()
    if not cleaned:
        raise ValueError(_("Enter a number of days, like 5 or 2.5"))
    try:
        value = Decimal(cleaned)
    except ArithmeticError as exc:
        raise ValueError(_("Enter a number of days, like 5 or 2.5")) from exc
    if not value.is_finite():
        raise ValueError(_("Enter a number of days, like 5 or 2.5"))
    half_days = value * 2
    if half_days != half_days.to_integral_value():
        raise ValueError(_("Enter days in whole or half days, like 3 or 3.5"))
    return int(half_days)
