"""Showing exact quantities: integer pence as pounds, integer half-days as days."""

import functools
import re
from decimal import Decimal

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _


def format_pence(pence: int) -> str:
    pence = int(pence)
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    if rest:
        return f"{sign}£{pounds:,}.{rest:02d}"
    return f"{sign}£{pounds:,}"


def half_days_to_days(half_days: int) -> Decimal:
    return Decimal(int(half_days)) / 2


def format_half_days(half_days: int) -> str:
    return _format_half_days(int(half_days), get_language())


@functools.lru_cache(maxsize=8192)
def _format_half_days(half_days: int, language: str | None) -> str:
    # Kept per language: a chart's table writes thousands, and choosing a plural form through
    # Django's merged catalogues costs more than the rest of the formatting together.
    days = half_days_to_days(half_days)
    text = f"{days:,.1f}".removesuffix(".0")
    # A whole number picks its own plural form (Welsh has four); a half day takes the general one.
    count = int(days) if days == days.to_integral_value() else 3
    return ngettext("%(days)s day", "%(days)s days", count) % {"days": text}


# Plain decimal notation only: no exponents ("1e3"), NaN or Infinity, which Decimal would accept.
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
# Commas only as thousands separators: "12,500.50", never "12,50" (a decimal comma, which
# dropping the comma would read as a hundred times the amount).
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def _ungroup(cleaned: str, message: str) -> str:
    if "," in cleaned and not _GROUPED.fullmatch(cleaned):
        raise ValueError(message)
    return cleaned.replace(",", "")


def _parse_decimal(cleaned: str, message: str) -> Decimal:
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(message)
    return Decimal(cleaned)


def parse_pounds(text: str) -> int:
    """'£1,234.50' → 123450 pence. Raises ValueError with a message a person can act on."""
    message = _("Enter an amount in pounds, like 2500 or 2500.50")
    cleaned = str(text).strip().removeprefix("£").strip()
    value = _parse_decimal(_ungroup(cleaned, message), message)
    if value < 0:
        raise ValueError(_("The amount must be more than zero."))
    pence = value * 100
    if pence != pence.to_integral_value():
        raise ValueError(_("Enter an amount in pounds and pence, with no more than 2 decimals"))
    return int(pence)


def parse_days(text: str) -> int:
    """'3.5' → 7 half-days. Only whole and half days are allowed."""
    cleaned = str(text).strip().lower().removesuffix("days").removesuffix("day").strip()
    message = _("Enter a number of days, like 5 or 2.5")
    value = _parse_decimal(_ungroup(cleaned, message), message)
    if value < 0:
        raise ValueError(_("The time must be more than zero."))
    half_days = value * 2
    if half_days != half_days.to_integral_value():
        raise ValueError(_("Enter days in whole or half days, like 3 or 3.5"))
    return int(half_days)
