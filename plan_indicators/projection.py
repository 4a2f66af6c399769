"""Year-end projection of the running fiscal year (docs/contracts.md §5.10).

Managers ask in November whether the year's target will be met. A projection answers from the
year-to-date value with a stated method, computed by the indicator's own measure at dates inside
the year:

- counts (values that add up over the year, and rates whose numerator does, as a turnover
  rate: `Measure.accumulates`): the year-to-date value divided by the share that
  the same period (1 April to the same day) held in up to three previous years; without such a
  year, scaled by the days elapsed;
- rates and means: the year-to-date value, with a 95 % Wilson interval for a share whose
  denominator is known.

The projected value meets the year's threshold (`on_track`, "En voie d'atteinte") or not
(`at_risk`, "À risque"). A measure whose staged input keeps no date inside the year
(`Measure.year_to_date` false) has no projection, said so, never a guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from plan_indicators.fiscal import FiscalYear
from plan_indicators.formatting import format_number
from plan_indicators.measures import Measure, MeasureResult

ON_TRACK, AT_RISK = "on_track", "at_risk"
PROJECTION_FR = {ON_TRACK: "En voie d'atteinte", AT_RISK: "À risque"}
ADDITIVE_UNITS = ("count", "currency")
"""Units whose year-end value is the sum of the year's parts."""
HISTORY_YEARS = 3
Z95 = 1.959964

SEASONAL, ELAPSED, YEAR_TO_DATE = "seasonal_share", "elapsed_days", "year_to_date"

ResultAt = Callable[[FiscalYear, dt.date], MeasureResult]
"""The indicator's measure for a fiscal year, from the rows dated up to a day."""


@dataclass(frozen=True)
class Projection:
    """A year-end projection; `value` None (with `note`) when it cannot be made."""

    fiscal_year: str
    as_of: dt.date
    value: float | None
    method: str | None
    method_fr: str
    year_to_date: float | None = None
    low: float | None = None
    high: float | None = None
    threshold: float | None = None
    status: str | None = None
    note: str | None = None

    @property
    def status_fr(self) -> str | None:
        return PROJECTION_FR.get(self.status) if self.status else None


def same_day(day: dt.date, years_back: int) -> dt.date:
    """The same month and day `years_back` years earlier (29 February becomes the 28th)."""
    year = day.year - years_back
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def wilson(share_pct: float, n: float, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson interval of a share given in percent, in percent."""
    p = share_pct / 100
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def _pct(x: float) -> str:
    return f"{format_number(100 * x)} %"


def _additive(
    ytd: float, result_at: ResultAt, fy: FiscalYear, as_of: dt.date, known_on: dt.date
) -> tuple[float, str, str]:
    """(projection, method, French wording) for a value that adds up over the year."""
    shares: list[tuple[str, float]] = []
    for k in range(1, HISTORY_YEARS + 1):
        past = FiscalYear(fy.start_year - k)
        full = result_at(past, known_on).value
        part = result_at(past, same_day(as_of, k)).value
        if full and part is not None and full > 0:
            shares.append((past.key, part / full))
    share = sum(s for _, s in shares) / len(shares) if shares else 0.0
    if share > 0:
        years = ", ".join(key for key, _ in sorted(shares))
        wording = (
            f"cumul au {as_of.isoformat()} divisé par la part de l'année que la même période "
            f"représentait en {years} ({_pct(share)})"
        )
        return ytd / share, SEASONAL, wording
    elapsed = (as_of - fy.start).days + 1
    total = (fy.end - fy.start).days + 1
    wording = (
        f"cumul au {as_of.isoformat()} au prorata des jours écoulés ({elapsed} sur {total}), "
        "faute d'année antérieure comparable"
    )
    return ytd * total / elapsed, ELAPSED, wording


def project(
    result_at: ResultAt,
    *,
    measure: Measure,
    unit: str,
    fiscal_year: FiscalYear,
    as_of: dt.date,
    threshold: float | None,
    at_most: bool,
    known_on: dt.date | None = None,
) -> Projection:
    """The year-end projection of `fiscal_year` from what is dated up to `as_of`.

    `known_on` is the date the previous years' full values are read at (default `as_of`).
    """
    known_on = known_on or as_of
    base = {"fiscal_year": fiscal_year.key, "as_of": as_of, "threshold": threshold}
    if not measure.year_to_date:
        return Projection(
            **base, value=None, method=None, method_fr="",
            note="Projection impossible : les données de cette mesure ne sont pas datées à "
            "l'intérieur de l'année",
        )  # fmt: skip
    ytd = result_at(fiscal_year, as_of)
    if ytd.value is None:
        return Projection(
            **base, value=None, method=None, method_fr="",
            note=f"Projection impossible : {ytd.reason or 'aucune donnée de l’année à ce jour'}",
        )  # fmt: skip
    low = high = None
    if unit in ADDITIVE_UNITS or measure.accumulates:
        value, method, wording = _additive(ytd.value, result_at, fiscal_year, as_of, known_on)
    else:
        value, method = ytd.value, YEAR_TO_DATE
        wording = f"valeur de l'année au {as_of.isoformat()}"
        n = ytd.denominator
        if unit == "percent" and measure.computes_denominator and n:
            low, high = wilson(value, n)
            wording += f" (n = {format_number(n, 0)}), intervalle de confiance à 95 % (Wilson)"
        elif n:
            wording += f" (n = {format_number(n, 0)})"
    status = None
    note = None
    if threshold is None:
        note = "Seuil de l'année non encore déterminé"
    else:
        status = ON_TRACK if (value <= threshold if at_most else value >= threshold) else AT_RISK
    return Projection(
        **base, value=value, method=method, method_fr=wording, year_to_date=ytd.value,
        low=low, high=high, status=status, note=note,
    )  # fmt: skip


def month_ends(fy: FiscalYear) -> list[dt.date]:
    """The last day of April to February: the dates a year is projected at before it ends."""
    out = []
    for i in range(11):
        year, month = (fy.start_year, 4 + i) if i < 9 else (fy.start_year + 1, i - 8)
        out.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    return out


@dataclass(frozen=True)
class BacktestPoint:
    fiscal_year: str
    as_of: dt.date
    projected: float | None
    final: float
    error_pct: float | None
    """(projected − final) / final × 100; None when no projection could be made."""


def backtest(
    result_at: ResultAt,
    *,
    measure: Measure,
    unit: str,
    years: list[FiscalYear],
    known_on: dt.date,
) -> list[BacktestPoint]:
    """Project each ended year at each of its month ends and compare with its final value."""
    points = []
    for fy in years:
        if not fy.is_over(known_on):
            continue
        final = result_at(fy, known_on).value
        if not final:
            continue
        for day in month_ends(fy):
            p = project(
                result_at, measure=measure, unit=unit, fiscal_year=fy, as_of=day,
                threshold=None, at_most=False, known_on=known_on,
            )  # fmt: skip
            error = None if p.value is None else 100 * (p.value - final) / final
            points.append(BacktestPoint(fy.key, day, p.value, final, error))
    return points


PROJECTED_UNITS = ("percent", "count", "score", "days", "currency")


def running_projections(
    plan,
    data,
    as_of: dt.date,
    evaluations: dict[str, dict],
    business_days=None,
) -> list[tuple[str, Projection]]:
    """(indicator id, projection) for each indicator of `plan` whose running year at `as_of` is
    evaluated `in_progress` against a numeric target (`evaluations`: indicator id -> that
    year's `indicator_evaluation` row)."""
    from plan_indicators.measures import for_indicator, get_measure
    from plan_indicators.targets import at_most_sense

    fy = FiscalYear.of(as_of)
    out = []
    for ind in plan.indicators:
        target, ev = ind.targets.get(fy.key), evaluations.get(ind.id)
        if target is None or ev is None or ev.get("status") != "in_progress":
            continue
        if ind.unit not in PROJECTED_UNITS:
            continue

        out.append(
            (
                ind.id,
                project(
                    for_indicator(plan, ind, data, business_days),
                    measure=get_measure(ind.measure.name),
                    unit=ind.unit,
                    fiscal_year=fy,
                    as_of=as_of,
                    threshold=ev.get("threshold"),
                    at_most=at_most_sense(target, ind.direction),
                ),  # fmt: skip
            )
        )
    return out
