"""Activity-register measures: count, rate, milestone and delay, picked by plan and indicator."""

import datetime as dt

import pytest
from measure_fixtures import run, stage

NO_ROWS = "Aucun enregistrement au registre pour cet indicateur"


def _rec(rid, when, indicator="1.1", plan="plan-a", **extra):
    return {
        "plan_id": plan,
        "indicator_id": indicator,
        "record_id": rid,
        "event_date": when,
        **extra,
    }


def _stage(tmp_path, rows):
    stage(tmp_path, "activity_register", rows)


COUNT_ROWS = [
    _rec("r1", "2024-04-01"),  # quantity empty = 1, H1
    _rec("r2", "2024-09-30", quantity=3.0),  # H1
    _rec("r3", "2024-10-01", quantity=2.0),  # H2
    _rec("r4", "2025-03-31"),  # 1, H2
    _rec("r5", "2024-03-31", quantity=5.0),  # 2023-2024
    _rec("r6", "2025-04-01", quantity=7.0),  # 2025-2026
    _rec("x1", "2024-05-01", indicator="2.2", quantity=100.0),  # other indicator
    _rec("x2", "2024-05-01", plan="plan-b", quantity=100.0),  # other plan
]


def test_register_count_sums_quantity_with_half_years(tmp_path):
    _stage(tmp_path, COUNT_ROWS)
    result = run("register_count", tmp_path)
    # 1 + 3 + 2 + 1 = 7; H1 (Apr-Sep) = 1 + 3 = 4; H2 (Oct-Mar) = 2 + 1 = 3
    assert result.value == 7.0
    assert result.periods == {"H1": 4.0, "H2": 3.0}
    assert result.rows_used == 4


def test_register_count_cut_at_as_of(tmp_path):
    _stage(tmp_path, COUNT_ROWS)
    result = run("register_count", tmp_path, as_of=dt.date(2024, 12, 31))
    # r1, r2, r3 = 1 + 3 + 2 = 6; H1 = 4, H2 = 2
    assert result.value == 6.0
    assert result.periods == {"H1": 4.0, "H2": 2.0}


def test_register_count_zero_when_kept_but_empty_this_year(tmp_path):
    _stage(tmp_path, COUNT_ROWS)
    result = run("register_count", tmp_path, fiscal_year="2026-2027", as_of=dt.date(2027, 6, 1))
    # rows exist from 2023-2024 (r5) on, none in 2026-2027: the register is kept, a real 0
    assert result.value == 0.0
    assert result.periods == {"H1": 0.0, "H2": 0.0}


def test_register_count_missing_when_indicator_never_recorded(tmp_path):
    _stage(tmp_path, COUNT_ROWS)
    result = run("register_count", tmp_path, indicator_id="3.3")
    assert result.value is None
    assert result.reason == NO_ROWS
    # plan-b has 1.1 rows but not 2.2
    assert run("register_count", tmp_path, plan_id="plan-b", indicator_id="2.2").value is None


def test_register_count_missing_when_only_records_are_after_as_of(tmp_path):
    _stage(tmp_path, [_rec("late", "2025-05-01", quantity=4.0)])
    # by 2025-04-30 the indicator has no record at all: missing, not 0
    early = run("register_count", tmp_path, as_of=dt.date(2025, 4, 30))
    assert early.value is None
    assert early.reason == NO_ROWS
    # by 2025-05-01 the record exists (in 2025-2026): 4 there; 2024-2025 is before the first
    # record, so it is no data unless it is a year of the plan (the register is kept for it)
    later = {"as_of": dt.date(2025, 5, 1)}
    assert run("register_count", tmp_path, fiscal_year="2025-2026", **later).value == 4.0
    assert run("register_count", tmp_path, **later).value is None
    assert run("register_count", tmp_path, plan_start="2024-2025", **later).value == 0.0


def test_register_count_year_before_register_and_plan_has_no_data(tmp_path):
    # A baseline year before the plan with no record yet is not a baseline of 0.
    _stage(tmp_path, [_rec("a", "2024-05-01"), _rec("b", "2024-11-15", quantity=2.0)])
    plan = {"plan_start": "2024-2025", "as_of": dt.date(2026, 6, 1)}
    before = run("register_count", tmp_path, fiscal_year="2022-2023", **plan)
    assert before.value is None
    assert before.reason == (
        "Aucun enregistrement au registre avant 2024-2025 : l'année 2022-2023 précède le "
        "registre et le plan"
    )
    # 2024-2025: 1 + 2 = 3; 2025-2026, a plan year without a record: a real 0
    assert run("register_count", tmp_path, fiscal_year="2024-2025", **plan).value == 3.0
    assert run("register_count", tmp_path, fiscal_year="2025-2026", **plan).value == 0.0
    # a plan that starts in 2025-2026 with records from 2024-2025 on: kept from 2024-2025
    early = {"plan_start": "2025-2026", "as_of": dt.date(2026, 6, 1)}
    assert run("register_count", tmp_path, fiscal_year="2024-2025", **early).value == 3.0
    assert run("register_count", tmp_path, fiscal_year="2023-2024", **early).value is None


def test_a_year_not_begun_publishes_no_value(tmp_path):
    # OPHQ 4.1.1 at 2026-11-01: 2027-2028 begins 2027-04-01; it used to be a count of 0
    _stage(tmp_path, COUNT_ROWS)
    result = run("register_count", tmp_path, fiscal_year="2027-2028", as_of=dt.date(2026, 11, 1))
    assert (result.value, result.numerator, result.periods) == (None, None, {})
    assert result.reason == "L'année 2027-2028 n'a pas commencé au 2026-11-01"
    # its first day it has begun: 0 so far, a real zero of a kept register
    day_one = run("register_count", tmp_path, fiscal_year="2027-2028", as_of=dt.date(2027, 4, 1))
    assert day_one.value == 0.0


def test_register_count_missing_when_register_absent(tmp_path):
    assert run("register_count", tmp_path).value is None


RATE_ROWS = [
    _rec("a", "2024-05-01", outcome=True),
    _rec("b", "2024-06-01", outcome=False),
    _rec("c", "2024-07-01", outcome=None),  # excluded, counted in reason
    _rec("d", "2025-03-31", outcome=True),
    _rec("e", "2024-03-31", outcome=False),  # 2023-2024
    _rec("f", "2025-05-01", outcome=None),  # 2025-2026, only a null outcome
]


def test_register_rate_excludes_records_without_outcome(tmp_path):
    _stage(tmp_path, RATE_ROWS)
    result = run("register_rate", tmp_path)
    # true a, d = 2 of a, b, d = 3: 100 * 2 / 3
    assert (result.numerator, result.denominator) == (2.0, 3.0)
    assert abs(result.value - 200 / 3) < 1e-9
    assert result.reason == "1 enregistrement(s) sans résultat exclu(s)"
    # c: a data-quality warning, counted for the result's metadata
    assert result.excluded == {"outcome_empty": 1}


def test_register_rate_missing_when_no_outcome_in_year(tmp_path):
    _stage(tmp_path, RATE_ROWS)
    only_empty = run("register_rate", tmp_path, fiscal_year="2025-2026")
    # f has no outcome: no value, and f is still counted as a warning
    assert (only_empty.value, only_empty.denominator, only_empty.excluded) == (
        None, None, {"outcome_empty": 1},
    )  # fmt: skip
    assert only_empty.reason == (
        "Aucun résultat connu pour l'année ; 1 enregistrement(s) sans résultat exclu(s)"
    )
    assert run("register_rate", tmp_path, indicator_id="9.9").reason == NO_ROWS


def test_register_milestone_is_earliest_event_over_all_years(tmp_path):
    _stage(
        tmp_path,
        [_rec("a", "2021-02-10"), _rec("b", "2020-11-05"), _rec("c", "2022-01-01")],
    )
    result = run("register_milestone", tmp_path)
    # earliest of 2021-02-10, 2020-11-05, 2022-01-01; fiscal year does not matter
    assert result.achieved_on == dt.date(2020, 11, 5)
    assert result.value == 1.0
    before = run(
        "register_milestone", tmp_path, fiscal_year="2020-2021", as_of=dt.date(2020, 11, 4)
    )
    assert before.value is None
    assert before.reason == NO_ROWS


SUBJECT_ROWS = [
    _rec("5", "2020-09-15", subject="C"),
    _rec("1", "2020-05-01", subject="A"),
    _rec("3", "2020-07-01", subject="A"),  # A again
    _rec("2", "2020-06-01", subject="B"),
    _rec("4", "2020-08-01", subject="B"),  # B again
    _rec("6", "2020-10-01", subject="D"),
]


def test_register_milestone_nth_distinct_subject(tmp_path):
    _stage(tmp_path, SUBJECT_ROWS)
    result = run("register_milestone", tmp_path, {"subjects": 3})
    # first dates: A 05-01, B 06-01, C 09-15, D 10-01; 3rd distinct = C on 2020-09-15
    # (the 3rd row by date would be A's repeat on 07-01)
    assert result.achieved_on == dt.date(2020, 9, 15)
    assert (result.value, result.numerator, result.denominator) == (4.0, 4.0, 3.0)


def test_register_milestone_not_yet_reached(tmp_path):
    _stage(tmp_path, SUBJECT_ROWS)
    result = run("register_milestone", tmp_path, {"subjects": 5})
    # 4 distinct subjects < 5
    assert result.achieved_on is None
    assert result.value == 4.0
    early = run(
        "register_milestone",
        tmp_path,
        {"subjects": 3},
        fiscal_year="2020-2021",
        as_of=dt.date(2020, 9, 14),
    )
    # by 2020-09-14 only A, B = 2
    assert early.achieved_on is None
    assert early.value == 2.0


DELAY_ROWS = [
    # Thu 2024-03-28 -> Tue 04-02: Good Friday 29, weekend, Easter Monday 1 skipped: 1 day
    _rec("d1", "2024-04-02", start_date="2024-03-28"),
    # Mon 04-08 -> Mon 04-15: 9, 10, 11, 12, 15 = 5 days
    _rec("d2", "2024-04-15", start_date="2024-04-08"),
    # Wed 04-10 -> Wed 04-24: 11, 12, 15-19, 22, 23, 24 = 10 days
    _rec("d3", "2024-04-24", start_date="2024-04-10"),
    _rec("d4", "2024-05-01"),  # no start date: excluded, counted in reason
    _rec("d5", "2024-03-28", start_date="2024-03-01"),  # ends in 2023-2024
]


def test_register_mean_delay_business_days_across_easter(tmp_path):
    _stage(tmp_path, DELAY_ROWS)
    result = run("register_mean_delay", tmp_path)
    # (1 + 5 + 10) / 3 = 16 / 3
    assert (result.numerator, result.denominator) == (16.0, 3.0)
    assert abs(result.value - 16 / 3) < 1e-9
    assert "1 enregistrement(s) sans date de début" in result.reason
    assert result.excluded == {"start_date_invalid": 1}  # d4


def test_register_mean_delay_median_and_calendar_days(tmp_path):
    _stage(tmp_path, DELAY_ROWS)
    # median of 1, 5, 10 = 5
    assert run("register_mean_delay", tmp_path, {"statistic": "median"}).value == 5.0
    calendar = run("register_mean_delay", tmp_path, {"business_days": False})
    # calendar: 5 + 7 + 14 = 26; 26 / 3
    assert calendar.numerator == 26.0
    assert abs(calendar.value - 26 / 3) < 1e-9


def test_register_mean_delay_uses_context_calendar(tmp_path):
    def weekdays_only(start, end):
        days = (start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1))
        return sum(1 for d in days if d.weekday() < 5)

    _stage(tmp_path, DELAY_ROWS)
    result = run("register_mean_delay", tmp_path, business_days=weekdays_only)
    # no holidays: d1 = Fri 29, Mon 1, Tue 2 = 3; (3 + 5 + 10) / 3 = 6
    assert result.value == 6.0


def test_register_mean_delay_cut_at_as_of_and_missing(tmp_path):
    _stage(tmp_path, DELAY_ROWS)
    result = run("register_mean_delay", tmp_path, as_of=dt.date(2024, 4, 20))
    # d1, d2: (1 + 5) / 2 = 3
    assert result.value == 3.0
    assert run("register_mean_delay", tmp_path, fiscal_year="2025-2026").value is None


def test_register_mean_delay_rejects_unknown_statistic(tmp_path):
    _stage(tmp_path, DELAY_ROWS)
    with pytest.raises(ValueError):
        run("register_mean_delay", tmp_path, {"statistic": "mode"})


def test_delay_with_start_after_end_is_left_out_not_a_crash(tmp_path):
    """A start after its end cannot be a delay: excluded and counted in the reason."""
    import datetime as dt

    import pandas as pd

    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.measures import MeasureContext, compute
    from plan_indicators.staging import ParquetStagedData

    data = ParquetStagedData(tmp_path)
    data.write(
        "activity_register",
        pd.DataFrame(
            {
                "plan_id": ["p", "p"],
                "indicator_id": ["d", "d"],
                "record_id": ["1", "2"],
                # Row 1: Mon 2024-06-03 -> Mon 2024-06-10 = 5 business days; row 2: start after end.
                "event_date": pd.to_datetime(["2024-06-10", "2024-06-10"]),
                "start_date": pd.to_datetime(["2024-06-03", "2024-06-20"]),
                "quantity": [None, None],
                "outcome": pd.array([None, None], dtype="boolean"),
                "subject": [None, None],
                "note": [None, None],
                "_file": "r.csv",
                "_line": [2, 3],
            }
        ),
    )
    fy = FiscalYear.parse("2024-2025")
    result = compute(
        "register_mean_delay", MeasureContext("p", "d", fy, dt.date(2026, 1, 1), data), {}
    )
    assert result.value == 5.0 and result.denominator == 1.0
    assert "1 enregistrement" in result.reason
