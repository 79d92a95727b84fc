"""Exact quantities: pounds and days typed by people become integer pence and half-days."""

import pytest

from core.formatting import (
    format_half_days,
    format_pence,
    half_days_to_days,
    parse_days,
    parse_pounds,
)
from projects.models import Kind, format_amount

POUNDS_FORMAT = "Enter an amount in pounds, like 2500 or 2500.50"
POUNDS_DECIMALS = "Enter an amount in pounds and pence, with no more than 2 decimals"
POUNDS_NEGATIVE = "The amount must be more than zero."
DAYS_FORMAT = "Enter a number of days, like 5 or 2.5"
DAYS_HALVES = "Enter days in whole or half days, like 3 or 3.5"
DAYS_NEGATIVE = "The time must be more than zero."


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("2500", 250_000),
        ("2500.50", 250_050),
        ("£1,234.50", 123_450),
        ("  £ 1,234.5 ", 123_450),
        ("0.01", 1),
        (".5", 50),
        ("7.", 700),
        ("10,000,000", 1_000_000_000),
        ("12,500.50", 1_250_050),
        ("0", 0),
    ],
)
def test_parse_pounds_gives_exact_pence(text, pence):
    result = parse_pounds(text)
    assert result == pence
    assert type(result) is int


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", POUNDS_FORMAT),
        ("", POUNDS_FORMAT),
        ("   ", POUNDS_FORMAT),
        ("£", POUNDS_FORMAT),
        ("NaN", POUNDS_FORMAT),
        ("nan", POUNDS_FORMAT),
        ("Infinity", POUNDS_FORMAT),
        ("-Infinity", POUNDS_FORMAT),
        ("1e3", POUNDS_FORMAT),
        ("1E999999999", POUNDS_FORMAT),
        ("12.3.4", POUNDS_FORMAT),
        ("0x10", POUNDS_FORMAT),
        ("5 pounds", POUNDS_FORMAT),
        # A comma is a thousands separator or a mistake: "12,50" is not £1,250.
        ("12,50", POUNDS_FORMAT),
        ("1,5", POUNDS_FORMAT),
        ("1,2345", POUNDS_FORMAT),
        ("12,500,00", POUNDS_FORMAT),
        (",500", POUNDS_FORMAT),
        ("1,000.5,0", POUNDS_FORMAT),
        ("1.234", POUNDS_DECIMALS),
        ("0.001", POUNDS_DECIMALS),
        ("-5", POUNDS_NEGATIVE),
        ("-0.01", POUNDS_NEGATIVE),
        ("£-1,000", POUNDS_NEGATIVE),
    ],
)
def test_parse_pounds_refuses_what_is_not_an_amount(text, message):
    with pytest.raises(ValueError) as excinfo:
        parse_pounds(text)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("text", "half_days"),
    [
        ("3", 6),
        ("3.5", 7),
        ("0.5", 1),
        ("3.50", 7),
        ("1 day", 2),
        ("2.5 days", 5),
        (" 2000 ", 4000),
        ("1,500.5", 3001),
        ("0", 0),
    ],
)
def test_parse_days_gives_exact_half_days(text, half_days):
    result = parse_days(text)
    assert result == half_days
    assert type(result) is int


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", DAYS_FORMAT),
        ("", DAYS_FORMAT),
        ("days", DAYS_FORMAT),
        ("NaN", DAYS_FORMAT),
        ("Infinity", DAYS_FORMAT),
        ("1e2", DAYS_FORMAT),
        ("1E999999999", DAYS_FORMAT),
        ("1.2.3", DAYS_FORMAT),
        ("1,5", DAYS_FORMAT),
        ("12,5", DAYS_FORMAT),
        ("2.25", DAYS_HALVES),
        ("0.1", DAYS_HALVES),
        ("1.234", DAYS_HALVES),
        ("-5", DAYS_NEGATIVE),
        ("-0.5", DAYS_NEGATIVE),
    ],
)
def test_parse_days_refuses_what_is_not_whole_or_half_days(text, message):
    with pytest.raises(ValueError) as excinfo:
        parse_days(text)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0"),
        (5, "£0.05"),
        (50, "£0.50"),
        (100, "£1"),
        (123_450, "£1,234.50"),
        (1_000_000_000, "£10,000,000"),
        (-150, "-£1.50"),
    ],
)
def test_format_pence(pence, text):
    assert format_pence(pence) == text


@pytest.mark.parametrize(
    ("half_days", "text"),
    [
        (0, "0 days"),
        (1, "0.5 days"),
        (2, "1 day"),
        (3, "1.5 days"),
        (7, "3.5 days"),
        (4000, "2,000 days"),
        (4001, "2,000.5 days"),
    ],
)
def test_format_half_days(half_days, text):
    assert format_half_days(half_days) == text


def test_half_days_are_exact_decimals_not_floats():
    days = half_days_to_days(7)
    assert str(days) == "3.5"
    assert not isinstance(days, float)


@pytest.mark.parametrize(
    ("kind", "amount", "text"),
    [(Kind.MONEY, 250_050, "£2,500.50"), (Kind.TIME, 5, "2.5 days"), ("other", 5, "unknown")],
)
def test_format_amount_by_kind(kind, amount, text):
    assert format_amount(kind, amount) == text


@pytest.mark.parametrize("pence", [1, 99, 100, 123_456, 1_000_000_000])
def test_pounds_round_trip(pence):
    assert parse_pounds(format_pence(pence)) == pence


@pytest.mark.parametrize("half_days", [1, 2, 7, 4000])
def test_days_round_trip(half_days):
    assert parse_days(format_half_days(half_days)) == half_days
