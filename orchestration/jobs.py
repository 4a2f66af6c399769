"""Jobs: ingestion, each plan's indicators, the digital sources and the report.

Plans have their own fiscal-year partitions, so "the whole graph" is the ingestion job followed by
every plan job (what `plan-indicators run` does), or the automation sensor reacting to new data.
"""

from __future__ import annotations

import dagster as dg

from assets.keys import ANNUAL_REPORT, CATALOG_GROUP, INGESTION_GROUP, raw_key, staging_key
from assets.partitions import plan_partitions
from plan_indicators.catalog import Plan
from plan_indicators.sources.contracts import DAILY_SOURCES

INGEST_JOB = "ingest"
DIGITAL_JOB = "digital_sources"
REPORT_JOB = "annual_report"
DIGITAL_SOURCES = DAILY_SOURCES


def plan_job_name(plan: Plan) -> str:
    return f"indicators_{plan.slug}"


def ingest_selection(sources: tuple[str, ...] | None = None) -> dg.AssetSelection:
    if sources is None:
        return dg.AssetSelection.groups(INGESTION_GROUP, CATALOG_GROUP)
    keys = [k for s in sources for k in (raw_key(s), staging_key(s))]
    return dg.AssetSelection.assets(*keys)


def build_jobs(plans: tuple[Plan, ...], web_partitions) -> list[dg.UnresolvedAssetJobDefinition]:
    jobs = [
        dg.define_asset_job(
            INGEST_JOB,
            selection=ingest_selection(),
            partitions_def=web_partitions,
            description="Read, type, quarantine and stage every landing-zone source; publish the "
            "catalog tables. Partition = fiscal year of the web-analytics staging.",
        ),
        dg.define_asset_job(
            DIGITAL_JOB,
            selection=ingest_selection(DIGITAL_SOURCES),
            partitions_def=web_partitions,
            description="Web analytics and Facebook only, for the daily refresh.",
        ),
        dg.define_asset_job(REPORT_JOB, selection=dg.AssetSelection.assets(ANNUAL_REPORT)),
    ]
    for plan in plans:
        jobs.append(
            dg.define_asset_job(
                plan_job_name(plan),
                selection=dg.AssetSelection.groups(plan.slug),
                partitions_def=plan_partitions(plan),
                description=f"Indicators and evaluations of {plan.plan.organisation}, "
                f"{plan.plan.title}.",
            )
        )
    return jobs
