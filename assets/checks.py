"""Great Expectations checks wired to the assets: raw and staged sources, indicator results."""

import concurrent.futures as cf
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import pandas as pd

from assets import handover
from assets.keys import evaluation_key, result_key, staging_key
from assets.step_order import LATER
from expectations.checks import (
    RESULT_SUITE,
    RESULT_SUITE_CHECK,
    RESULT_SUITE_DESCRIPTION,
    STAGING_SUITE_CHECK,
    build_staging_checks,
    check_result,
)
from expectations.suites import result_frame
from plan_indicators import source_state
from plan_indicators import warehouse as wh
from plan_indicators.catalog import Plan
from plan_indicators.sources.contracts import SOURCES
from plan_indicators.staging import WEB, ParquetStagedData


def _loader(sub: str, source: str):
    def load(context: dg.AssetCheckExecutionContext) -> pd.DataFrame | None:
        return ParquetStagedData(Path(context.resources.landing.staging_path) / sub).frame(source)

    return load


def record_failure(layer: str, source: str):
    """A blocking failure marks the step's state failed, so that later runs (UI, schedule,
    sensor) do not read what the suite refused (plan_indicators/source_state.py)."""

    def after(context: dg.AssetCheckExecutionContext, result: dg.AssetCheckResult) -> None:
        if not result.passed and result.severity == dg.AssetCheckSeverity.ERROR:
            source_state.record(
                context.resources.landing.staging_path,
                layer,
                source,
                source_state.FAILED,
                context.run.run_id,
                f"check {result.check_name} failed: {result.description or ''}".strip(),
            )

    return after


def run_checks(context: dg.AssetExecutionContext, key: dg.AssetCheckKey) -> bool:
    """Whether the step's run checks `key` (a step hands over only a suite its run checks)."""
    checks = context.run.asset_check_selection  # None: every check of the run's assets
    return checks is None or key in checks


def hand_over_staging_suite(
    context: dg.AssetExecutionContext, staging: str, source: str, parameters: dict
) -> None:
    """Hand the source's staging suite to the GX worker as soon as its step has written the
    staged Parquet, when this run checks it; the check's step takes the answer."""
    from expectations import worker
    from expectations.runner import validate_staged

    handover.forget(source_state.STAGING, context.run_id, source)
    if not run_checks(context, dg.AssetCheckKey(staging_key(source), STAGING_SUITE_CHECK)):
        return
    suite = f"staging_{source}"
    future = worker.submit(validate_staged, suite, str(staging), source, parameters)
    if future is not None:
        handover.hand(source_state.STAGING, context.run_id, source, parameters, future)


def _handed(source: str, parameters: dict):
    """The answer handed over for this run, if given the check's own parameters."""

    def take(context: dg.AssetCheckExecutionContext) -> cf.Future | None:
        return handover.take(source_state.STAGING, context.run.run_id, source, parameters)

    return take


def source_checks(plans: Iterable[Plan] | None = None) -> list[dg.AssetChecksDefinition]:
    """The raw and staging suites of every source read with pandas, their dates checked
    against the fiscal years of `plans` (the default catalog when None); the raw suites on the
    files new or changed since the last read (`assets/raw_suites.py`)."""
    from assets.raw_suites import raw_suite_checks
    from expectations.runner import catalog_parameters

    parameters = catalog_parameters(None if plans is None else tuple(plans))
    checks = []
    for source in SOURCES:
        if source == WEB:
            continue
        resources = {"landing"}
        staging = source_state.STAGING
        checks.append(
            build_staging_checks(
                source, staging_key(source), _loader("", source), resources,
                after=record_failure(staging, source), parameters=parameters,
                handed=_handed(source, parameters), op_tags=LATER,
            )
        )  # fmt: skip
    return raw_suite_checks(parameters) + checks


def prefetch_targets(context: dg.AssetExecutionContext, keys: list[dg.AssetKey]) -> None:
    """Read the latest materialisation of every asset whose check this step is about to yield,
    in one query. Dagster records on each check result the materialisation it checked, read
    from the instance one asset at a time when the result is yielded (a query per check, most
    of a check's cost in a plan step); it reads the step's cache of asset records first, which
    this fills. Without that cache (another Dagster) the checks read as before."""
    step = getattr(context.op_execution_context, "_step_execution_context", None)
    cache = getattr(step, "_data_version_cache", None)
    known = getattr(cache, "input_asset_version_info", None)
    fetch = getattr(cache, "_fetch_input_asset_version_info", None)
    if not isinstance(known, dict) or not callable(fetch):
        return
    missing = [k for k in dict.fromkeys(keys) if k not in known]
    if missing:
        fetch(missing)


def result_check_specs(plan: Plan) -> list[dg.AssetCheckSpec]:
    """The result suite's check on each indicator result of the plan, run by the plan's results
    step on what it has just published. Not `blocking` in Dagster's sense: a blocking check
    fails its whole step, which would stop every evaluation of the plan; instead an evaluation
    whose result failed it (ERROR) is `no_data` with the reason (docs/contracts.md §2.8)."""
    return [
        dg.AssetCheckSpec(
            RESULT_SUITE_CHECK,
            asset=result_key(plan, ind),
            blocking=False,
            description=RESULT_SUITE_DESCRIPTION,
        )
        for ind in plan.indicators
    ]


def result_suite(context: dg.AssetExecutionContext, plan: Plan, engine, indicators: list):
    """One validation of the published rows of `indicators`, one check result per indicator
    whose check the run selected."""
    from expectations.runner import SuiteOutcome, validate

    selected = {k.asset_key for k in context.selected_asset_check_keys}
    keys = {ind.id: result_key(plan, ind) for ind in indicators}
    keys = {i: k for i, k in keys.items() if k in selected}
    if not keys:
        return
    rows = [
        r
        for r in wh.read_rows(engine, wh.indicator_result, plan_id=plan.id)
        if r["indicator_id"] in keys
    ]
    frame = result_frame(plan, rows)
    outcome = validate(RESULT_SUITE, frame)
    prefetch_targets(context, list(keys.values()))
    for ind_id, key in keys.items():
        mine = set(frame.index[frame["indicator_id"] == ind_id])

        def concerns(f, mine=mine):
            return f.rule == "missing_column" or bool(mine & set(f.index))

        errors = [f for f in outcome.error_failures if concerns(f)]
        warns = [f for f in outcome.warn_failures if concerns(f)]
        part = SuiteOutcome(outcome.suite, not errors, errors, warns, outcome.evaluated)
        yield check_result(part, RESULT_SUITE_CHECK, key)


MISSED_TARGET_EXPLAINED = "missed_target_explained"
MISSED_TARGET_EXPLAINED_DESCRIPTION = (
    "A final year's missed target (status `not_met`, result `is_final`) has its explication des "
    "résultats in result_commentary (docs/contracts.md §4.7.11). Warning only: the evaluation "
    "is published all the same."
)


def explained_check_specs(plan: Plan) -> list[dg.AssetCheckSpec]:
    """The WARN check `missed_target_explained` on each evaluation of the plan, run by the
    plan's evaluations step on what it has just published."""
    return [
        dg.AssetCheckSpec(
            MISSED_TARGET_EXPLAINED,
            asset=evaluation_key(plan, ind),
            blocking=False,
            description=MISSED_TARGET_EXPLAINED_DESCRIPTION,
        )
        for ind in plan.indicators
    ]


def missed_target_explained(context: dg.AssetExecutionContext, plan: Plan, engine):
    """One check result per evaluation whose check the run selected: WARN, naming the final
    years whose `not_met` has no explanation, read from the warehouse (every year of the
    indicator, not only this run's partitions: a year closed earlier still lacks its text)."""
    from plan_indicators.commentary import SOURCE, unexplained_missed

    selected = {k.asset_key for k in context.selected_asset_check_keys}
    checked = [
        (ind, key) for ind in plan.indicators if (key := evaluation_key(plan, ind)) in selected
    ]
    prefetch_targets(context, [key for _ind, key in checked])
    for ind, key in checked:
        years = unexplained_missed(engine, plan.id, ind.id)
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=MISSED_TARGET_EXPLAINED,
            passed=not years,
            severity=dg.AssetCheckSeverity.WARN,
            description=None
            if not years
            else f"cible non atteinte sans explication des résultats : {plan.id} {ind.id}, "
            f"{'années définitives' if len(years) > 1 else 'année définitive'} "
            f"{', '.join(years)} ; ajouter la ligne plan_id={plan.id}, indicator_id={ind.id}, "
            f"fiscal_year={years[0]} dans {SOURCE}/",
            metadata={"unexplained_years": dg.MetadataValue.json(years)},
        )
