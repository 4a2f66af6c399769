"""The warehouse as BI joins it (docs/contracts.md §6): foreign keys enforced on SQLite and
PostgreSQL, the catalog written in place (an indicator removed keeps its rows), `dim_fiscal_year`
states at a chosen as-of date, `v_scorecard`'s baseline and threshold, and no path of the
machine in any text cell after a run."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from assets.catalog import catalog_assets
from plan_indicators import warehouse as wh
from plan_indicators.catalog import load_catalog
from plan_indicators.catalog_rows import indicator_rows, plan_row, target_rows
from plan_indicators.closing import record_closing, reopen, write_fiscal_years
from plan_indicators.fiscal import FiscalYear, year_state
from resources import RunSettings, Warehouse

OPHQ = "ophq-2024-2028"


def _ophq():
    return next(p for p in load_catalog() if p.id == OPHQ)


def _orphan(engine) -> None:
    row = {"plan_id": OPHQ, "indicator_id": "9.9.9", "fiscal_year": "2024-2025", "value": 1.0,
           "is_final": False}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(wh.indicator_result.insert(), [row])


def test_an_orphan_result_is_refused_on_sqlite(tmp_path):
    engine = wh.engine_for(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
        _orphan(engine)
    with engine.begin() as conn:
        conn.execute(wh.dim_plan.insert(), [plan_row(_ophq())])
        conn.execute(wh.dim_indicator.insert(), indicator_rows(_ophq()))
    with pytest.raises(sa.exc.IntegrityError):
        _orphan(engine)  # its plan exists now, its indicator 9.9.9 still does not
    assert wh.table_rows(engine, "indicator_result") == []


@pytest.mark.postgres
def test_an_orphan_result_is_refused_on_postgresql(pg_url):
    engine = wh.engine_for(pg_url)
    with pytest.raises(sa.exc.IntegrityError, match="foreign key"):
        _orphan(engine)
    names = {fk["referred_table"] for fk in sa.inspect(engine).get_foreign_keys("indicator_result")}
    assert names == {"dim_indicator"}


def _catalog(engine_url: str, plans, as_of: str) -> None:
    """The catalog step as the ingestion job runs it."""
    result = dg.materialize(
        [catalog_assets(tuple(plans))],
        resources={"warehouse": Warehouse(url=engine_url), "settings": RunSettings(as_of=as_of)},
    )
    assert result.success


def test_catalog_rewrite_keeps_a_removed_indicator_and_its_results(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    plan = _ophq()
    _catalog(url, [plan], "2026-11-01")
    engine = wh.engine_for(url)
    key = {"plan_id": OPHQ, "indicator_id": "1.1.2", "fiscal_year": "2024-2025"}
    wh.publish_result(engine, {**key, "value": 52.3, "is_final": False})
    _catalog(url, [plan], "2026-11-01")  # a rerun: dimension rows updated in place
    smaller = plan.model_copy(
        update={"indicators": [i for i in plan.indicators if i.id != "1.1.2"]}
    )
    _catalog(url, [smaller], "2026-11-01")
    [row] = wh.read_rows(engine, wh.dim_indicator, plan_id=OPHQ, indicator_id="1.1.2")
    assert row["removed_at"] is not None
    assert wh.read_rows(engine, wh.indicator_result, **key)[0]["value"] == 52.3
    with engine.connect() as conn:
        ids = set(conn.execute(sa.text("SELECT indicator_id FROM v_scorecard")).scalars())
    assert "1.1.2" not in ids and len(ids) == 13
    _catalog(url, [plan], "2026-11-01")  # back in the catalog
    [row] = wh.read_rows(engine, wh.dim_indicator, plan_id=OPHQ, indicator_id="1.1.2")
    assert row["removed_at"] is None


def test_fiscal_year_states_at_a_chosen_as_of_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    opq, ophq = (next(p for p in load_catalog() if p.id == i) for i in ("opq-2019-2023", OPHQ))
    _catalog(url, [opq, ophq], "2025-06-30")
    engine = wh.engine_for(url)
    with engine.begin() as conn:
        record_closing(conn, OPHQ, "2024-2025", run_id="r1", closed_by="test",
                       as_of=dt.date(2025, 5, 15), results_closed=14)  # fmt: skip
    rows = {r["fiscal_year"]: r for r in wh.table_rows(engine, "dim_fiscal_year")}
    # On 2025-06-30: 2024-2025 ended 2025-03-31 and is closed by OPHQ, the only plan whose
    # years include it; 2025-2026 began 2025-04-01 (running); 2026-2027 begins 2026-04-01;
    # 2023-2024 (OPQ's last year, OPHQ's baseline) ended and closed by no plan.
    assert rows["2024-2025"]["state"] == "closed"
    assert rows["2025-2026"]["state"] == "running"
    assert rows["2026-2027"]["state"] == "not_started"
    assert rows["2023-2024"]["state"] == "ended"
    assert (rows["2024-2025"]["start_date"], rows["2024-2025"]["end_date"]) == (
        dt.date(2024, 4, 1), dt.date(2025, 3, 31)
    )  # fmt: skip
    assert rows["2024-2025"]["sort_key"] == 2024 and rows["2024-2025"]["as_of"] == dt.date(
        2025, 6, 30
    )
    # 31 March is the year's last day: still running; 1 April: ended
    assert year_state(FiscalYear(2024), dt.date(2025, 3, 31)) == "running"
    assert year_state(FiscalYear(2024), dt.date(2025, 4, 1)) == "ended"
    reopen(engine, OPHQ, "2024-2025", "correction des données")
    assert wh.read_rows(engine, wh.dim_fiscal_year, fiscal_year="2024-2025")[0]["state"] == "ended"
    with engine.begin() as conn:
        write_fiscal_years(conn, ["2024-2025"], dt.date(2024, 3, 1))
    assert wh.read_rows(engine, wh.dim_fiscal_year, fiscal_year="2024-2025")[0]["state"] == (
        "not_started"
    )


def test_v_scorecard_baseline_and_threshold_of_a_relative_target(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    plan = _ophq()
    _catalog(url, [plan], "2026-11-01")
    engine = wh.engine_for(url)
    wh.publish_result(
        engine,
        {"plan_id": OPHQ, "indicator_id": "1.1.1", "fiscal_year": "2023-2024", "value": 2697.0,
         "is_final": False},
    )  # fmt: skip
    with engine.begin() as conn:
        t = wh.indicator_target
        conn.execute(t.delete().where(t.c.plan_id == OPHQ))
        conn.execute(t.insert(), target_rows(plan, engine))
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT target_text_fr, baseline_year, baseline_value, threshold, sort_order, "
                "fiscal_year_sort_key, fiscal_year_state FROM v_scorecard "
                "WHERE indicator_id = '1.1.1' AND fiscal_year = '2024-2025'"
            )
        ).one()
    # +2 % over the 2023-2024 baseline 2 697: 2 697 × 1.02 = 2 750.94
    assert row.target_text_fr == "+2 % par rapport à la mesure de départ (2023-2024)"
    assert (row.baseline_year, row.baseline_value) == ("2023-2024", 2697.0)
    assert row.threshold == pytest.approx(2750.94)
    # 1.1.1 is the plan's first indicator; 2024-2025 ended on 2026-11-01, not closed
    assert (row.sort_order, row.fiscal_year_sort_key, row.fiscal_year_state) == (0, 2024, "ended")


def test_no_path_of_the_machine_in_any_text_cell(ophq_run):
    """After a run (tests/plan_runs.py), every text column of every table: no run folder, no
    repository or home path. `dim_plan.catalog_file` is the file's name in the plans folder."""
    engine = wh.engine_for(f"sqlite:///{ophq_run / 'w.sqlite'}")
    forbidden = {str(ophq_run), str(Path.home()), "/work", "/tmp", os.getcwd()}
    forbidden.discard("/")
    found = []
    for table in wh.metadata.tables.values():
        texts = [c.name for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
        for row in wh.table_rows(engine, table.name):
            for col in texts:
                value = row[col]
                found += [f"{table.name}.{col}: {value!r}" for p in forbidden
                          if isinstance(value, str) and p in value]  # fmt: skip
    assert not found, "\n".join(found)
    plans = {r["plan_id"]: r for r in wh.table_rows(engine, "dim_plan")}
    assert plans[OPHQ]["catalog_file"] == "ophq-2024-2028.yaml"
    assert wh.table_rows(engine, "dim_fiscal_year"), "the run writes dim_fiscal_year"
