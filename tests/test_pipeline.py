"""The whole pipeline through Dagster on generated data: SQLite and PostgreSQL give the same
tables; reruns are idempotent; a changed value goes to history; a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from orchestration.runner import RunOptions, run_pipeline
from plan_indicators import warehouse as wh
from plan_indicators.catalog import load_catalog
from plan_indicators.sampledata import generate

AS_OF = "2026-11-01"
VOLATILE = {"run_id", "computed_at", "evaluated_at", "quarantined_at", "replaced_at"}
TABLES = {
    "dim_plan": ("plan_id",),
    "dim_indicator": ("plan_id", "indicator_id"),
    "indicator_target": ("plan_id", "indicator_id", "fiscal_year"),
    "indicator_result": ("plan_id", "indicator_id", "fiscal_year"),
    "indicator_evaluation": ("plan_id", "indicator_id", "fiscal_year"),
    "quarantine": ("source", "file", "line"),
    "indicator_result_region": ("plan_id", "indicator_id", "fiscal_year", "region_code"),
    "indicator_projection": ("plan_id", "indicator_id", "fiscal_year", "as_of"),
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    generate(root, seed=7, scale=0.2)
    return root


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "test-key-not-secret")


def _run(landing: Path, url: str, staging: Path, **kw):
    return run_pipeline(
        RunOptions(
            landing=str(landing),
            warehouse=url,
            staging=str(staging),
            as_of=AS_OF,
            report=str(staging / "report.html"),
            **kw,
        ),
        echo=lambda _line: None,
    )


def snapshot(url: str) -> dict[str, list[tuple]]:
    engine = wh.engine_for(url)
    out = {}
    for table, key in TABLES.items():
        rows = wh.table_rows(engine, table, order_by=key)
        out[table] = [
            tuple(sorted((k, _norm(v)) for k, v in r.items() if k not in VOLATILE)) for r in rows
        ]
    return out


def _norm(v):
    if isinstance(v, float):
        return round(v, 9)
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return v


@pytest.fixture(scope="module")
def sqlite_run(landing, tmp_path_factory):
    import os

    os.environ["PLAN_INDICATORS_PSEUDONYM_KEY"] = "test-key-not-secret"
    root = tmp_path_factory.mktemp("sqlite")
    url = f"sqlite:///{root / 'w.sqlite'}"
    outcome = _run(landing, url, root / "staging")
    return url, root, outcome


def test_every_indicator_of_both_plans_is_evaluated(sqlite_run):
    url, _root, outcome = sqlite_run
    assert outcome.ok, outcome.failures
    engine = wh.engine_for(url)
    evaluations = {
        (r["plan_id"], r["indicator_id"], r["fiscal_year"]): r
        for r in wh.table_rows(engine, "indicator_evaluation")
    }
    expected = {(p.id, i.id, fy) for p in load_catalog() for i in p.indicators for fy in i.targets}
    assert set(evaluations) == expected
    for key, row in evaluations.items():
        if row["status"] == "no_data":
            assert row["note"], f"{key} is no_data without an explanation"
    statuses = {r["status"] for r in evaluations.values()}
    assert {"met", "not_met", "baseline", "in_progress", "not_applicable"} <= statuses


def test_a_year_not_begun_has_no_value_only_its_target(sqlite_run):
    # At 2026-11-01, OPHQ's 2027-2028 begins 2027-04-01: its register counts (4.1.1, 4.3.1,
    # 4.4.1) used to publish 0; every indicator of that year is À venir with its target.
    url, _root, _outcome = sqlite_run
    engine = wh.engine_for(url)
    results = wh.read_rows(engine, wh.indicator_result, plan_id="ophq-2024-2028")
    later = {r["indicator_id"]: r for r in results if r["fiscal_year"] == "2027-2028"}
    assert len(later) == 14
    assert all(r["value"] is None and r["value_display"] is None for r in later.values())
    assert later["4.1.1"]["reason"] == "L'année 2027-2028 n'a pas commencé au 2026-11-01"
    evaluations = wh.read_rows(engine, wh.indicator_evaluation, plan_id="ophq-2024-2028")
    later_ev = {r["indicator_id"]: r for r in evaluations if r["fiscal_year"] == "2027-2028"}
    assert {r["status"] for r in later_ev.values()} == {"not_started"}
    assert {r["status_fr"] for r in later_ev.values()} == {"À venir"}
    assert later_ev["4.1.1"]["threshold"] == 2  # "≥ 2 rencontres"


def test_dim_indicator_carries_the_declared_scale(sqlite_run):
    # data/plans/ophq-2024-2028.yaml: 2.2.1 "note sur 10" is scale {0, 10}, 6.1.1's employee-
    # experience index {0, 100}; no other unit has a scale, so BI reads null for them.
    url, _root, _outcome = sqlite_run
    rows = wh.table_rows(wh.engine_for(url), "dim_indicator")
    scales = {
        (r["plan_id"], r["indicator_id"]): (r["scale_min"], r["scale_max"])
        for r in rows
        if r["scale_min"] is not None or r["scale_max"] is not None
    }
    assert scales == {("ophq-2024-2028", "2.2.1"): (0, 10), ("ophq-2024-2028", "6.1.1"): (0, 100)}
    assert all(r["unit"] == "score" for r in rows if (r["plan_id"], r["indicator_id"]) in scales)


def test_regional_indicators_are_broken_down_by_region(sqlite_run):
    # OPHQ 3.1.1 (requests) and 4.2.1 (coordinations) carry region_code; every result with a
    # value has its cells, whose published and withheld parts make up the whole.
    url, _root, _outcome = sqlite_run
    engine = wh.engine_for(url)
    results = {
        (r["indicator_id"], r["fiscal_year"]): r
        for r in wh.read_rows(engine, wh.indicator_result, plan_id="ophq-2024-2028")
    }
    cells: dict[tuple[str, str], list[dict]] = {}
    for c in wh.table_rows(engine, "indicator_result_region"):
        cells.setdefault((c["indicator_id"], c["fiscal_year"]), []).append(c)
    assert {k[0] for k in cells} == {"3.1.1", "4.2.1"}
    for key, result in results.items():
        if key[0] not in ("3.1.1", "4.2.1") or result["value"] is None:
            assert key not in cells, key
            continue
        rows = cells[key]
        published = [c for c in rows if c["suppressed"] is None]
        withheld = [c for c in rows if c["suppressed"]]
        assert len(withheld) != 1, key  # one cell alone would be revealed by the total
        assert all(c["numerator"] is None and c["value"] is None for c in withheld)
        assert all(c["denominator"] >= 5 for c in published)
        shown = sum(c["denominator"] for c in published)
        assert shown <= result["denominator"]
        if not withheld:
            assert shown == result["denominator"]
            assert sum(c["numerator"] for c in published) == result["numerator"]


def test_the_running_year_is_projected(sqlite_run):
    # At 2026-11-01 OPHQ's 2026-2027 runs; OPQ's plan ended in 2024. Each indicator evaluated
    # in_progress against a numeric target has one projection; web users (1.1.1) have no value
    # and say why; a projected value has its method and, with a threshold, its status.
    url, root, _outcome = sqlite_run
    engine = wh.engine_for(url)
    rows = wh.table_rows(engine, "indicator_projection")
    assert {(r["plan_id"], r["fiscal_year"], str(r["as_of"])[:10]) for r in rows} == {
        ("ophq-2024-2028", "2026-2027", AS_OF)
    }
    running = {
        r["indicator_id"]
        for r in wh.read_rows(engine, wh.indicator_evaluation, fiscal_year="2026-2027")
        if r["status"] == "in_progress" and r["plan_id"] == "ophq-2024-2028"
    }
    projected = {r["indicator_id"]: r for r in rows}
    plan = next(p for p in load_catalog() if p.id == "ophq-2024-2028")
    numeric = {i.id for i in plan.indicators if i.unit != "date"}
    assert set(projected) == running & numeric
    assert projected["1.1.1"]["projected_value"] is None
    assert "pas datées" in projected["1.1.1"]["note"]
    for r in projected.values():
        if r["projected_value"] is not None:
            assert r["method"] in ("seasonal_share", "elapsed_days", "year_to_date")
            assert r["method_fr"]
            if r["threshold"] is not None:
                assert r["projected_status"] in ("on_track", "at_risk")
    # The report for the running year prints them under "En cours" (the default reporting
    # year, the last one ended, shows 2026-2027's targets only).
    from plan_indicators.report import load_view, renderers

    view = load_view(engine, fiscal_year="2026-2027", as_of=dt.date(2026, 11, 1))
    html = renderers()["html"].render(view).decode()
    assert "Projection au 1er novembre 2026" in html
    default = (root / "staging" / "report.html").read_text("utf-8")
    assert "Projection au" not in default


def test_the_plan_scorecard_view_agrees_with_the_rule(sqlite_run):
    from plan_indicators.scorecard import tally

    url, _root, _outcome = sqlite_run
    engine = wh.engine_for(url)
    by_year: dict[tuple[str, str], list[str]] = {}
    for r in wh.table_rows(engine, "indicator_evaluation"):
        by_year.setdefault((r["plan_id"], r["fiscal_year"]), []).append(r["status"])
    with engine.connect() as conn:
        view = {(r.plan_id, r.fiscal_year): r for r in conn.execute(
            sa.text("SELECT * FROM v_plan_scorecard"))}  # fmt: skip
    assert set(view) == set(by_year)
    for key, statuses in by_year.items():
        t = tally(statuses)
        row = view[key]
        assert (row.targets_met, row.targets_evaluated, row.targets_no_data) == (
            t.targets_met, t.targets_evaluated, t.targets_no_data,
        ), key  # fmt: skip
        assert row.share_met == t.share_met


def test_rerun_is_idempotent_and_history_is_empty(sqlite_run, landing):
    url, root, _ = sqlite_run
    before = snapshot(url)
    assert _run(landing, url, root / "staging").ok
    assert snapshot(url) == before
    assert wh.table_rows(wh.engine_for(url), "indicator_result_history") == []


def test_report_is_written(sqlite_run):
    _url, root, _ = sqlite_run
    html = (root / "staging" / "report.html").read_text("utf-8")
    assert "Office des personnes handicapées du Québec" in html
    assert "Atteinte" in html


def test_postgres_gives_the_same_tables(sqlite_run, landing, pg_url, tmp_path):
    """On PostgreSQL, with the plans side by side (each forked process with its own
    connections): the same tables as the SQLite run, one plan after the other."""
    url, _root, _ = sqlite_run
    outcome = _run(landing, pg_url, tmp_path / "staging", jobs=2)
    assert outcome.ok, outcome.failures
    pg, lite = snapshot(pg_url), snapshot(url)
    for table in TABLES:
        assert pg[table] == lite[table], table
    with sa.create_engine(pg_url).connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM v_scorecard")).scalar()
    assert n == len(lite["indicator_target"])


def test_changed_value_goes_to_history_and_bad_file_changes_nothing(landing, tmp_path):
    work = tmp_path / "landing"
    shutil.copytree(landing, work)
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    staging = tmp_path / "staging"
    assert _run(work, url, staging, plans=("ophq-2024-2028",)).ok

    # One more satisfaction answer of 0 in 2024-2025 lowers the mean of indicator 2.2.1.
    folder = work / "satisfaction_responses"
    (folder / "zz-late.csv").write_text(
        "response_id,response_date,score\nlate-1,2024-06-01,0\n", encoding="utf-8"
    )
    assert _run(work, url, staging, plans=("ophq-2024-2028",)).ok
    history = wh.read_rows(wh.engine_for(url), wh.indicator_result_history, indicator_id="2.2.1")
    assert [h["fiscal_year"] for h in history] == ["2024-2025"]
    assert history[0]["revision"] == 1

    published = snapshot(url)
    # A file without its required `score` column is refused as a whole.
    (folder / "zz-bad.csv").write_text(
        "response_id,response_date\nbad-1,2024-06-02\n", encoding="utf-8"
    )
    outcome = _run(work, url, staging, plans=("ophq-2024-2028",))
    assert not outcome.ok
    message = "\n".join(outcome.failures)
    assert "satisfaction_responses/zz-bad.csv" in message
    assert "score" in message
    assert snapshot(url) == published

    # check-landing names the same fault, without writing anything.
    from plan_indicators.sources.landing import check_landing

    report = check_landing(work)
    assert not report.ok
    errors = [line for line in report.problems() if line.startswith("ERROR")]
    assert errors == [
        "ERROR satisfaction_responses/zz-bad.csv:1:score: missing_column: "
        "colonne obligatoire absente : score"
    ]


def test_run_reports_where_the_time_went(sqlite_run):
    _url, _root, outcome = sqlite_run
    split = outcome.split
    assert set(split) == {
        "dagster",
        "ingestion",
        "great_expectations",
        "measures",
        "writes",
        "other_steps",
    }
    # Every part was exercised: GX suites ran, measures computed, results written.
    assert all(seconds > 0 for seconds in split.values()), split
    # The parts add up to the run (steps run one after the other in process).
    assert sum(split.values()) == pytest.approx(outcome.timings["total"], rel=0.1)


def test_nested_export_is_staged_through_flattened_copies(sqlite_run, landing):
    """Sample data writes part of its web analytics in the export's nested form: the run
    stages them through copies under its staging folder, one row per event, and the landing
    zone gains nothing."""
    import pyarrow.parquet as pq

    from plan_indicators.sources.web import inventory_web_files
    from plan_indicators.sources.web.flat import FLATTENED_SHAPES, copy_name
    from plan_indicators.staging import web_cache_dir

    _url, root, _outcome = sqlite_run
    exports = {
        copy_name(f.file, f.size, f.mtime_ns): f
        for f in inventory_web_files(landing).files
        if f.shape in FLATTENED_SHAPES
    }
    copies = sorted(web_cache_dir(root / "staging").glob("*.parquet"))
    assert exports and copies
    assert {c.name for c in copies} <= set(exports)
    assert all(pq.read_metadata(c).num_rows == exports[c.name].rows for c in copies)
    assert not [p for p in landing.rglob("*") if "cache" in p.name or p.suffix == ".tmp"]


def test_plans_run_side_by_side_publish_what_they_publish_one_after_the_other(
    sqlite_run, landing, tmp_path
):
    """`jobs=2`: the two plans' runs in two processes forked from the command publish the
    same tables, and every run is on the instance, succeeded."""
    import dagster as dg

    from orchestration.runner import instance_home

    url, _root, one_by_one = sqlite_run
    side = f"sqlite:///{tmp_path / 'w.sqlite'}"
    outcome = _run(landing, side, tmp_path / "staging", jobs=2)
    assert outcome.ok, outcome.failures
    assert snapshot(side) == snapshot(url)
    assert len(outcome.run_ids) == len(one_by_one.run_ids) == 4  # ingestion, 2 plans, report
    assert set(outcome.timings) == set(one_by_one.timings)
    assert outcome.split["measures"] > 0 and outcome.split["writes"] > 0
    with dg.DagsterInstance.from_config(str(instance_home(RunOptions()))) as instance:
        runs = [instance.get_run_by_id(r) for r in outcome.run_ids]
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)


def test_a_plan_failing_in_its_own_process_is_reported_and_spares_the_other(
    landing, tmp_path, monkeypatch
):
    """An indicator whose measure raises, in a plan run by a forked process: the command
    fails naming it, its published rows stay as they were, and the other plan publishes."""
    import assets.indicators

    first_opq = load_catalog()[1]
    assert first_opq.id == "opq-2019-2023"
    broken = first_opq.indicators[0].id
    real = assets.indicators.for_indicator

    def for_indicator(plan, ind, *args):
        if (plan.id, ind.id) == (first_opq.id, broken):
            raise RuntimeError("mesure cassée pour l'essai")
        return real(plan, ind, *args)

    monkeypatch.setattr(assets.indicators, "for_indicator", for_indicator)
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    outcome = _run(landing, url, tmp_path / "staging", jobs=2)
    assert not outcome.ok
    [failure] = [f for f in outcome.failures if f.startswith(f"{first_opq.id}: step ")]
    assert f"indicator {broken} of {first_opq.id} not computed" in failure
    assert "RuntimeError: mesure cassée pour l'essai" in failure
    rows = wh.table_rows(wh.engine_for(url), "indicator_result")
    published = {(r["plan_id"], r["indicator_id"]) for r in rows}
    assert (first_opq.id, broken) not in published
    assert {p.id for p in load_catalog()} == {p for p, _ in published}


def test_a_plans_process_that_dies_ends_its_run_and_changes_nothing(landing, tmp_path, monkeypatch):
    """A forked process killed in the middle of a plan's run (here it exits at the plan's
    first measure): the command fails naming the run, no run is left in progress on the
    instance, and the tables are those of the run before."""
    import os

    import dagster as dg

    import assets.indicators
    from orchestration.jobs import plan_job_name
    from orchestration.runner import instance_home

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    assert _run(landing, url, tmp_path / "staging").ok
    before = snapshot(url)
    opq = load_catalog()[1]
    real = assets.indicators.for_indicator

    def for_indicator(plan, ind, *args):
        if plan.id == opq.id:
            os._exit(3)  # the worker dies, as a killed process would
        return real(plan, ind, *args)

    monkeypatch.setattr(assets.indicators, "for_indicator", for_indicator)
    outcome = _run(landing, url, tmp_path / "staging", jobs=2)
    assert not outcome.ok
    assert any(
        f.startswith(f"{opq.id}: run ") and "BrokenProcessPool" in f for f in outcome.failures
    )
    with dg.DagsterInstance.from_config(str(instance_home(RunOptions()))) as instance:
        runs = [instance.get_run_by_id(r) for r in outcome.run_ids]
        assert all(r.is_finished for r in runs)
        mine = {r.status for r in runs if r.job_name == plan_job_name(opq)}
        assert mine == {dg.DagsterRunStatus.FAILURE}
    assert snapshot(url) == before


def test_runs_a_dying_process_ends_go_again_alone_and_the_waiting_ones_go_on(
    landing, tmp_path, monkeypatch
):
    """Three plans, two processes: the first plan's process dies at its first measure, which
    ends the pool's other run too. The waiting third plan runs in processes forked afresh; the
    two runs that ended go again once each, alone: the second plan then publishes, the first
    dies again and is the failure reported. The command ends normally, saying what went again."""
    import os

    import dagster as dg

    import assets.indicators
    from bench.plan_steps import plan_copies
    from orchestration.jobs import plan_job_name
    from orchestration.runner import instance_home

    plans = plan_copies(3, tmp_path / "plans")
    catalog = load_catalog(plans)
    ids = [p.id for p in catalog]
    assert ids == ["ophq-2024-2028", "opq-2019-2023", "c01-ophq-2024-2028"]
    real = assets.indicators.for_indicator

    def for_indicator(plan, ind, *args):
        if plan.id == ids[0]:
            os._exit(3)
        return real(plan, ind, *args)

    monkeypatch.setattr(assets.indicators, "for_indicator", for_indicator)
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    outcome = _run(landing, url, tmp_path / "staging", jobs=2, plans_dir=str(plans))
    assert not outcome.ok
    dead = [f for f in outcome.failures if "BrokenProcessPool" in f]
    assert dead and {f.split(":")[0] for f in dead} == {ids[0]}
    assert any(w.startswith(f"{ids[0]}: run ") and "executed again alone" in w
               for w in outcome.warnings)  # fmt: skip
    published = {r["plan_id"] for r in wh.table_rows(wh.engine_for(url), "indicator_result")}
    assert published == {ids[1], ids[2]}
    with dg.DagsterInstance.from_config(str(instance_home(RunOptions()))) as instance:
        runs = [instance.get_run_by_id(r) for r in outcome.run_ids]
        assert all(r is not None and r.is_finished for r in runs)
        status = {p.id: [r.status for r in runs if r.job_name == plan_job_name(p)] for p in catalog}
        assert status[ids[0]] == [dg.DagsterRunStatus.FAILURE] * 2  # ended, then again alone
        assert status[ids[1]][-1] == dg.DagsterRunStatus.SUCCESS  # again alone, if it ended
        assert status[ids[2]] == [dg.DagsterRunStatus.SUCCESS]
        assert any(r.job_name == "annual_report" for r in runs)
