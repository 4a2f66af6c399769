"""The annual report's results table, rendered from the published warehouse tables."""

from pathlib import Path

import dagster as dg

from assets.keys import ANNUAL_REPORT, REPORTS_GROUP
from resources import RunSettings, Warehouse


def report_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=ANNUAL_REPORT,
        deps=upstream,
        group_name=REPORTS_GROUP,
        kinds={"html"},
        description=(
            "Rapport annuel de gestion : tableau des résultats de chaque plan (objectif, "
            "indicateur, cible, résultat, statut par année) avec un graphique par indicateur."
        ),
    )
    def _report(context: dg.AssetExecutionContext, warehouse: Warehouse, settings: RunSettings):
        from plan_indicators.report import write_report

        out = write_report(
            warehouse.engine(), Path(settings.report_path), as_of=settings.as_of_date()
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(out.resolve())),
                "size_bytes": out.stat().st_size,
            }
        )

    return _report
