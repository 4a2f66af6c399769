"""GX checks in real in-process Dagster runs: errors block downstream assets, warnings do not.

Each run materialises an asset that writes a Parquet file, the check reads it back the way the
pipeline's loaders do, and a downstream asset shows whether the run went on.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd

from expectations.checks import (
    RESULT_SUITE_CHECK,
    STAGING_SUITE_CHECK,
    build_raw_check,
    build_result_check,
    build_staging_checks,
)
from plan_indicators.staging import ParquetStagedData

SOURCE = "satisfaction_responses"
STAGING = dg.AssetKey(["staging", SOURCE])
RESULT = dg.AssetKey(["indicator_result", "ophq_2024_2028", "i_4_2_1"])
DOWNSTREAM = dg.AssetKey("downstream")


def _run(key: dg.AssetKey, frame: pd.DataFrame | None, folder: Path, build):
    """Materialise key → check → downstream; return what materialised and the evaluation."""
    store = ParquetStagedData(folder)
    name = key.path[-1]

    @dg.asset(key=key)
    def upstream() -> None:
        if frame is not None:
            store.write(name, frame)

    @dg.asset(key=DOWNSTREAM, deps=[key])
    def downstream() -> None:
        return None

    check = build(key, lambda _ctx: ParquetStagedData(folder).frame(name))
    result = dg.materialize([upstream, downstream, check], raise_on_error=False)
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    [evaluation] = result.get_asset_check_evaluations()
    return materialized, evaluation


def _staging(key, load):
    return build_staging_checks(SOURCE, key, load)


def _satisfaction(**overrides) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "response_id": ["r1", "r2"],
            "response_date": pd.to_datetime(["2024-05-01"] * 2),
            "score": [8.0, 7.0],
            "survey": ["accueil", None],  # optional columns are staged, empty allowed
            "question": None,
            "_file": "satisfaction_responses/a.csv",
            "_line": [2, 3],
        }
    )
    for k, v in overrides.items():
        df[k] = v
    return df


def test_check_definition_is_blocking_and_named():
    check = build_staging_checks(SOURCE, STAGING, lambda _ctx: None)
    [spec] = check.check_specs
    assert (spec.name, spec.asset_key, spec.blocking) == (STAGING_SUITE_CHECK, STAGING, True)
    assert "staging_satisfaction_responses" in spec.description


def test_clean_staged_frame_passes_and_downstream_runs(tmp_path):
    materialized, ev = _run(STAGING, _satisfaction(), tmp_path, _staging)
    assert ev.passed and ev.check_name == STAGING_SUITE_CHECK
    # 3 required columns + 1 key not null + 1 key unique + score range + date range
    # + 2 lineage (_file, _line) + 7 types (5 contract columns with the optional survey and
    # question, _file, _line) = 7 + 2 + 7 = 16
    assert ev.metadata["evaluated"].value == 16
    assert DOWNSTREAM in materialized


def test_error_level_fault_fails_with_error_and_blocks_downstream(tmp_path):
    materialized, ev = _run(STAGING, _satisfaction(response_id=["r1", None]), tmp_path, _staging)
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
    # the null key is the second row of the frame, line 3 of the file
    assert "response_id" in ev.description and "satisfaction_responses/a.csv:3" in ev.description
    assert "| error | expect_column_values_to_not_be_null | response_id | key_not_null | 1 |" in (
        ev.metadata["failing_expectations"].value
    )
    assert STAGING in materialized and DOWNSTREAM not in materialized


def test_warning_only_fails_with_warn_and_does_not_block(tmp_path):
    materialized, ev = _run(STAGING, _satisfaction(score=[8.0, 11.0]), tmp_path, _staging)
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    assert ev.metadata["unexpected_sample"].value == {"out_of_range:score": [11.0]}
    assert ev.metadata["unexpected_rows"].value == {
        "out_of_range:score": ["satisfaction_responses/a.csv:3"]
    }
    assert DOWNSTREAM in materialized


def test_nothing_staged_passes_and_says_so(tmp_path):
    materialized, ev = _run(STAGING, None, tmp_path, _staging)
    assert ev.passed and ev.metadata["note"].value == "no data"
    assert DOWNSTREAM in materialized


def test_raw_check_uses_the_raw_suite(tmp_path):
    key = dg.AssetKey(["raw", SOURCE])
    frame = _satisfaction(response_id=[None, "r2"]).drop(columns=["_file", "_line"])
    materialized, ev = _run(key, frame, tmp_path, lambda k, load: build_raw_check(SOURCE, k, load))
    assert ev.metadata["suite"].value == "raw_satisfaction_responses"
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
    assert DOWNSTREAM not in materialized


def _results(value: float, denominator: float | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plan_id": ["ophq-2024-2028"],
            "indicator_id": ["4.2.1"],
            "fiscal_year": ["2024-2025"],
            "unit": ["percent"],
            "value": [value],
            "numerator": [None if denominator is None else value * denominator / 100],
            "denominator": [denominator],
            "scale_min": [None],
            "scale_max": [None],
            "computes_denominator": [True],  # share_eligible_processed
        }
    )


def test_result_check_passes_a_valid_percent(tmp_path):
    # 45 processed of 60 eligible requests: 45 / 60 × 100 = 75.0 %
    materialized, ev = _run(RESULT, _results(75.0, 60.0), tmp_path, build_result_check)
    assert ev.passed and ev.check_name == RESULT_SUITE_CHECK
    assert DOWNSTREAM in materialized


def test_result_check_blocks_a_percent_over_100(tmp_path):
    # 72 / 60 × 100 = 120 %: impossible for a share
    materialized, ev = _run(RESULT, _results(120.0, 60.0), tmp_path, build_result_check)
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
    assert ev.metadata["unexpected_sample"].value == {"percent_range:value": [120.0]}
    assert RESULT in materialized and DOWNSTREAM not in materialized


def test_result_check_blocks_a_percent_without_denominator(tmp_path):
    materialized, ev = _run(RESULT, _results(50.0, None), tmp_path, build_result_check)
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
    assert "denominator" in ev.description
    assert DOWNSTREAM not in materialized
