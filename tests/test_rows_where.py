"""`rows_where`: a staged frame split once by its key columns gives the rows the comparison of
the whole frame gave, in the same order and index; a filtered indicator reads one filtered view
for all its years."""

import gc

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from plan_indicators.measures import for_indicator
from plan_indicators.measures._common import _MEMO, rows_where

KEYS = st.sampled_from(["p1", "p2", "P1", "p1 ", ""]) | st.none()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(KEYS, st.sampled_from(["1.1", "1.2", "2.1"]) | st.none()), max_size=30),
    st.sampled_from(["p1", "p2", "P1", "p1 ", "", "absent"]),
    st.sampled_from(["1.1", "1.2", "2.1", "9.9"]),
    st.sampled_from(["str", "object"]),
)
def test_the_rows_are_those_the_whole_frame_comparison_picks(pairs, plan, indicator, dtype):
    frame = pd.DataFrame(
        {
            "plan_id": pd.Series([p for p, _ in pairs], dtype=dtype),
            "indicator_id": pd.Series([i for _, i in pairs], dtype=dtype),
            "n": range(len(pairs)),
        },
        index=[f"r{k}" for k in range(len(pairs))],
    )
    expected = frame.loc[(frame["plan_id"] == plan) & (frame["indicator_id"] == indicator)]
    for _ in range(2):  # the split made, then the split reused
        got = rows_where(frame, ("plan_id", "indicator_id"), (plan, indicator))
        assert list(got.index) == list(expected.index)
        assert list(got["n"]) == list(expected["n"])
        assert list(got.columns) == list(frame.columns)


def test_a_split_lives_as_long_as_its_frame():
    frame = pd.DataFrame({"plan_id": ["a", "b"], "indicator_id": ["1", "1"]})
    rows_where(frame, ("plan_id", "indicator_id"), ("a", "1"))
    key = (id(frame), ("rows_where", ("plan_id", "indicator_id")))
    assert key in _MEMO
    del frame
    gc.collect()
    assert key not in _MEMO


class _Counting:
    """Staged data that counts the frames read through it."""

    def __init__(self, frames: dict[str, pd.DataFrame]):
        self.frames, self.reads = frames, 0

    def frame(self, source):
        self.reads += 1
        return self.frames.get(source)

    def parquet_glob(self, source, fiscal_year=None):
        return None


def test_a_filtered_indicator_reads_one_view_for_all_its_years():
    from measure_fixtures import staged_frame
    from register_plans import catalog, indicator, record

    from plan_indicators.catalog import Plan
    from plan_indicators.fiscal import FiscalYear

    register = [record("a", "2024-05-01"), record("b", "2024-06-01"), record("c", "2025-05-01")]
    counts = [
        {"count_date": "2024-06-01", "headcount": 40.0, "unit": "north"},
        {"count_date": "2024-06-01", "headcount": 60.0, "unit": "south"},
        {"count_date": "2025-06-01", "headcount": 50.0, "unit": "north"},
    ]
    data = _Counting(
        {
            "activity_register": staged_frame("activity_register", register),
            "headcounts": staged_frame("headcounts", counts),
        }
    )
    measure = {"name": "register_share_of_headcount", "filter": {"unit": "north"}}
    years = ["2024-2025", "2025-2026"]
    plan = Plan.model_validate(catalog("plan-a", years, [indicator("1.1", measure, "percent", {})]))
    result_at = for_indicator(plan, plan.indicators[0], data)
    as_of = pd.Timestamp("2026-11-01").date()
    values = [result_at(FiscalYear.parse(fy), as_of).value for fy in years]
    # north only: 2024-2025: a, b = 2 records / 40 × 100 = 5.0; 2025-2026: c = 1 / 50 × 100 = 2.0
    assert values == [5.0, 2.0]
    # each source read once, through one filtered view, for both years
    assert data.reads == 2
