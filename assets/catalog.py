"""The plan catalog published as dimension tables: dim_plan, dim_indicator, indicator_target."""

import dagster as dg

from assets.keys import CATALOG_GROUP, DIM_INDICATOR, DIM_PLAN, INDICATOR_TARGET
from plan_indicators import warehouse as wh
from plan_indicators.catalog import Plan
from plan_indicators.catalog_rows import indicator_rows, plan_row, target_rows
from resources import Warehouse


def catalog_assets(plans: tuple[Plan, ...]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                DIM_PLAN,
                group_name=CATALOG_GROUP,
                kinds={"sql"},
                description="One row per strategic plan of the catalog.",
            ),
            dg.AssetSpec(
                DIM_INDICATOR,
                group_name=CATALOG_GROUP,
                kinds={"sql"},
                description="Every indicator with its French wording, unit and measure.",
            ),
            dg.AssetSpec(
                INDICATOR_TARGET,
                group_name=CATALOG_GROUP,
                kinds={"sql"},
                description="One target per indicator and fiscal year, as the plan words "
                "it, with the threshold resolved to a number once its baseline exists.",
            ),
        ],
        name="plan_catalog",
    )
    def _catalog(context: dg.AssetExecutionContext, warehouse: Warehouse):
        engine = warehouse.engine()
        tables = {plan.id: (indicator_rows(plan), target_rows(plan, engine)) for plan in plans}
        counts = {"dim_plan": len(plans), "dim_indicator": 0, "indicator_target": 0}
        with engine.begin() as conn:
            for plan in plans:
                where = {"plan_id": plan.id}
                inds, targets = tables[plan.id]
                wh.delete_insert(conn, wh.dim_plan, where, [plan_row(plan)])
                wh.delete_insert(conn, wh.dim_indicator, where, inds)
                wh.delete_insert(conn, wh.indicator_target, where, targets)
                counts["dim_indicator"] += len(inds)
                counts["indicator_target"] += len(targets)
        for key, table in (
            (DIM_PLAN, "dim_plan"),
            (DIM_INDICATOR, "dim_indicator"),
            (INDICATOR_TARGET, "indicator_target"),
        ):
            yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": counts[table]})

    return _catalog
