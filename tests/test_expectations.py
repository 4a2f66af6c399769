"""Great Expectations suites: versioned files equal to the contracts, and faults caught."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from expectations.runner import SUITES_DIR, expected_suites, load_suite, suite_text, validate
from plan_indicators.sources.contracts import CONTRACTS


def test_committed_suites_match_the_contracts():
    expected = expected_suites()
    on_disk = {p.stem for p in SUITES_DIR.glob("*.json")}
    assert on_disk == set(expected)
    for name, suite in expected.items():
        assert (SUITES_DIR / f"{name}.json").read_text("utf-8") == suite_text(suite), name


@pytest.mark.parametrize("source", sorted(CONTRACTS))
def test_every_raw_suite_loads_and_requires_the_contract_columns(source):
    suite = load_suite(f"raw_{source}")
    required = {
        e["kwargs"]["column"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_to_exist"
    }
    assert required == set(CONTRACTS[source].required)
    assert all(e["meta"]["severity"] in {"error", "warn"} for e in suite["expectations"])
    json.dumps(suite)


def _satisfaction(**overrides) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "response_id": ["r1", "r2", "r3"],
            "response_date": pd.to_datetime(["2024-05-01", "2024-06-01", "2024-07-01"]),
            "score": [8.0, 7.0, 9.0],
            "_file": "satisfaction_responses/a.csv",
            "_line": [2, 3, 4],
        }
    )
    for col, values in overrides.items():
        df[col] = values
    return df


def test_clean_frame_passes():
    outcome = validate("staging_satisfaction_responses", _satisfaction())
    assert outcome.success and not outcome.warn_failures


def test_score_eleven_is_out_of_range_with_its_sample():
    outcome = validate("raw_satisfaction_responses", _satisfaction(score=[8.0, 11.0, 9.0]))
    assert outcome.success  # a warning: the reader has already quarantined such rows
    [f] = outcome.warn_failures
    assert (f.rule, f.column, f.sample, f.unexpected_count) == ("out_of_range", "score", [11.0], 1)


def test_null_key_is_an_error():
    outcome = validate("raw_satisfaction_responses", _satisfaction(response_id=["r1", None, "r3"]))
    assert not outcome.success
    assert [(f.rule, f.column) for f in outcome.error_failures] == [("key_not_null", "response_id")]


def test_missing_column_is_an_error_not_a_crash():
    outcome = validate("raw_satisfaction_responses", _satisfaction().drop(columns=["score"]))
    assert not outcome.success
    assert ("missing_column", "score") in [(f.rule, f.column) for f in outcome.error_failures]


def test_unknown_channel_and_negative_reach_warn():
    requests = pd.DataFrame(
        {
            "request_id": ["a", "b"],
            "received_date": pd.to_datetime(["2024-05-01"] * 2),
            "channel": ["web_form", "pigeon"],
            "requester_id": ["x", "y"],
            "region_code": ["01", "02"],
        }
    )
    [f] = validate("raw_service_requests", requests).warn_failures
    assert (f.rule, f.sample) == ("allowed_values", ["pigeon"])
    posts = pd.DataFrame(
        {
            "post_id": ["1", "2"],
            "publish_time": pd.to_datetime(["2024-05-01 10:00"] * 2),
            "reach": [1250.0, -3.0],
            "post_type": ["Photo"] * 2,
            "title": ["a", "b"],
        }
    )
    [f] = validate("raw_facebook_posts", posts).warn_failures
    assert (f.rule, f.sample) == ("out_of_range", [-3.0])


def test_result_suite_catches_bad_percent_and_missing_denominator():
    frame = pd.DataFrame(
        {
            "plan_id": ["p"] * 3,
            "indicator_id": ["1", "2", "3"],
            "fiscal_year": ["2024-2025"] * 3,
            "unit": ["percent", "count", "percent"],
            "value": [120.0, -1.0, 50.0],
            "numerator": [1.0, 2.0, None],
            "denominator": [None, None, 0.0],
        }
    )
    rules = sorted(f.rule for f in validate("indicator_result", frame).error_failures)
    assert rules == ["denominator_positive", "denominator_present", "non_negative", "percent_range"]


def test_no_progress_bar_reaches_stderr(capfd):
    validate("staging_satisfaction_responses", _satisfaction())
    assert "Calculating Metrics" not in capfd.readouterr().err
