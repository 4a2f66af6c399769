"""Never a silent zero, through a real run: a year not begun, an indicator never recorded, a
baseline year before the register, a zero baseline, a record without its outcome.

One plan of register indicators over 2024-2025 … 2027-2028, run at 2026-06-01: 2026-2027 is
running, 2027-2028 has not begun. Each case used to publish a 0, or a status its own result
contradicts.
"""

from __future__ import annotations

import pytest
from register_plans import indicator, publish, rows_by_key

from assets.keys import result_key
from orchestration.definitions import build_definitions
from orchestration.jobs import plan_job_name
from plan_indicators.catalog import load_catalog

PLAN = "zeros-2024-2028"
YEARS = ["2024-2025", "2025-2026", "2026-2027", "2027-2028"]


CATALOG = {
    "plan": {"id": PLAN, "organisation": "Organisme", "title": "Plan", "fiscal_years": YEARS},
    "indicators": [
        indicator("A", "register_count", "count",
                  {fy: {"kind": "at_least", "value": 2} for fy in YEARS}),
        indicator("B", "register_milestone", "date",
                  {"2025-2026": {"kind": "deadline", "due": "2025-12-31"}}),
        indicator("C", "register_count", "count",
                  {"2024-2025": {"kind": "relative_to_baseline", "percent": 10,
                                 "baseline_year": "2023-2024"}}),
        indicator("D", "register_count", "count",
                  {"2025-2026": {"kind": "relative_to_baseline", "percent": 10,
                                 "baseline_year": "2024-2025"}}),
        indicator("E", "register_rate", "percent",
                  {"2024-2025": {"kind": "at_least", "value": 50}}),
    ],
}  # fmt: skip

REGISTER = """plan_id,indicator_id,record_id,event_date,quantity,outcome
zeros-2024-2028,A,a1,2024-05-01,,
zeros-2024-2028,A,a2,2024-11-15,,
zeros-2024-2028,A,a3,2025-06-01,3,
zeros-2024-2028,C,c1,2024-06-01,5,
zeros-2024-2028,D,d1,2025-09-01,4,
zeros-2024-2028,E,e1,2024-07-01,,true
zeros-2024-2028,E,e2,2024-08-01,,false
zeros-2024-2028,E,e3,2024-09-01,,
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zeros")
    url = publish(tmp, "2026-06-01", CATALOG, {"activity_register/registre.csv": REGISTER})
    results = rows_by_key(url, "indicator_result")
    evaluations = rows_by_key(url, "indicator_evaluation")
    # E's step once more, alone, to read what its materialisation tells the UI
    defs = build_definitions(
        str(tmp / "plans"),
        landing=str(tmp / "landing"),
        warehouse_url=url,
        staging=str(tmp / "staging"),
        as_of="2026-06-01",
    )
    [plan] = load_catalog(str(tmp / "plans"))
    run = defs.resolve_job_def(plan_job_name(plan)).execute_in_process(
        partition_key="2024-2025", asset_selection=[result_key(plan, plan.indicator("E"))]
    )
    [event] = run.get_asset_materialization_events()
    return results, evaluations, event.materialization.metadata


def test_a_year_not_begun_is_a_stranger_to_zero(published):
    results, evaluations, _ = published
    # A: 2024-2025 = a1 + a2 = 2 (met); 2025-2026 = a3's 3 (met); 2026-2027 runs with 0 so far
    assert [results[("A", fy)]["value"] for fy in YEARS[:3]] == [2.0, 3.0, 0.0]
    assert [evaluations[("A", fy)]["status"] for fy in YEARS[:3]] == ["met", "met", "in_progress"]
    # 2027-2028 has not begun: no value (it was 0), À venir with its target ≥ 2
    assert results[("A", "2027-2028")]["value"] is None
    later = evaluations[("A", "2027-2028")]
    assert (later["status"], later["threshold"]) == ("not_started", 2.0)


def test_a_milestone_never_recorded_is_no_data_not_missed(published):
    _results, evaluations, _ = published
    ev = evaluations[("B", "2025-2026")]  # due 2025-12-31, passed at 2026-06-01, no record
    assert (ev["status"], ev["status_fr"]) == ("no_data", "Donnée non disponible")
    assert ev["note"] == "aucun enregistrement pour cet indicateur"


def test_a_baseline_year_before_the_register_is_no_baseline_of_zero(published):
    results, evaluations, _ = published
    # C's baseline 2023-2024 is before the plan (2024-2025) and its first record (2024-06-01):
    # no data, where it was 0 with threshold 0 × 1.1 = 0 and "met"
    assert results[("C", "2023-2024")]["value"] is None
    ev = evaluations[("C", "2024-2025")]
    assert (ev["status"], ev["threshold"], ev["note"]) == (
        "no_data", None, "mesure de départ non disponible",
    )  # fmt: skip


def test_a_zero_baseline_sets_no_relative_target(published):
    results, evaluations, _ = published
    # D's baseline 2024-2025 is a plan year: a real 0 (first record 2025-09-01); 4 ≥ 0 × 1.1
    # would be "met": a percentage of nothing is no target
    assert results[("D", "2024-2025")]["value"] == 0.0
    ev = evaluations[("D", "2025-2026")]
    assert (ev["status"], ev["threshold"]) == ("no_data", None)
    assert ev["note"].startswith("mesure de départ nulle")


def test_a_record_without_outcome_is_left_out_and_named(published):
    results, evaluations, metadata = published
    # e1 true, e2 false, e3 empty: 100 × 1 / 2 = 50 ≥ 50
    row = results[("E", "2024-2025")]
    assert (row["numerator"], row["denominator"], row["value"]) == (1.0, 2.0, 50.0)
    assert row["reason"] == "1 enregistrement(s) sans résultat exclu(s)"
    assert evaluations[("E", "2024-2025")]["status"] == "met"
    # and counted as a data-quality warning in the metadata: on the year's own partition by
    # rule, and over the run's years on every partition
    assert metadata["excluded_rows"].value == {"outcome_empty": 1}
    assert metadata["excluded_rows_by_year"].value == {"2024-2025": {"outcome_empty": 1}}
