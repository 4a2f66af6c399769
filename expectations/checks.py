"""Dagster asset checks built from the Great Expectations suites.

Error-level expectations block downstream assets (`blocking=True`, severity ERROR); warn-level
ones report with severity WARN and let the run go on. GX is imported only when a check runs.
"""


from collections.abc import Callable

import dagster as dg
import pandas as pd

RAW_SUITE_CHECK = "great_expectations_raw"
STAGING_SUITE_CHECK = "great_expectations_staging"
RESULT_SUITE_CHECK = "great_expectations_result"


def check_result(outcome, check_name: str, asset_key: dg.AssetKey) -> dg.AssetCheckResult:
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
        },
    )


def build_suite_check(
    *,
    suite_name: str,
    asset_key: dg.AssetKey,
    check_name: str,
    load_frame: Callable[[dg.AssetCheckExecutionContext], pd.DataFrame | None],
    description: str,
    required_resource_keys: set[str] | None = None,
) -> dg.AssetChecksDefinition:
    """A blocking check that validates what `load_frame` returns against one suite."""

    @dg.asset_check(
        asset=asset_key,
        name=check_name,
        blocking=True,
        description=description,
        required_resource_keys=required_resource_keys or set(),
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        from expectations.runner import validate

        frame = load_frame(context)
        if frame is None:
            return dg.AssetCheckResult(passed=True, metadata={"rows": 0, "note": "no data"})
        return check_result(validate(suite_name, frame), check_name, asset_key)

    return _check
