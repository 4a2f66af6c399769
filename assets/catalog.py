"""The plan catalog published as dimension tables: dim_plan, dim_indicator, indicator_target."""

import dagster as dg

from assets.keys import CATALOG_GROUP, DIM_FISCAL_YEAR, DIM_INDICATOR, DIM_PLAN, INDICATOR_TARGET
from plan_indicators.catalog import Plan
from plan_indicators.catalog_rows import write_catalog
from plan_indicators.closing import write_fiscal_years
from resources import RunSettings, Warehouse


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
            dg.AssetSpec(
                DIM_FISCAL_YEAR,
                group_name=CATALOG_GROUP,
                kinds={"sql"},
                description="Every fiscal year of the catalog with its dates and its state at "
                "the run's as-of date (not begun, running, ended, closed).",
            ),
        ],
        name="plan_catalog",
    )
    def _catalog(context: dg.AssetExecutionContext, warehouse: Warehouse, settings: RunSettings):
        engine = warehouse.engine()
        counts = {"dim_plan": len(plans), "dim_indicator": 0, "indicator_target": 0}
        with engine.begin() as conn:
            for plan in plans:
                written = write_catalog(conn, plan, engine)
                if written["removed"]:
                    context.log.info(
                        f"{plan.id}: left the catalog, rows kept: {written['removed']}"
                    )
                counts["dim_indicator"] += written["dim_indicator"]
                counts["indicator_target"] += written["indicator_target"]
            years = {fy for plan in plans for fy in plan.partition_years()}
            counts["dim_fiscal_year"] = write_fiscal_years(conn, years, settings.as_of_date())
        for key, table in (
            (DIM_PLAN, "dim_plan"),
            (DIM_INDICATOR, "dim_indicator"),
            (INDICATOR_TARGET, "indicator_target"),
            (DIM_FISCAL_YEAR, "dim_fiscal_year"),
        ):
            yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": counts[table]})

    return _catalog
