"""Measures of the annual action plans filed under art. 61.1 of the Act."""

from __future__ import annotations

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult, Param, measure
from plan_indicators.measures._common import absent, in_year, read_bool, share
from plan_indicators.sources.contracts import ORGANISATION_TYPES

_TYPES = Param(
    "organisation_types",
    "count only the filings of these organisation types (all types when absent)",
    allowed=ORGANISATION_TYPES,
)


def _population(ctx: MeasureContext, organisation_types: list[str] | None):
    """Filings whose reference year starts in the fiscal year (and not after `as_of`), of the
    given organisation types when some are named."""
    filings = ctx.data.frame("action_plan_filings")
    if filings is None:
        return None
    if organisation_types:
        filings = filings.loc[filings["organisation_type"].isin(list(organisation_types))]
    return in_year(filings, "reference_start", ctx)


@measure(
    "share_plans_with_consultation",
    sources=("action_plan_filings",),
    units=("percent",),
    computes_denominator=True,
    params=(_TYPES,),
    label_fr="Proportion des plans d'action élaborés avec consultation des personnes handicapées",
)
def share_plans_with_consultation(
    ctx: MeasureContext, organisation_types: list[str] | None = None
) -> MeasureResult:
    """Plans of the year that consulted people with disabilities or their representatives."""
    plans = _population(ctx, organisation_types)
    if plans is None:
        return absent("action_plan_filings")
    consulted, unknown = read_bool(plans["consultation"])
    n = int(unknown.sum())
    result = share(
        int(consulted.sum()), len(plans) - n, len(plans), "Aucun plan d'action pour l'année"
    )
    return result.exclude(
        "consultation_unknown", n, f"{n} plan(s) à consultation illisible exclu(s)"
    )


@measure(
    "share_plans_adopted_within",
    sources=("action_plan_filings",),
    units=("percent",),
    computes_denominator=True,
    params=(
        Param(
            "months",
            "months after the start of the reference year within which a plan must be adopted",
            minimum=1,
        ),
        _TYPES,
    ),
    label_fr="Proportion des plans d'action adoptés dans un délai de N mois",
)
def share_plans_adopted_within(
    ctx: MeasureContext, months: int = 6, organisation_types: list[str] | None = None
) -> MeasureResult:
    """Plans adopted on or before reference_start + `months` months − 1 day (and by `as_of`).

    2024-04-01 has until 2024-09-30; 2024-01-01 (a municipality's calendar year, which belongs
    to fiscal year 2023-2024) has until 2024-06-30.
    """
    plans = _population(ctx, organisation_types)
    if plans is None:
        return absent("action_plan_filings")
    start = pd.to_datetime(plans["reference_start"])
    deadline = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    adopted = pd.to_datetime(plans["adopted_date"])
    known = adopted.notna() & (adopted <= pd.Timestamp(ctx.as_of))
    on_time = int((known & (adopted <= deadline)).sum())
    return share(on_time, len(plans), len(plans), "Aucun plan d'action pour l'année")
