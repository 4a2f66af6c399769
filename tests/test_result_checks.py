"""The result suite in a real run: it checks what the catalog and the measures state, nothing else.

A plan whose score is an index on 100 and whose percentage arrives as a survey firm's aggregate
(`survey_value`, no denominator) is valid: both used to fail `great_expectations_result`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from zone_run import run_zone, warehouse_url

from plan_indicators import warehouse as wh

PLAN = {
    "plan": {
        "id": "demo-2024-2026",
        "organisation": "Office de démonstration",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "indicators": [
        {
            "id": "6.1.1",
            "enjeu": "3 — Une organisation apprenante",
            "orientation": "6 — Le personnel",
            "objective": "6.1 Expérience employé",
            "text_fr": "Indice de satisfaction quant à l'expérience employé",
            "unit": "score",
            "scale": {"min": 0, "max": 100},
            "measure": {"name": "survey_value"},
            "targets": {
                "2024-2025": {"kind": "first_measure"},
                "2025-2026": {"kind": "at_least_previous"},
            },
        },
        {
            "id": "7.1.1",
            "enjeu": "3 — Une organisation apprenante",
            "orientation": "7 — La population",
            "objective": "7.1 Notoriété",
            "text_fr": "Taux de notoriété de l'Office (sondage omnibus)",
            "unit": "percent",
            "measure": {"name": "survey_value"},
            "targets": {
                "2024-2025": {"kind": "at_least", "value": 60},
                "2025-2026": {"kind": "at_least", "value": 60},
            },
        },
    ],
}
SURVEY = """plan_id,indicator_id,fiscal_year,value,respondents,population
demo-2024-2026,6.1.1,2024-2025,71.4,,
demo-2024-2026,6.1.1,2025-2026,72.0,,
demo-2024-2026,7.1.1,2024-2025,62.5,,
demo-2024-2026,7.1.1,2025-2026,58.0,,
"""


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "test-key-not-secret")


def test_index_on_100_and_aggregate_percent_pass_the_result_suite(tmp_path: Path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "demo.yaml").write_text(yaml.safe_dump(PLAN, allow_unicode=True), "utf-8")
    (tmp_path / "landing" / "survey_results").mkdir(parents=True)
    (tmp_path / "landing" / "survey_results" / "sondage.csv").write_text(SURVEY, "utf-8")
    url = warehouse_url(tmp_path)
    outcome = run_zone(tmp_path)
    assert not [f for f in outcome.failures if "great_expectations_result" in f], outcome.failures
    rows = wh.table_rows(wh.engine_for(url), "indicator_evaluation")
    status = {(r["indicator_id"], r["fiscal_year"]): r["status"] for r in rows}
    assert status == {
        ("6.1.1", "2024-2025"): "baseline",  # first measure: 71.4
        ("6.1.1", "2025-2026"): "met",  # 72.0 ≥ 71.4 (the previous year)
        ("7.1.1", "2024-2025"): "met",  # 62.5 ≥ 60
        ("7.1.1", "2025-2026"): "not_met",  # 58.0 < 60
    }
