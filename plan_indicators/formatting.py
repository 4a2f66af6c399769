"""French display of values: one decimal, comma separator, unit suffix (rounded to 0.1,
docs/contracts.md §2.5).

One module for the warehouse's `value_display` and the report, so both read the same.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

NNBSP = "\u202f"
NBSP = "\u00a0"
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def round1(value: float | None) -> float | None:
    """Half-up rounding to one decimal, as published tables print it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def format_number(value: float, decimals: int = 1) -> str:
    """French number: comma decimal separator, narrow no-break space between thousands."""
    quantum = Decimal(1).scaleb(-decimals)
    q = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    text = f"{abs(q):,.{decimals}f}"
    return sign + text.replace(",", NNBSP).replace(".", ",")


def format_value(value: float | None, unit: str) -> str:
    """A published result the French way: "52,3 %", "1 250", "7,8", "8,4 jours"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "percent":
        return f"{format_number(value)}{NNBSP}%"
    if unit == "days":
        rounded = Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        word = "jour" if abs(rounded) < 2 else "jours"
        return f"{format_number(value)}{NBSP}{word}"
    if unit == "score":
        return format_number(value)
    if unit == "currency":
        return format_amount(value)
    if float(value).is_integer():
        return format_number(value, 0)
    return format_number(value)


def format_amount(value: float) -> str:
    """Dollars as Québec's public reports print them: "1,5 G$" (milliards), "287,0 M$"
    (millions), one decimal; under a million, whole dollars ("45 000 $"). An amount that
    rounds up to the next scale takes it: 999 960 000 $ reads "1,0 G$", not "1 000,0 M$"."""
    size = abs(float(value))
    if size >= 1e9 or abs(round1(value / 1e6)) >= 1000:
        return f"{format_number(value / 1e9)}{NBSP}G$"
    dollars = Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if size >= 1e6 or abs(dollars) >= 1_000_000:
        return f"{format_number(value / 1e6)}{NBSP}M$"
    return f"{format_number(value, 0)}{NBSP}$"


def display_value(unit: str, value: float | None, achieved_on: dt.date | None = None) -> str | None:
    """`indicator_result.value_display`: the formatted value, or the milestone's date."""
    if unit == "date":
        return f"Atteinte le {achieved_on.isoformat()}" if achieved_on else None
    if value is None:
        return None
    return format_value(value, unit)


def date_fr(day: dt.date) -> str:
    """A date as French prose prints it: "5 février 2021", "1er avril 2024"."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS_FR[day.month - 1]} {day.year}"
