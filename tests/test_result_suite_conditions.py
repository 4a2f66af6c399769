"""The result suite leaves out of GX the expectations whose row condition selects no row
(expectations/runner.py `_vacuous`): the outcome must be the one GX gives with all of them."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expectations import runner
from expectations.runner import _as_objects, _vacuous, validate_suite
from expectations.suites import RESULT_COLUMNS, load_suite

SUITE = "indicator_result"


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col in ("value", "numerator", "denominator", "scale_min", "scale_max"):
        frame[col] = pd.to_numeric(frame[col]).astype("float64")
    frame["computes_denominator"] = frame["computes_denominator"].astype(bool)
    return frame


def _row(indicator: str, unit: str, value, **more) -> dict:
    return {
        "plan_id": "p",
        "indicator_id": indicator,
        "fiscal_year": "2024-2025",
        "unit": unit,
        "value": value,
        "numerator": value,
        "denominator": None,
        "scale_min": None,
        "scale_max": None,
        "computes_denominator": False,
        **more,
    }


def _positions(condition_part: str) -> set[int]:
    """Positions of the suite's expectations whose row condition mentions `condition_part`."""
    return {
        i
        for i, e in enumerate(load_suite(SUITE)["expectations"])
        if condition_part in (e["kwargs"].get("row_condition") or "")
    }


def _plain(outcome) -> tuple:
    return (
        outcome.success,
        outcome.evaluated,
        [
            (f.expectation, f.column, f.severity, f.rule, f.unexpected_count, f.index, f.exception)
            for f in outcome.failures
        ],
    )


def test_counts_alone_leave_out_the_percent_score_and_denominator_rules():
    # Two count rows, no denominator: the percent rule (unit=="percent"), the four score rules
    # (unit=="score") and the two denominator rules (computes_denominator==True) select no row;
    # the count rule (unit=="count" or ...) selects both and stays.
    frame = _as_objects(_frame([_row("1.1", "count", 12.0), _row("1.2", "count", 3.0)]))
    expected = _positions('unit=="percent"') | _positions("score") | _positions("computes")
    assert len(expected) == 7
    assert _vacuous(load_suite(SUITE), frame) == expected


def test_a_row_that_meets_a_condition_keeps_its_rules():
    frame = _as_objects(
        _frame(
            [
                _row("1.1", "percent", 40.0, denominator=10.0, computes_denominator=True),
                _row("1.2", "score", 4.0, scale_min=1.0, scale_max=5.0),
                _row("1.3", "days", 12.0),
            ]
        )
    )
    assert _vacuous(load_suite(SUITE), frame) == set()


def test_a_negative_count_still_fails_and_a_score_out_of_scale_too():
    # The count rule is applied though the percent and score rules are left out...
    outcome = validate_suite(load_suite(SUITE), _frame([_row("1.1", "count", -1.0)]), {})
    assert [(f.column, f.unexpected_count, f.index) for f in outcome.error_failures] == [
        ("value", 1, [0])
    ]
    # ...and a score of 7 on a 1-5 scale fails value >= scale_max's pair rule (row 1).
    rows = [_row("1.1", "count", 2.0), _row("1.2", "score", 7.0, scale_min=1.0, scale_max=5.0)]
    outcome = validate_suite(load_suite(SUITE), _frame(rows), {})
    assert [(f.column, f.index) for f in outcome.error_failures] == [("scale_max,value", [1])]


def test_a_condition_pandas_cannot_read_is_left_to_gx_which_reports_it():
    suite = {
        "name": "broken_condition",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {
                    "column": "value",
                    "row_condition": "unit ==",
                    "condition_parser": "pandas",
                },
                "meta": {"severity": "error", "rule": "broken"},
            }
        ],
    }
    frame = _frame([_row("1.1", "count", 1.0)])
    assert _vacuous(suite, _as_objects(frame)) == set()
    outcome = validate_suite(suite, frame, {})
    assert not outcome.success
    assert outcome.error_failures[0].exception


UNITS = ("count", "percent", "score", "days", "currency")
NUMBER = st.one_of(st.just(math.nan), st.sampled_from([-5.0, 0.0, 1.0, 3.5, 50.0, 100.0, 140.0]))
ROW = st.builds(
    lambda unit, value, denominator, low, high, computes: _row(
        "x",
        unit,
        value,
        denominator=denominator,
        scale_min=low,
        scale_max=high,
        computes_denominator=computes,
    ),
    st.sampled_from(UNITS),
    NUMBER,
    NUMBER,
    st.one_of(st.just(math.nan), st.sampled_from([0.0, 1.0])),
    st.one_of(st.just(math.nan), st.sampled_from([5.0, 10.0])),
    st.booleans(),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=6))
def test_leaving_out_vacuous_rules_changes_no_outcome(drawn):
    rows = [{**r, "indicator_id": f"i{n}"} for n, r in enumerate(drawn)]
    frame = _frame(rows)
    suite = load_suite(SUITE)
    skipped = validate_suite(suite, frame, {})
    original = runner._vacuous
    runner._vacuous = lambda suite, df: frozenset()
    try:
        everything = validate_suite(suite, frame, {})
    finally:
        runner._vacuous = original
    assert _plain(skipped) == _plain(everything)
