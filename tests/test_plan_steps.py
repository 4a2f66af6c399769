"""Two steps per plan (issue 14, items 1-2; issue 18, item 3).

A plan's results are one multi-asset and its evaluations another, one `AssetSpec` per
indicator: one indicator still materialises alone, every fiscal year's materialization
carries that year's own figures, and an indicator whose result fails the result suite is
evaluated `no_data` with the reason while the plan's other indicators are published.

By hand, OPHQ on the small landing zone of tests/plan_runs.py (as of 2026-11-01):
- 3.1.1 (share of requests by web_form, email or chat): 2024-2025 = 3 / 4 = 75 % (first
  measure: Mesure de départ); 2025-2026 = 1 / 2 = 50 % against 75 + 2 points = 77: Non
  atteinte, gap 50 − 77 = −27; 2027-2028 has not begun: À venir.

The five-indicator plan `suite` (survey_value, as of 2026-06-01, both years over):
- A percent 130, B count −4, C score 12 on a 0-10 scale: each breaks the result suite;
- D percent 62.5 then 58.0 against ≥ 60: Atteinte, then Non atteinte;
- E count 7 then 9 against ≥ 8: Non atteinte, then Atteinte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from plan_runs import KEY, make_home

from orchestration.runner import RANGE_END, RANGE_START, RunOptions, run_pipeline
from plan_indicators import warehouse as wh

pytestmark = pytest.mark.slow

KEY_ENV = "PLAN_INDICATORS_PSEUDONYM_KEY"


# ── OPHQ: per-partition metadata and a one-indicator subset ──────────────────────────────────


def _url(root: Path) -> str:
    return f"sqlite:///{root / 'w.sqlite'}"


def _plan(plans_dir=None, plan_id="ophq-2024-2028"):
    from plan_indicators.catalog import load_catalog

    return next(p for p in load_catalog(plans_dir) if p.id == plan_id)


def _by_partition(instance, key: dg.AssetKey) -> dict[str, dict]:
    """The latest materialization of each partition of `key`, its metadata as plain values."""
    out: dict[str, dict] = {}
    for record in instance.fetch_materializations(key, limit=1000).records:  # newest first
        meta = record.asset_materialization.metadata
        out.setdefault(record.partition_key, {k: v.value for k, v in meta.items()})
    return out


def test_each_fiscal_year_carries_its_own_status(ophq_run):
    from assets.keys import evaluation_key, result_key

    plan = _plan()
    ind = plan.indicator("3.1.1")
    with dg.DagsterInstance.from_config(str(ophq_run / "home")) as instance:
        evaluations = _by_partition(instance, evaluation_key(plan, ind))
        results = _by_partition(instance, result_key(plan, ind))
    assert set(evaluations) == set(plan.partition_years())
    assert evaluations["2024-2025"]["status"] == "Mesure de départ"
    own = evaluations["2025-2026"]
    assert (own["status"], own["value"], own["threshold"], own["gap"]) == (
        "Non atteinte", "50.0", "77.0", "-27.0",
    )  # fmt: skip
    assert evaluations["2027-2028"]["status"] == "À venir"  # the last year is not 2025-2026's
    assert results["2024-2025"]["value"].startswith("75,0")
    assert results["2025-2026"]["value"].startswith("50,0")
    assert (results["2025-2026"]["numerator"], results["2025-2026"]["denominator"]) == ("1", "2")
    # The warehouse says the same, year by year.
    rows = wh.read_rows(
        wh.engine_for(_url(ophq_run)), wh.indicator_evaluation, indicator_id="3.1.1"
    )
    assert {r["fiscal_year"]: r["status_fr"] for r in rows} == {
        fy: m["status"] for fy, m in evaluations.items() if fy in {r["fiscal_year"] for r in rows}
    }


def test_one_indicator_materialises_alone(ophq_run, tmp_path, monkeypatch):
    from assets.keys import evaluation_key, result_key
    from orchestration.definitions import build_definitions

    monkeypatch.setenv(KEY_ENV, KEY)
    root = tmp_path / "copy"
    shutil.copytree(ophq_run, root, ignore=shutil.ignore_patterns("home"))
    plan = _plan()
    defs = build_definitions(
        None, landing=str(root / "landing"), warehouse_url=_url(root),
        staging=str(root / "staging"), as_of="2026-11-01", report_path=str(root / "r.html"),
    )  # fmt: skip
    watched, other = plan.indicator("3.1.1"), plan.indicator("2.1.1")
    wanted = [result_key(plan, watched), evaluation_key(plan, watched)]
    steps = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition) and set(wanted) & a.keys]
    assert len(steps) == 2  # the plan's results step and its evaluations step
    engine = wh.engine_for(_url(root))
    before = wh.read_rows(engine, wh.indicator_result, indicator_id="2.1.1")
    years = plan.partition_years()
    with dg.instance_for_test() as instance:
        run = dg.materialize(
            steps,
            selection=wanted,
            resources=defs.resources,
            instance=instance,
            tags={RANGE_START: years[0], RANGE_END: years[-1]},
        )
        assert run.success
        done = {(e.asset_key, e.partition) for e in run.get_asset_materialization_events()}
        assert done == {(k, fy) for k in wanted for fy in years}  # nothing of 2.1.1
        checks = {(c.asset_key, c.check_name, c.passed) for c in run.get_asset_check_evaluations()}
        # the suite ran for 3.1.1's result only, the explanation check for its evaluation only
        assert checks == {
            (result_key(plan, watched), "great_expectations_result", True),
            (evaluation_key(plan, watched), "missed_target_explained", True),
        }
        assert instance.get_latest_materialization_event(result_key(plan, other)) is None
        meta = _by_partition(instance, evaluation_key(plan, watched))
    assert meta["2025-2026"]["status"] == "Non atteinte"
    ours = wh.read_rows(engine, wh.indicator_result, indicator_id="3.1.1")
    assert {r["run_id"] for r in ours} == {run.run_id}
    assert wh.read_rows(engine, wh.indicator_result, indicator_id="2.1.1") == before


# ── One bad indicator blocks only itself ─────────────────────────────────────────────────────


def _indicator(ind_id: str, unit: str, targets: dict, **extra) -> dict:
    return {
        "id": ind_id,
        "enjeu": "1 — Des services de qualité",
        "orientation": "1 — La clientèle",
        "objective": "1.1 Mesurer",
        "text_fr": f"Indicateur {ind_id} publié par la firme de sondage",
        "unit": unit,
        "measure": {"name": "survey_value"},
        "targets": targets,
        **extra,
    }


def _at_least(value: float) -> dict:
    return {fy: {"kind": "at_least", "value": value} for fy in ("2024-2025", "2025-2026")}


AT_LEAST_60, AT_LEAST_8 = _at_least(60), _at_least(8)
SUITE_PLAN = {
    "plan": {
        "id": "suite-2024-2026",
        "organisation": "Office de démonstration",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "indicators": [
        _indicator("A", "percent", AT_LEAST_60),
        _indicator("B", "count", AT_LEAST_8),
        _indicator("C", "score", AT_LEAST_8, scale={"min": 0, "max": 10}),
        _indicator("D", "percent", AT_LEAST_60),
        _indicator("E", "count", AT_LEAST_8),
    ],
}
SURVEY = """plan_id,indicator_id,fiscal_year,value,respondents,population
suite-2024-2026,A,2024-2025,130,,
suite-2024-2026,A,2025-2026,61,,
suite-2024-2026,B,2024-2025,-4,,
suite-2024-2026,B,2025-2026,9,,
suite-2024-2026,C,2024-2025,7,,
suite-2024-2026,C,2025-2026,12,,
suite-2024-2026,D,2024-2025,62.5,,
suite-2024-2026,D,2025-2026,58.0,,
suite-2024-2026,E,2024-2025,7,,
suite-2024-2026,E,2025-2026,9,,
"""


@pytest.fixture(scope="module")
def suite_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("suite")
    (root / "plans").mkdir()
    (root / "plans" / "suite.yaml").write_text(yaml.safe_dump(SUITE_PLAN, allow_unicode=True))
    (root / "landing" / "survey_results").mkdir(parents=True)
    (root / "landing" / "survey_results" / "sondage.csv").write_text(SURVEY, "utf-8")
    make_home(root)
    lines: list[str] = []
    opts = RunOptions(
        landing=str(root / "landing"),
        warehouse=_url(root),
        plans_dir=str(root / "plans"),
        staging=str(root / "staging"),
        as_of="2026-06-01",
        report=str(root / "report.html"),
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(KEY_ENV, "suite-key-not-secret")
        mp.setenv("DAGSTER_HOME", str(root / "home"))
        outcome = run_pipeline(opts, echo=lines.append)
    return root, outcome, "\n".join(lines)


def _evaluations(root: Path) -> dict[tuple[str, str], dict]:
    rows = wh.table_rows(wh.engine_for(_url(root)), "indicator_evaluation")
    return {(r["indicator_id"], r["fiscal_year"]): r for r in rows}


def test_indicators_failing_the_result_suite_block_only_themselves(suite_run):
    root, outcome, out = suite_run
    assert not outcome.ok  # a refused result is a failure of the run
    refused = [f for f in outcome.failures if "check great_expectations_result failed" in f]
    assert sorted(f.split(" on ")[1].split(":")[0] for f in refused) == [
        f"indicator_result/suite_2024_2026/i_{i}" for i in "ABC"
    ]
    ev = _evaluations(root)
    status = {k: r["status"] for k, r in ev.items()}
    assert {k: v for k, v in status.items() if k[0] in "DE"} == {
        ("D", "2024-2025"): "met",  # 62.5 ≥ 60
        ("D", "2025-2026"): "not_met",  # 58.0 < 60
        ("E", "2024-2025"): "not_met",  # 7 < 8
        ("E", "2025-2026"): "met",  # 9 ≥ 8
    }
    for ind in "ABC":
        for fy in ("2024-2025", "2025-2026"):
            row = ev[(ind, fy)]
            assert (row["status"], row["value"], row["gap"]) == ("no_data", None, None)
            assert row["note"].startswith("résultat refusé par la suite de validation : ")
    # A's 2025-2026 (61) breaks no rule, but its result as a whole was refused.
    assert "percent" in ev[("A", "2024-2025")]["note"]


def test_status_table_prints_counts_and_the_refused_indicators(suite_run):
    _root, _outcome, out = suite_run
    lines = out.splitlines()
    table = lines[lines.index("suite-2024-2026") + 1 :]
    header = table[0].split()
    assert header[0] == "année" and "Atteinte" in table[0] and "Non atteinte" in table[0]
    # each year: 1 met, 1 not met, 3 no data (A, B, C)
    for fy in ("2024-2025", "2025-2026"):
        (row,) = [line for line in table if line.strip().startswith(fy)]
        assert sorted(int(c) for c in row.split()[1:]) == [1, 1, 3]
    for ind in "ABC":
        assert any(
            line.startswith(f"  no_data {ind} (2024-2025, 2025-2026) : résultat refusé par la ")
            for line in table
        ), table


def test_a_refused_result_stays_refused_in_a_later_run(suite_run, monkeypatch):
    """An evaluation materialised alone later (the UI, the automation sensor) reads the
    suite's outcome from the instance: A stays no_data, D is evaluated as before."""
    from assets.keys import evaluation_key
    from orchestration.definitions import build_definitions

    root, _outcome, _out = suite_run
    plan = _plan(str(root / "plans"), "suite-2024-2026")
    defs = build_definitions(
        str(root / "plans"), landing=str(root / "landing"), warehouse_url=_url(root),
        staging=str(root / "staging"), as_of="2026-06-01", report_path=str(root / "r.html"),
    )  # fmt: skip
    keys = [evaluation_key(plan, plan.indicator(i)) for i in ("A", "D")]
    steps = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition) and set(keys) & a.keys]
    monkeypatch.setenv("DAGSTER_HOME", str(root / "home"))
    with dg.DagsterInstance.get() as instance:
        run = dg.materialize(
            steps,
            selection=keys,
            resources=defs.resources,
            instance=instance,
            tags={RANGE_START: "2024-2025", RANGE_END: "2025-2026"},
        )
        assert run.success
        meta = _by_partition(instance, keys[0])
    ev = _evaluations(root)
    assert {ev[("A", fy)]["run_id"] for fy in ("2024-2025", "2025-2026")} == {run.run_id}
    assert ev[("A", "2024-2025")]["status"] == "no_data"
    assert ev[("D", "2024-2025")]["status"] == "met"
    assert meta["2024-2025"]["status"] == "Donnée non disponible"
    assert meta["2024-2025"]["note"].startswith("résultat refusé par la suite de validation")
