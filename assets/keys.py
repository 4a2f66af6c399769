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


DIM_PLAN = dg.AssetKey(["dim_plan"])
DIM_INDICATOR = dg.AssetKey(["dim_indicator"])
INDICATOR_TARGET = dg.AssetKey(["indicator_target"])
ANNUAL_REPORT = dg.AssetKey(["reports", "annual_report"])
