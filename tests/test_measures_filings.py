"""Action-plan filings: consultation share and adoption within the deadline."""

import datetime as dt

from measure_fixtures import run, stage


def _filing(org, kind, start, adopted, consultation):
    return {
        "organisation_id": org,
        "organisation_type": kind,
        "reference_start": start,
        "adopted_date": adopted,
        "consultation": consultation,
    }


def _stage(tmp_path):
    stage(
        tmp_path,
        "action_plan_filings",
        [
            _filing("m1", "ministere", "2024-04-01", "2024-09-30", True),  # last day: on time
            _filing("m2", "ministere", "2024-04-01", "2024-10-01", False),  # next day: late
            _filing("o1", "organisme", "2024-04-01", None, True),  # not adopted
            _filing("c1", "municipalite", "2025-01-01", "2025-06-30", True),  # last day
            _filing("c2", "municipalite", "2024-01-01", "2024-06-30", True),  # 2023-2024
            _filing("m3", "ministere", "2025-04-01", "2025-05-01", True),  # 2025-2026
        ],
    )


def test_adopted_within_six_months_last_day_counts_next_day_does_not(tmp_path):
    _stage(tmp_path)
    result = run("share_plans_adopted_within", tmp_path)
    # 2024-2025: m1, m2, o1, c1 = 4; on time: m1 (<= 2024-09-30), c1 (<= 2025-06-30) = 2
    assert (result.numerator, result.denominator) == (2.0, 4.0)
    assert result.value == 50.0


def test_municipal_calendar_year_filing_belongs_to_previous_fiscal_year(tmp_path):
    _stage(tmp_path)
    result = run("share_plans_adopted_within", tmp_path, fiscal_year="2023-2024")
    # 2023-2024: c2 only (2024-01-01), adopted 2024-06-30 = deadline: 100 * 1 / 1
    assert (result.numerator, result.denominator) == (1.0, 1.0)


def test_adopted_within_filters_types_and_months(tmp_path):
    _stage(tmp_path)
    result = run(
        "share_plans_adopted_within",
        tmp_path,
        {"months": 7, "organisation_types": ["ministere"]},
    )
    # ministères 2024-2025: m1, m2; 7 months: deadline 2024-10-31, both on time: 100 * 2 / 2
    assert (result.numerator, result.denominator) == (2.0, 2.0)


def test_adoption_after_as_of_is_not_yet_known(tmp_path):
    _stage(tmp_path)
    result = run("share_plans_adopted_within", tmp_path, as_of=dt.date(2025, 6, 1))
    # c1 adopted 2025-06-30 > as_of: on time only m1 = 1 of 4
    assert (result.numerator, result.denominator) == (1.0, 4.0)
    assert result.value == 25.0


def test_share_with_consultation(tmp_path):
    _stage(tmp_path)
    result = run("share_plans_with_consultation", tmp_path)
    # 2024-2025: m1 T, m2 F, o1 T, c1 T: 100 * 3 / 4 = 75
    assert result.value == 75.0
    typed = run(
        "share_plans_with_consultation",
        tmp_path,
        {"organisation_types": ["ministere", "organisme"]},
    )
    # m1 T, m2 F, o1 T: 100 * 2 / 3
    assert abs(typed.value - 200 / 3) < 1e-9


def test_unreadable_consultation_is_left_out_never_false(tmp_path):
    stage(
        tmp_path,
        "action_plan_filings",
        [
            _filing("m1", "ministere", "2024-04-01", "2024-09-30", True),
            _filing("m2", "ministere", "2024-04-01", "2024-09-30", False),
            _filing("m3", "ministere", "2024-04-01", "2024-09-30", None),  # unreadable
        ],
    )
    result = run("share_plans_with_consultation", tmp_path)
    # m3 left out of both terms: 100 × 1 / 2 = 50 (read as false it was 100 × 1 / 3 = 33.3)
    assert (result.numerator, result.denominator, result.value) == (1.0, 2.0, 50.0)
    assert result.excluded == {"consultation_unknown": 1}
    assert result.reason == "1 plan(s) à consultation illisible exclu(s)"


def test_filings_missing_when_no_plan_in_year(tmp_path):
    _stage(tmp_path)
    result = run("share_plans_with_consultation", tmp_path, fiscal_year="2022-2023")
    assert result.value is None
    assert result.reason


def test_filings_missing_when_source_absent(tmp_path):
    assert run("share_plans_adopted_within", tmp_path).value is None
