"""Year-end projection of the running year (docs/contracts.md §5.10), hand-computed."""

from __future__ import annotations

import datetime as dt

import pytest
from measure_fixtures import context, stage

from plan_indicators.fiscal import FiscalYear
from plan_indicators.measures import compute, get_measure
from plan_indicators.projection import (
    AT_RISK,
    ELAPSED,
    ON_TRACK,
    SEASONAL,
    YEAR_TO_DATE,
    backtest,
    month_ends,
    project,
    same_day,
    wilson,
)

FY = FiscalYear.parse("2024-2025")
AS_OF = dt.date(2024, 10, 31)


def _record(i, day, quantity=1):
    return {"plan_id": "plan-a", "indicator_id": "1.1", "record_id": str(i),
            "event_date": day, "quantity": quantity}  # fmt: skip


def _result_at(root, name="register_count", params=None):
    def result_at(fy, day):
        return compute(name, context(root, fiscal_year=fy.key, as_of=day), params or {})

    return result_at


@pytest.fixture
def register(tmp_path):
    stage(
        tmp_path,
        "activity_register",
        [
            # 2022-2023: 3 by 31 October 2022 of 6 -> share 0.5
            _record(1, "2022-05-01", 3),
            _record(2, "2023-02-01", 3),
            # 2023-2024: 2 by 31 October 2023 of 8 -> share 0.25
            _record(3, "2023-06-01", 2),
            _record(4, "2024-01-15", 6),
            # 2024-2025 so far: 3 by 31 October 2024
            _record(5, "2024-04-20", 1),
            _record(6, "2024-09-30", 2),
            _record(7, "2024-11-15", 5),  # after the as-of date: not known yet
        ],
    )
    return tmp_path


def test_a_count_is_scaled_by_the_share_the_period_held_before(register):
    p = project(
        _result_at(register), measure=get_measure("register_count"), unit="count",
        fiscal_year=FY, as_of=AS_OF, threshold=10, at_most=False,
        known_on=dt.date(2025, 6, 1),
    )  # fmt: skip
    # mean share (0.5 + 0.25) / 2 = 0.375; 3 / 0.375 = 8 < 10 -> at risk
    assert p.year_to_date == 3
    assert p.value == pytest.approx(8.0)
    assert (p.method, p.status, p.status_fr) == (SEASONAL, AT_RISK, "À risque")
    assert "2022-2023, 2023-2024" in p.method_fr and "37,5" in p.method_fr


def test_without_a_comparable_year_a_count_goes_by_days_elapsed(tmp_path):
    stage(tmp_path, "activity_register", [_record(1, "2024-05-01", 4)])
    p = project(
        _result_at(tmp_path), measure=get_measure("register_count"), unit="count",
        fiscal_year=FY, as_of=AS_OF, threshold=6, at_most=False,
    )  # fmt: skip
    # 1 April to 31 October 2024: 214 days of 365; 4 * 365 / 214 = 6.822 >= 6 -> on track
    assert p.value == pytest.approx(4 * 365 / 214)
    assert (p.method, p.status) == (ELAPSED, ON_TRACK)
    assert "214 sur 365" in p.method_fr


def _request(i, day, channel):
    return {"request_id": str(i), "received_date": day, "channel": channel, "region_code": "03"}


def test_a_share_is_its_value_to_date_with_a_wilson_interval(tmp_path):
    rows = [_request(i, "2024-05-02", "web_form" if i < 6 else "phone") for i in range(10)]
    stage(tmp_path, "service_requests", rows)
    p = project(
        _result_at(tmp_path, "share_requests_by_channel"),
        measure=get_measure("share_requests_by_channel"), unit="percent", fiscal_year=FY,
        as_of=AS_OF, threshold=65, at_most=False,
    )  # fmt: skip
    # 6 of 10 digital: 60 % < 65 -> at risk. Wilson, z = 1.96, n = 10, p = 0.6:
    # centre (0.6 + 0.19208) / 1.38415 = 0.57225; half 1.96 * sqrt(0.024 + 0.0096040) / 1.38415
    # = 0.25956; interval 31.27 % to 83.18 %.
    assert (p.value, p.method, p.status) == (60.0, YEAR_TO_DATE, AT_RISK)
    assert p.low == pytest.approx(31.27, abs=0.01)
    assert p.high == pytest.approx(83.18, abs=0.01)
    assert "n = 10" in p.method_fr and "Wilson" in p.method_fr


def test_a_delay_below_its_ceiling_is_on_track():
    measure = get_measure("register_mean_delay")

    def result_at(fy, day):
        from plan_indicators.measures import MeasureResult

        return MeasureResult(value=12.5, numerator=25.0, denominator=2.0)

    p = project(
        result_at, measure=measure, unit="days", fiscal_year=FY, as_of=AS_OF, threshold=15,
        at_most=True,
    )  # fmt: skip
    # a mean of 12.5 days against "≤ 15 jours": on track; no interval without a dispersion
    assert (p.value, p.status, p.low) == (12.5, ON_TRACK, None)


def test_no_projection_without_data_or_dates_and_no_status_without_threshold(register):
    web = project(
        _result_at(register), measure=get_measure("distinct_users"), unit="count",
        fiscal_year=FY, as_of=AS_OF, threshold=100, at_most=False,
    )  # fmt: skip
    assert web.value is None and web.status is None
    assert "pas datées" in web.note
    empty = project(
        _result_at(register, "share_requests_by_channel"),
        measure=get_measure("share_requests_by_channel"), unit="percent", fiscal_year=FY,
        as_of=AS_OF, threshold=50, at_most=False,
    )  # fmt: skip
    assert empty.value is None and "service_requests" in empty.note
    open_ = project(
        _result_at(register), measure=get_measure("register_count"), unit="count",
        fiscal_year=FY, as_of=AS_OF, threshold=None, at_most=False,
    )  # fmt: skip
    assert open_.value == pytest.approx(8.0) and open_.status is None
    assert open_.note == "Seuil de l'année non encore déterminé"


def test_dates_and_month_ends():
    assert same_day(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    ends = month_ends(FY)
    assert (ends[0], ends[-1], len(ends)) == (dt.date(2024, 4, 30), dt.date(2025, 2, 28), 11)
    low, high = wilson(100.0, 5)
    assert high == 100.0 and low == pytest.approx(56.55, abs=0.01)


def test_backtest_compares_each_month_end_with_the_final_value(register):
    points = backtest(
        _result_at(register), measure=get_measure("register_count"), unit="count",
        years=[FiscalYear.parse("2023-2024")], known_on=dt.date(2025, 6, 1),
    )  # fmt: skip
    assert len(points) == 11 and {p.final for p in points} == {8.0}
    october = next(p for p in points if p.as_of == dt.date(2023, 10, 31))
    # 2 by 31 October 2023; 2022-2023's share then was 0.5: 2 / 0.5 = 4; (4 - 8) / 8 = -50 %
    assert october.projected == pytest.approx(4.0)
    assert october.error_pct == pytest.approx(-50.0)


def test_a_projection_reads_the_indicators_filter_as_its_result_does(tmp_path):
    from types import SimpleNamespace

    from test_measures_shares import ANSWERS

    from plan_indicators.projection import running_projections
    from plan_indicators.target_kinds.at_least import AtLeast

    stage(tmp_path, "satisfaction_responses", ANSWERS)
    ind = SimpleNamespace(
        id="1.1",
        unit="score",
        direction="higher_is_better",
        targets={"2024-2025": AtLeast(kind="at_least", value=8, text_fr="≥ 8")},
        measure=SimpleNamespace(
            name="mean_satisfaction_score", params={}, filter={"survey": "accueil"}
        ),
    )
    plan = SimpleNamespace(
        id="plan-a", indicators=[ind], plan=SimpleNamespace(fiscal_years=["2024-2025"])
    )
    evaluations = {"1.1": {"status": "in_progress", "threshold": 8.0}}
    [(ind_id, p)] = running_projections(plan, context(tmp_path).data, AS_OF, evaluations)
    # accueil answers of 2024-2025 by 31 October: 9 and 6 -> 7.5 < 8, at risk (all five
    # answers, the other survey's included, would give 9 and on track)
    assert (ind_id, p.value, p.status) == ("1.1", 7.5, AT_RISK)
