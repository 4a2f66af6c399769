"""Schedules in America/Toronto: daily digital refresh, monthly recomputation, yearly closing."""

import datetime as dt

import dagster as dg

from assets.partitions import plan_partitions
from orchestration.jobs import DIGITAL_JOB, INGEST_JOB, plan_job_name
from plan_indicators.catalog import Plan
from plan_indicators.fiscal import FiscalYear

TIMEZONE = "America/Toronto"


def _local_date(context: dg.ScheduleEvaluationContext) -> dt.date:
    """The tick's date in America/Toronto (the schedules' execution timezone)."""
    return context.scheduled_execution_time.date()


def current_fiscal_year(day: dt.date) -> str:
    return FiscalYear.of(day).key


def closing_year(day: dt.date) -> str:
    """The fiscal year that the spring closing run finalises: the one that ended last 31 March."""
    return FiscalYear.of(day).previous.key


def _current_year_schedule(
    name: str, job: str, cron: str, years: set[str], description: str, run_key: str
) -> dg.ScheduleDefinition:
    """A schedule that runs `job` on the current fiscal year's partition, or skips when the
    year is not one of `years`; `run_key` is a prefix, completed by the tick's date."""

    @dg.schedule(
        name=name,
        job_name=job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        day = _local_date(context)
        fy = current_fiscal_year(day)
        if fy not in years:
            return dg.SkipReason(f"{fy} is not a fiscal year of {job}")
        return dg.RunRequest(run_key=f"{run_key}-{day}", partition_key=fy)

    return _schedule


def build_schedules(plans: tuple[Plan, ...], web_partitions) -> list[dg.ScheduleDefinition]:
    web_years = set(web_partitions.get_partition_keys())
    schedules = [
        _current_year_schedule(
            "daily_digital_refresh",
            DIGITAL_JOB,
            "0 6 * * *",
            web_years,
            "Every morning: web analytics and Facebook for the current fiscal year.",
            "digital",
        ),
        _current_year_schedule(
            "monthly_ingest",
            INGEST_JOB,
            "0 4 1 * *",
            web_years,
            "First of the month: re-ingest every source.",
            "ingest",
        ),
    ]
    for plan in plans:
        schedules += _plan_schedules(plan)
    return schedules


def _plan_schedules(plan: Plan) -> list[dg.ScheduleDefinition]:
    years = set(plan_partitions(plan).get_partition_keys())
    job = plan_job_name(plan)
    monthly = _current_year_schedule(
        f"monthly_{plan.slug}",
        job,
        "0 7 1 * *",
        years,
        f"Monthly recomputation of the current fiscal year of {plan.id}.",
        plan.slug,
    )

    @dg.schedule(
        name=f"yearly_closing_{plan.slug}",
        job_name=job,
        cron_schedule="0 6 15 5 *",
        execution_timezone=TIMEZONE,
        description=f"15 May: the closing of the fiscal year that ended on 31 March "
        f"({plan.id}): its results become final and the closing is recorded "
        "(fiscal_year_closing); later runs keep them until it is reopened.",
    )
    def yearly(context: dg.ScheduleEvaluationContext):
        fy = closing_year(_local_date(context))
        if fy not in years:
            return dg.SkipReason(f"{fy} is not a fiscal year of {plan.id}")
        return dg.RunRequest(
            run_key=f"closing-{plan.slug}-{fy}",
            partition_key=fy,
            run_config={"resources": {"settings": {"config": {"final_years": [fy]}}}},
            tags={"plan_indicators/closing": fy},
        )

    return [monthly, yearly]
