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


def build_schedules(plans: tuple[Plan, ...], web_partitions) -> list[dg.ScheduleDefinition]:
    web_years = set(web_partitions.get_partition_keys())

    @dg.schedule(
        job_name=DIGITAL_JOB,
        cron_schedule="0 6 * * *",
        execution_timezone=TIMEZONE,
        description="Every morning: web analytics and Facebook for the current fiscal year.",
    )
    def daily_digital_refresh(context: dg.ScheduleEvaluationContext):
        fy = current_fiscal_year(_local_date(context))
        if fy not in web_years:
            return dg.SkipReason(f"{fy} is outside every plan")
        return dg.RunRequest(run_key=f"digital-{fy}-{_local_date(context)}", partition_key=fy)

    @dg.schedule(
        job_name=INGEST_JOB,
        cron_schedule="0 4 1 * *",
        execution_timezone=TIMEZONE,
        description="First of the month: re-ingest every source.",
    )
    def monthly_ingest(context: dg.ScheduleEvaluationContext):
        fy = current_fiscal_year(_local_date(context))
        if fy not in web_years:
            return dg.SkipReason(f"{fy} is outside every plan")
        return dg.RunRequest(run_key=f"ingest-{_local_date(context)}", partition_key=fy)

    schedules = [daily_digital_refresh, monthly_ingest]
    for plan in plans:
        schedules += _plan_schedules(plan)
    return schedules


def _plan_schedules(plan: Plan) -> list[dg.ScheduleDefinition]:
    years = set(plan_partitions(plan).get_partition_keys())
    job = plan_job_name(plan)

    @dg.schedule(
        name=f"monthly_{plan.slug}",
        job_name=job,
        cron_schedule="0 7 1 * *",
        execution_timezone=TIMEZONE,
        description=f"Monthly recomputation of the current fiscal year of {plan.id}.",
    )
    def monthly(context: dg.ScheduleEvaluationContext):
        fy = current_fiscal_year(_local_date(context))
        if fy not in years:
            return dg.SkipReason(f"{fy} is not a fiscal year of {plan.id}")
        return dg.RunRequest(run_key=f"{plan.slug}-{_local_date(context)}", partition_key=fy)

    @dg.schedule(
        name=f"yearly_closing_{plan.slug}",
        job_name=job,
        cron_schedule="0 6 15 5 *",
        execution_timezone=TIMEZONE,
        description=f"15 May: final results of the fiscal year that ended on 31 March "
        f"({plan.id}); rerunning a final year is recorded in history.",
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
