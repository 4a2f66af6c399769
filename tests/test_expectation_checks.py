"""GX checks in real in-process Dagster runs: errors block downstream assets, warnings do not."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from expectations.checks import STAGING_SUITE_CHECK, build_suite_check

KEY = dg.AssetKey(["staging", "satisfaction_responses"])


def _graph(frame: pd.DataFrame):
    @dg.asset(key=KEY)
    def staged() -> None:
        return None

    check = build_suite_check(
        suite_name="staging_satisfaction_responses",
        asset_key=KEY,
        check_name=STAGING_SUITE_CHECK,
        load_frame=lambda _ctx: frame,
        description="test",
    )

    @dg.asset(deps=[KEY])
    def downstream() -> None:
        return None

    return [staged, downstream], [check]


def _frame(**overrides) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "response_id": ["r1", "r2"],
            "response_date": pd.to_datetime(["2024-05-01"] * 2),
            "score": [8.0, 7.0],
            "_file": "satisfaction_responses/a.csv",
            "_line": [2, 3],
        }
    )
    for k, v in overrides.items():
        df[k] = v
    return df


def _run(frame):
    assets, checks = _graph(frame)
    result = dg.materialize([*assets, *checks], raise_on_error=False)
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    [evaluation] = result.get_asset_check_evaluations()
    return materialized, evaluation


def test_clean_data_passes_and_downstream_runs():
    materialized, ev = _run(_frame())
    assert ev.passed
    assert dg.AssetKey("downstream") in materialized


def test_error_level_fault_blocks_downstream():
    materialized, ev = _run(_frame(response_id=["r1", None]))
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
    assert "response_id" in ev.description
    assert dg.AssetKey("downstream") not in materialized


def test_warning_does_not_block():
    materialized, ev = _run(_frame(score=[8.0, 11.0]))
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    assert dg.AssetKey("downstream") in materialized
