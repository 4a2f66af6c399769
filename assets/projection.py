"""The running year's projection per plan: `indicator_projection/<plan>`.

One step per plan, after its evaluations: for the fiscal year running at the as-of date, each
indicator evaluated `in_progress` against a numeric target gets a year-end projection with its
method, and `on_track` or `at_risk` (plan_indicators.projection, docs/contracts.md §5.10).
"""

import dagster as dg

from assets.keys import EAGER, evaluation_key
from assets.partitions import plan_partitions
from assets.tags import tag_value
from plan_indicators import warehouse as wh
from plan_indicators.catalog import Plan
from plan_indicators.fiscal import FiscalYear
from plan_indicators.formatting import format_value
from plan_indicators.projection import running_projections
from plan_indicators.staging import ParquetStagedData
from resources import CalendarResource, LandingZone, RunSettings, Warehouse


def projection_key(plan: Plan) -> dg.AssetKey:
    return dg.AssetKey(["indicator_projection", plan.slug])


def projection_asset(plan: Plan) -> dg.AssetsDefinition:
    @dg.asset(
        key=projection_key(plan),
        deps=[evaluation_key(plan, ind) for ind in plan.indicators],
        partitions_def=plan_partitions(plan),
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=plan.slug,
        kinds={"python", "sql"},
        tags={"plan": tag_value(plan.id), "layer": "projection"},
        owners=plan.plan.owners or None,
        description=f"Projection de fin d'année de l'année financière en cours pour les "
        f"indicateurs de {plan.plan.organisation} ({plan.plan.title}) : valeur projetée, "
        "méthode, « En voie d'atteinte » ou « À risque ».",
        metadata={"warehouse_table": "indicator_projection"},
        automation_condition=EAGER,
    )
    def _projection(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: Warehouse,
        settings: RunSettings,
        calendar: CalendarResource,
    ) -> dg.MaterializeResult:
        as_of = settings.as_of_date()
        running = FiscalYear.of(as_of).key
        if running not in context.partition_keys:
            return dg.MaterializeResult(
                metadata={
                    "dagster/row_count": 0,
                    "projection": f"aucune : l'année en cours au {as_of.isoformat()} "
                    f"({running}) n'est pas demandée",
                }
            )
        engine = warehouse.engine()
        evaluations = {
            r["indicator_id"]: r
            for r in wh.read_rows(
                engine, wh.indicator_evaluation, plan_id=plan.id, fiscal_year=running
            )
        }
        projections = running_projections(
            plan, ParquetStagedData(landing.staging_path), as_of, evaluations,
            calendar.business_days(),
        )  # fmt: skip
        rows = [wh.projection_row(plan.id, ind_id, p, context.run_id) for ind_id, p in projections]
        wh.replace_rows(
            engine, wh.indicator_projection, {"plan_id": plan.id, "fiscal_year": running,
                                              "as_of": as_of}, rows,
        )  # fmt: skip
        units = {ind.id: ind.unit for ind in plan.indicators}
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(rows),
                "fiscal_year": running,
                "as_of": as_of.isoformat(),
                "projections": dg.MetadataValue.md(
                    "| Indicateur | À ce jour | Projection | Seuil | Statut projeté | Méthode |\n"
                    "|---|---|---|---|---|---|\n"
                    + "\n".join(
                        f"| {i} | {format_value(p.year_to_date, units[i])} | "
                        f"{format_value(p.value, units[i])} | "
                        f"{format_value(p.threshold, units[i])} | "
                        f"{p.status_fr or p.note or '—'} | {p.method_fr} |"
                        for i, p in projections
                    )
                ),
            }
        )

    return _projection
