"""Fiscal-year partitions: each plan's years plus the baseline years its targets use."""

from __future__ import annotations

from functools import cache

import dagster as dg

from plan_indicators.catalog import Plan
from plan_indicators.fiscal import FiscalYear


@cache
def _static(keys: tuple[str, ...]) -> dg.StaticPartitionsDefinition:
    return dg.StaticPartitionsDefinition(list(keys))


def plan_partitions(plan: Plan) -> dg.StaticPartitionsDefinition:
    return _static(tuple(plan.partition_years()))


def all_years_partitions(plans: tuple[Plan, ...]) -> dg.StaticPartitionsDefinition:
    """Every fiscal year any plan needs, contiguous, for the sources staged per year."""
    years = sorted({y for p in plans for y in p.partition_years()})
    first, last = FiscalYear.parse(years[0]), FiscalYear.parse(years[-1])
    return _static(tuple(FiscalYear(y).key for y in range(first.start_year, last.start_year + 1)))
