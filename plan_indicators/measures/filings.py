"""Measures of the annual action plans filed under art. 61.1 of the Act."""

from __future__ import annotations

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult, measure
from plan_indicators.measures._common import absent, share, true_mask


def _population(ctx: MeasureContext, organisation_types: list[str] | None):
    """Filings whose reference year starts in the fiscal year (as_of does not apply: a plan's
    reference year is known from its filing)."""
    filings = ctx.data.frame("action_plan_filings")
    if filings is None:
        return None
    start = pd.to_datetime(filings["reference_start"])
    fy = ctx.fiscal_year
    mask = (start >= pd.Timestamp(fy.start)) & (start <= pd.Timestamp(fy.end))
    if organisation_types:
        mask &= filings["organisation_type"].isin(list(organisation_types))
    return filings.loc[mask]


@measure("share_plans_with_consultation", sources=("action_plan_filings",))
def share_plans_with_consultation(
    ctx: MeasureContext, organisation_types: list[str] | None = None
) -> MeasureResult:
    """Plans of the year that consulted people with disabilities or their representatives."""
    plans = _population(ctx, organisation_types)
    if plans is None:
        return absent("action_plan_filings")
    consulted = int(true_mask(plans["consultation"]).sum())
    return share(consulted, len(plans), len(plans), "Aucun plan d'action pour l'année")


@measure("share_plans_adopted_within", sources=("action_plan_filings",))
def share_plans_adopted_within(
    ctx: MeasureContext, months: int = 6, organisation_types: list[str] | None = None
) -> MeasureResult:
    """Plans adopted on or before reference_start + `months` months − 1 day."""
    plans = _population(ctx, organisation_types)
    if plans is None:
        return absent("action_plan_filings")
    start = pd.to_datetime(plans["reference_start"])
    deadline = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    adopted = pd.to_datetime(plans["adopted_date"])
    on_time = int((adopted.notna() & (adopted <= deadline)).sum())
    return share(on_time, len(plans), len(plans), "Aucun plan d'action pour l'année")
