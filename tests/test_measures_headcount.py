"""`register_share_of_headcount` (docs/contracts.md §5.11): the year's register count over the
mean headcount of the year's count dates, × 100; never a zero or a division by zero."""

from __future__ import annotations

import datetime as dt

import pytest
from measure_fixtures import context, stage
from register_plans import catalog, indicator, publish, record, rows_by_key

from plan_indicators.fiscal import FiscalYear
from plan_indicators.measures import compute, get_measure
from plan_indicators.projection import SEASONAL, project

NAME = "register_share_of_headcount"


def _count(when, headcount, unit="organisation"):
    return {"count_date": when, "headcount": headcount, "unit": unit}


DEPARTURES = [
    record("d1", "2024-05-10"),
    record("d2", "2024-06-20", quantity=2.0),  # two departures on one record
    record("d3", "2024-09-01"),
    record("d4", "2024-11-30"),
    record("d5", "2025-02-14"),  # 1 + 2 + 1 + 1 + 1 = 6 departures in 2024-2025
    record("d6", "2025-04-03"),  # 2025-2026
    record("x1", "2024-07-01", indicator="9.9", quantity=50.0),  # another indicator
]


def _stage(tmp_path, counts, register=DEPARTURES):
    stage(tmp_path, "activity_register", register)
    stage(tmp_path, "headcounts", counts)


def _run(tmp_path, filters=None, **ctx):
    return compute(NAME, context(tmp_path, **ctx), {}, filters)


def test_departures_over_the_mean_headcount(tmp_path):
    # the count of 2024-03-31 is 2023-2024's, not this year's
    _stage(tmp_path, [_count("2024-06-30", 110), _count("2024-12-31", 130),
                      _count("2024-03-31", 500)])  # fmt: skip
    result = _run(tmp_path)
    # 6 departures; headcounts 110 and 130 -> mean 120; 6 / 120 × 100 = 5.0 %
    assert result.value == pytest.approx(5.0)
    assert (result.numerator, result.denominator) == (6.0, 120.0)
    assert result.reason is None


def test_the_units_of_a_date_add_up_and_a_filter_keeps_one(tmp_path):
    _stage(tmp_path, [
        _count("2024-06-30", 70, unit="A"), _count("2024-06-30", 40, unit="B"),
        _count("2024-12-31", 80, unit="A"), _count("2024-12-31", 50, unit="B"),
    ])  # fmt: skip
    # 30 June: 70 + 40 = 110; 31 December: 80 + 50 = 130; mean 120 -> 6 / 120 = 5.0 %
    assert _run(tmp_path).value == pytest.approx(5.0)
    # unit A alone: (70 + 80) / 2 = 75; 6 / 75 × 100 = 8.0 %; the register is not filtered
    only_a = _run(tmp_path, filters={"unit": "A"})
    assert only_a.value == pytest.approx(8.0)
    assert (only_a.numerator, only_a.denominator) == (6.0, 75.0)


def test_count_dates_after_as_of_are_not_known_yet(tmp_path):
    _stage(tmp_path, [_count("2024-06-30", 110), _count("2024-12-31", 130)])
    result = _run(tmp_path, as_of=dt.date(2024, 10, 31))
    # by 31 October: d1, d2 (×2), d3 = 4 departures; one count date, 110 -> 4 / 110 × 100
    assert result.value == pytest.approx(400 / 110)
    assert result.denominator == 110.0


def test_no_headcount_in_the_year_is_no_data_never_zero(tmp_path):
    _stage(tmp_path, [_count("2024-03-31", 110), _count("2025-06-30", 130)])
    result = _run(tmp_path)
    assert result.value is None
    assert result.reason == (
        "Aucun dénombrement de l'effectif (headcounts) daté de l'année 2024-2025 : aucun taux "
        "calculable"
    )
    # a filter that keeps no row says so
    _stage(tmp_path, [_count("2024-06-30", 110, unit="A")])
    filtered = _run(tmp_path, filters={"unit": "Z"})
    assert filtered.value is None and filtered.reason.endswith("(filtre : unit = Z)")


def test_a_mean_headcount_of_zero_is_no_data_not_a_division_by_zero(tmp_path):
    _stage(tmp_path, [_count("2024-06-30", 0), _count("2024-12-31", 0)])
    result = _run(tmp_path)
    assert result.value is None
    assert result.reason.startswith("Effectif moyen nul pour l'année 2024-2025")


def test_no_register_or_no_headcount_source_is_no_data(tmp_path):
    stage(tmp_path, "headcounts", [_count("2024-06-30", 110)])
    assert _run(tmp_path).reason == "Source « activity_register » absente de la zone d'atterrissage"
    stage(tmp_path / "b", "activity_register", DEPARTURES)
    assert _run(tmp_path / "b").reason == (
        "Source « headcounts » absente de la zone d'atterrissage"
    )
    # register kept, headcounts there, no record of the indicator at all: as register_count
    _stage(tmp_path / "c", [_count("2024-06-30", 110)], register=DEPARTURES[-1:])
    assert _run(tmp_path / "c").reason == "Aucun enregistrement au registre pour cet indicateur"


def test_a_kept_year_without_departure_is_a_real_zero(tmp_path):
    _stage(tmp_path, [_count("2025-06-30", 100), _count("2025-12-31", 100)],
           register=[record("d1", "2024-05-10")])  # fmt: skip
    # the register is kept since 2024-2025; 2025-2026 has no departure: 0 / 100 = 0 %
    result = _run(tmp_path, fiscal_year="2025-2026", as_of=dt.date(2026, 6, 1))
    assert (result.value, result.denominator) == (0.0, 100.0)


def test_the_running_year_is_projected_as_a_count_is(tmp_path):
    """A turnover rate grows over the year: its value to date is not its year-end value."""
    register = [record("p1", "2023-05-01"), record("p2", "2023-06-01"),
                record("p3", "2023-11-01"), record("p4", "2024-02-01"),
                record("n1", "2024-05-15"), record("n2", "2024-06-15")]  # fmt: skip
    counts = [_count("2023-06-30", 100), _count("2023-12-31", 100), _count("2024-06-30", 100)]
    _stage(tmp_path, counts, register)
    measure = get_measure(NAME)
    assert measure.accumulates

    def result_at(fy, day):
        return compute(NAME, context(tmp_path, fiscal_year=fy.key, as_of=day), {})

    p = project(result_at, measure=measure, unit="percent", fiscal_year=FiscalYear(2024),
                as_of=dt.date(2024, 9, 30), threshold=8.0, at_most=True)  # fmt: skip
    # to 30 September 2024: 2 departures / 100 = 2 %. In 2023-2024 the same period held 2 of
    # its 4 departures (2 % of 4 %): share 0.5, so the year-end projection is 2 / 0.5 = 4 %
    assert p.year_to_date == pytest.approx(2.0)
    assert (p.method, p.value) == (SEASONAL, pytest.approx(4.0))
    assert p.status == "on_track"  # 4 % ≤ 8 %


# ── end to end: "Taux de roulement du personnel" as docs/new-plan.md adds it ─────────────────

TURNOVER_PLAN = catalog("roulement-2024-2026", ["2024-2025", "2025-2026"], [
    indicator("2.1.1", {"name": NAME, "filter": {"unit": "siege"}}, "percent",
              {"2024-2025": {"kind": "at_most", "value": 8, "text_fr": "≤ 8 %"},
               "2025-2026": {"kind": "at_most", "value": 8, "text_fr": "≤ 8 %"}},
              text="Taux de roulement du personnel", direction="lower_is_better"),
])  # fmt: skip
TURNOVER_FILES = {
    "activity_register/departs.csv": "plan_id,indicator_id,record_id,event_date,quantity\n"
    + "".join(f"roulement-2024-2026,2.1.1,d{i},2024-0{i + 3}-15,\n" for i in range(1, 5))
    + "roulement-2024-2026,2.1.1,d5,2024-11-01,2\n",  # 1 + 1 + 1 + 1 + 2 = 6 departures
    "headcounts/effectifs.csv": "count_date;headcount;unit\n"
    "2024-06-30;110;siege\n2024-12-31;130;siege\n"
    "2024-06-30;900;region\n2024-12-31;900;region\n",  # another unit, left out by the filter
}


def test_a_turnover_indicator_through_a_run(tmp_path):
    url = publish(tmp_path, "2025-06-01", TURNOVER_PLAN, TURNOVER_FILES)
    results = rows_by_key(url, "indicator_result")
    evaluations = rows_by_key(url, "indicator_evaluation")
    # 2024-2025: 6 departures; siege 110 and 130 -> mean 120; 6 / 120 × 100 = 5.0 % ≤ 8 %: met
    r = results["2.1.1", "2024-2025"]
    assert (r["value"], r["numerator"], r["denominator"]) == (pytest.approx(5.0), 6.0, 120.0)
    assert evaluations["2.1.1", "2024-2025"]["status"] == "met"
    # 2025-2026 has begun but has no count date yet: no value with the reason, never 0 % (the
    # year is not over, so its status stays « En cours »)
    r = results["2.1.1", "2025-2026"]
    assert r["value"] is None
    assert r["reason"].startswith("Aucun dénombrement de l'effectif (headcounts) daté de l'année")
    assert evaluations["2.1.1", "2025-2026"]["status"] == "in_progress"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Taux de roulement du personnel" in html and "5,0" in html
