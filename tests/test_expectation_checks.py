"""GX checks in real in-process Dagster runs: errors block downstream assets, warnings do not.

Each run materialises an asset that writes a Parquet file, the check reads it back the way the
pipeline's loaders do, and a downstream asset shows whether the run went on.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd

from expectations.checks import (
    RESULT_SUITE,
    RESULT_SUITE_CHECK,
    RESULT_SUITE_DESCRIPTION,
    STAGING_SUITE_CHECK,
    build_source_check,
    build_staging_checks,
    build_suite_check,
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


def build_raw_check(source, key, load):
    return build_source_check("raw", source, key, load)


def build_result_check(key, load):
    """The result suite as a check of its own (the plan's results step runs it in the step)."""
    return build_suite_check(
        suite_name=RESULT_SUITE,
        asset_key=key,
        check_name=RESULT_SUITE_CHECK,
        load_frame=load,
        description=RESULT_SUITE_DESCRIPTION,
    )


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


def _plan_2030():
    """A plan nobody here wrote, 2030-2034, with a 2029-2030 baseline: valid under §2.5."""
    from plan_indicators.catalog import parse_plan

    indicator = {
        "id": "1.1", "enjeu": "E", "orientation": "O", "objective": "Ob", "text_fr": "Note",
        "unit": "score", "scale": {"min": 0, "max": 10},
        "measure": {"name": "mean_satisfaction_score"},
        "targets": {"2030-2031": {"kind": "delta_over_baseline", "delta": 0.1,
                                  "baseline_year": "2029-2030", "text_fr": "+0,1"}},
    }  # fmt: skip
    plan = {"id": "later-2030-2034", "organisation": "Org", "title": "Plan 2030-2034",
            "fiscal_years": ["2030-2031", "2031-2032", "2032-2033", "2033-2034"]}  # fmt: skip
    return parse_plan({"plan": plan, "indicators": [indicator]}, "later.yaml")


def test_dates_are_checked_against_the_catalog_years_not_a_fixed_period(tmp_path):
    # The suites used to warn on every date after 2030-03-31 (a period written in the code),
    # so a valid 2030-2034 plan warned on each of its rows. The window is now the catalog's
    # years: 2029-04-01 (its baseline 2029-2030) to 2034-03-31 (the end of 2033-2034).
    from expectations.runner import catalog_parameters

    parameters = catalog_parameters([_plan_2030()])
    assert parameters == {"first_day": "2029-04-01", "last_day": "2034-03-31"}
    dates = pd.to_datetime(["2031-05-01", "2033-12-01"])

    def build(key, load):
        return build_staging_checks(SOURCE, key, load, parameters=parameters)

    _materialized, ev = _run(STAGING, _satisfaction(response_date=dates), tmp_path, build)
    assert ev.passed
    # Under that catalog a row of 2024 counts in no result: it is named, as a warning.
    dates = pd.to_datetime(["2031-05-01", "2024-05-01"])
    materialized, ev = _run(STAGING, _satisfaction(response_date=dates), tmp_path, build)
    assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN
    assert ev.metadata["unexpected_rows"].value == {
        "date_in_plan_years:response_date": ["satisfaction_responses/a.csv:3"]
    }
    assert DOWNSTREAM in materialized


def test_code_location_checks_dates_against_its_own_plans(tmp_path):
    # The staging suite check of definitions_for([the 2030-2034 plan]), run on a staged 2031
    # row: no warning (the fixed 2015-2030 period warned on it).
    from orchestration.definitions import definitions_for
    from resources import LandingZone

    defs = definitions_for((_plan_2030(),))
    key = dg.AssetCheckKey(STAGING, STAGING_SUITE_CHECK)
    [check] = [c for c in defs.asset_checks if key in c.check_keys]
    dates = pd.to_datetime(["2031-05-01", "2031-06-01"])
    ParquetStagedData(tmp_path).write(SOURCE, _satisfaction(response_date=dates))
    run = dg.materialize(
        [check],
        selection=dg.AssetSelection.checks(key),
        resources={"landing": LandingZone(path=str(tmp_path), staging_path=str(tmp_path))},
        raise_on_error=False,
    )
    [ev] = run.get_asset_check_evaluations()
    assert ev.passed, ev.description


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
