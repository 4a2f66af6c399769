"""The code location: every asset, check, job, schedule and sensor, built from the catalog."""

from __future__ import annotations

import os
import warnings
from functools import cache

import dagster as dg

from assets.catalog import catalog_assets
from assets.checks import source_checks
from assets.commentary_check import explanations_matched_check
from assets.indicators import plan_assets
from assets.ingestion import ingestion_assets
from assets.keys import evaluation_key
from assets.partitions import all_years_partitions
from assets.projection import projection_asset, projection_key
from assets.reports import report_asset
from expectations.runner import catalog_parameters
from orchestration.event_batches import enable_event_batches
from orchestration.jobs import build_jobs
from orchestration.schedules import build_schedules
from orchestration.sensors import build_sensors
from plan_indicators.catalog import Plan, load_catalog
from resources import build_resources

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
# Every process that loads the code location (`run`, the run workers of the daemon and of
# `dagster dev`) hands its event log the planned and partitioned materialisations in batches.
enable_event_batches()


def web_pages(plans) -> tuple[str, ...]:
    """Every page any `distinct_users` indicator counts, normalised as staging stores them."""
    from plan_indicators.measures.web import normalise_path

    return tuple(
        sorted(
            {
                normalise_path(page)
                for plan in plans
                for ind in plan.indicators
                if ind.measure.name == "distinct_users"
                for page in ind.measure.params.get("pages", [])
            }
        )
    )


@cache
def build_definitions(plans_dir: str | None = None, **resources: str | None) -> dg.Definitions:
    """Definitions for a catalog folder; `resources` override the deployment's defaults."""
    plans = load_catalog(plans_dir or os.environ.get("PLAN_INDICATORS_PLANS_DIR") or None)
    return definitions_for(plans, **resources)


def definitions_for(plans: tuple[Plan, ...], **resources: str | None) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor of these plans (what `validate-plan` builds
    to make the checks a run makes)."""
    web_partitions = all_years_partitions(plans)
    parameters = tuple(sorted(catalog_parameters(plans).items()))
    ingestion = ingestion_assets(web_partitions, web_pages(plans), parameters)
    assets: list = [catalog_assets(plans), *ingestion]
    for plan in plans:
        assets += [*plan_assets(plan), projection_asset(plan)]
    shown = [evaluation_key(p, i) for p in plans for i in p.indicators]
    assets.append(report_asset([*shown, *(projection_key(p) for p in plans)]))
    return dg.Definitions(
        assets=assets,
        asset_checks=[*source_checks(plans), explanations_matched_check(plans)],
        jobs=build_jobs(plans, web_partitions),
        schedules=build_schedules(plans, web_partitions),
        sensors=build_sensors(web_partitions),
        resources=build_resources(**resources),
    )


defs = build_definitions()
