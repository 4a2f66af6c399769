"""Dagster asset checks built from the Great Expectations suites.

Error-level expectations block downstream assets (`blocking=True`, severity ERROR); warn-level
ones report with severity WARN and let the run go on. GX is imported only when a check runs,
so loading the code location does not pay for it.
"""

import concurrent.futures as cf
from collections.abc import Callable
from functools import partial

import dagster as dg
import pandas as pd

RAW_SUITE_CHECK = "great_expectations_raw"
STAGING_SUITE_CHECK = "great_expectations_staging"
RESULT_SUITE_CHECK = "great_expectations_result"
RESULT_SUITE = "indicator_result"
VALIDATED_EARLY = "validated_while_staging"
"""Check metadata: the suite was handed to the GX worker by the staging step, which had just
written what the check reads, and validated while the next sources were read."""
RESULT_SUITE_DESCRIPTION = (
    "Great Expectations suite indicator_result: percent in 0-100, counts and delays ≥ 0, each "
    "score within its indicator's declared scale, a denominator > 0 wherever the measure "
    "computes one."
)

FrameLoader = Callable[[dg.AssetCheckExecutionContext], pd.DataFrame | None]
# The suite's answer when it was handed to the GX worker earlier in the run, else None.
Handed = Callable[[dg.AssetCheckExecutionContext], "cf.Future | None"]
# Called with every result the check yields, e.g. to record a failure across runs.
AfterCheck = Callable[[dg.AssetCheckExecutionContext, dg.AssetCheckResult], None]


def _withheld(outcome, asset_key: dg.AssetKey):
    """The outcome without raw samples when the asset's source has a personal column: a
    shifted row can put an identifier in any column, so only counts and rows are shown."""
    import dataclasses

    from plan_indicators.sources.contracts import CONTRACTS

    contract = CONTRACTS.get(asset_key.path[-1])
    if contract is None or not contract.personal:
        return outcome

    def strip(failures):
        return [
            dataclasses.replace(f, sample=[f"<{len(f.sample)} valeur(s) masquée(s)>"])
            if f.sample
            else f
            for f in failures
        ]

    return dataclasses.replace(
        outcome,
        error_failures=strip(outcome.error_failures),
        warn_failures=strip(outcome.warn_failures),
    )


def check_result(
    outcome, check_name: str, asset_key: dg.AssetKey, metadata: dict | None = None
) -> dg.AssetCheckResult:
    """A `SuiteOutcome` as a check result: ERROR if any error-level failure, else WARN."""
    outcome = _withheld(outcome, asset_key)
    passed = outcome.success and not outcome.warn_failures
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR
        if outcome.error_failures
        else dg.AssetCheckSeverity.WARN,
        description=None if passed else outcome.summary(),
        metadata={
            "suite": outcome.suite,
            "evaluated": outcome.evaluated,
            "failing_expectations": dg.MetadataValue.md(outcome.markdown()),
            "unexpected_sample": dg.MetadataValue.json(
                {f"{f.rule}:{f.column}": f.sample[:10] for f in outcome.failures}
            ),
            "unexpected_rows": dg.MetadataValue.json(
                {f"{f.rule}:{f.column}": f.rows[:10] for f in outcome.failures if f.rows}
            ),
            **(metadata or {}),
        },
    )


def build_suite_check(
    *,
    suite_name: str,
    asset_key: dg.AssetKey,
    check_name: str,
    load_frame: FrameLoader,
    description: str,
    required_resource_keys: set[str] | None = None,
    after: AfterCheck | None = None,
    parameters: dict[str, str] | None = None,
    handed: Handed | None = None,
    op_tags: dict[str, str] | None = None,
) -> dg.AssetChecksDefinition:
    """A blocking check that validates what `load_frame` returns against one suite (with its
    `parameters`, by default those of the default catalog), or takes the answer of the same
    validation `handed` to the GX worker earlier in the run.

    `load_frame` returning None means nothing was published: the check passes and says so,
    since the asset itself reports the missing input.
    """

    @dg.asset_check(
        asset=asset_key,
        name=check_name,
        blocking=True,
        description=description,
        required_resource_keys=required_resource_keys or set(),
        op_tags=op_tags,
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        from expectations.runner import validate

        outcome = _answer(handed(context)) if handed is not None else _NOT_HANDED
        early = outcome is not _NOT_HANDED
        if not early:
            frame = load_frame(context)
            outcome = None if frame is None else validate(suite_name, frame, parameters)
        if outcome is None:
            return dg.AssetCheckResult(
                passed=True, metadata={"suite": suite_name, "rows": 0, "note": "no data"}
            )
        result = check_result(outcome, check_name, asset_key, {VALIDATED_EARLY: early})
        if after is not None:
            after(context, result)
        return result

    return _check


_NOT_HANDED = object()


def _answer(future: cf.Future | None):
    """A handed-over suite's outcome (None: nothing staged), or `_NOT_HANDED` when there was
    none or it was cancelled."""
    if future is None:
        return _NOT_HANDED
    try:
        return future.result()
    except cf.CancelledError:
        return _NOT_HANDED


_SOURCE_SUITES = {
    "raw": (RAW_SUITE_CHECK, "columns, keys, values, dates."),
    "staging": (
        STAGING_SUITE_CHECK,
        "columns, keys, values, dates, types, and every row keeps its file and line.",
    ),
}


def build_source_check(
    layer: str,
    source: str,
    asset_key: dg.AssetKey,
    load_frame: FrameLoader,
    required_resource_keys: set[str] | None = None,
    after: AfterCheck | None = None,
    parameters: dict[str, str] | None = None,
    handed: Handed | None = None,
    op_tags: dict[str, str] | None = None,
) -> dg.AssetChecksDefinition:
    """The `<layer>_<source>` suite on a raw asset (typed rows as read from the landing files)
    or on `staging/<source>` (contract rules, lineage and types)."""
    check_name, checked = _SOURCE_SUITES[layer]
    return build_suite_check(
        suite_name=f"{layer}_{source}",
        asset_key=asset_key,
        check_name=check_name,
        load_frame=load_frame,
        required_resource_keys=required_resource_keys,
        after=after,
        parameters=parameters,
        handed=handed,
        op_tags=op_tags,
        description=f"Great Expectations suite {layer}_{source}: {checked}",
    )


build_staging_checks = partial(build_source_check, "staging")
