"""Asset keys mirror the warehouse table (or staged file) each asset writes."""

from __future__ import annotations

import dagster as dg

from plan_indicators.catalog import Indicator, Plan

INGESTION_GROUP = "ingestion"
CATALOG_GROUP = "catalog"
REPORTS_GROUP = "reports"


def raw_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


def staging_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", source])


def result_key(plan: Plan, indicator: Indicator) -> dg.AssetKey:
    return dg.AssetKey(["indicator_result", plan.slug, indicator.key_slug])


def evaluation_key(plan: Plan, indicator: Indicator) -> dg.AssetKey:
    return dg.AssetKey(["indicator_evaluation", plan.slug, indicator.key_slug])


# One eager condition shared by every asset that has one: building it is most of an AssetSpec's
# cost, and a condition is an immutable value (same snapshot, same UI).
EAGER = dg.AutomationCondition.eager()

DIM_PLAN = dg.AssetKey(["dim_plan"])
DIM_INDICATOR = dg.AssetKey(["dim_indicator"])
DIM_FISCAL_YEAR = dg.AssetKey(["dim_fiscal_year"])
INDICATOR_TARGET = dg.AssetKey(["indicator_target"])
ANNUAL_REPORT = dg.AssetKey(["reports", "annual_report"])
