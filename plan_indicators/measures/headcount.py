"""Rates over a headcount: a register count of the year (departures, participants) per 100
people of the mean headcount (docs/contracts.md §5.11).

"Taux de roulement du personnel" is the year's departures recorded in the register divided by
the mean of the year's headcounts (`headcounts`, §4.7.12); a participation rate is the year's
participants over the population counted the same way.
"""

from __future__ import annotations

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult, measure
from plan_indicators.measures._common import absent, in_year
from plan_indicators.measures.register import register_count

HEADCOUNTS = "headcounts"


def mean_headcount(ctx: MeasureContext) -> tuple[float, int, int] | MeasureResult:
    """(mean headcount, count dates, rows) of the year up to `as_of`: the rows of one count date
    add up (the units of the organisation), then the dates are averaged; a missing result when
    the year has no count date or its mean is zero (no rate can be computed on nobody)."""
    frame = ctx.data.frame(HEADCOUNTS)
    if frame is None:
        return absent(HEADCOUNTS)
    year = in_year(frame, "count_date", ctx)
    if year.empty:
        return MeasureResult.missing(
            f"Aucun dénombrement de l'effectif ({HEADCOUNTS}) daté de l'année "
            f"{ctx.fiscal_year.key} : aucun taux calculable"
        )
    per_date = year.groupby(pd.to_datetime(year["count_date"]).dt.normalize())["headcount"].sum()
    mean = float(per_date.astype("float64").mean())
    if mean <= 0:
        return MeasureResult.missing(
            f"Effectif moyen nul pour l'année {ctx.fiscal_year.key} "
            f"({len(per_date)} date(s) de dénombrement) : aucun taux calculable"
        )
    return mean, len(per_date), len(year)


@measure(
    "register_share_of_headcount",
    sources=("activity_register", HEADCOUNTS),
    units=("percent",),
    computes_denominator=True,
    accumulates=True,
    label_fr="Taux de roulement du personnel, taux de participation : nombre inscrit au "
    "registre sur l'effectif moyen",
)
def register_share_of_headcount(ctx: MeasureContext) -> MeasureResult:
    """The year's register count (as `register_count` counts it) / the mean headcount of the
    year's count dates × 100.

    The rows of one count date add up (its units: `filter: {unit: …}` keeps some), then the
    year's dates are averaged. A year without a count date, or with a mean of zero, is missing
    data, never a rate of zero or a division by zero.
    """
    counted = register_count(ctx)
    if counted.value is None:
        return counted
    found = mean_headcount(ctx)
    if isinstance(found, MeasureResult):
        return found
    mean, _dates, rows = found
    return MeasureResult(
        value=100.0 * counted.value / mean,
        numerator=counted.value,
        denominator=mean,
        rows_used=counted.rows_used + rows,
        evidence=counted.evidence,
    )
