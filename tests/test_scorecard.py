"""The organisation's scorecard (docs/contracts.md §3.3): one rule for BI and the report."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from test_report import FY1, GENERATED, PLAN, build_warehouse
from warehouse_rows import add_indicators

from plan_indicators import warehouse as wh
from plan_indicators.report import load_view, renderers
from plan_indicators.scorecard import tally

STATUSES = ["met", "met", "not_met", "met_late", "no_data", "baseline", "not_applicable",
            "in_progress", "not_started", None]  # fmt: skip


def test_tally_follows_the_rule():
    t = tally(STATUSES)
    # met 2; evaluated met + met + not_met + met_late = 4; 100 * 2 / 4 = 50
    assert (t.targets_met, t.targets_evaluated, t.share_met) == (2, 4, 50.0)
    assert (t.targets_no_data, t.targets_pending, t.targets_excluded) == (1, 2, 2)
    assert tally(["baseline", "no_data"]).share_met is None


def test_the_bi_view_counts_as_the_rule(tmp_path):
    engine = wh.engine_for(f"sqlite:///{tmp_path / 'w.db'}")
    wh.create_schema(engine)
    rows = [
        {"plan_id": "p", "indicator_id": str(i), "fiscal_year": "2024-2025", "status": s,
         "status_fr": s}
        for i, s in enumerate(STATUSES[:-1])
    ] + [{"plan_id": "p", "indicator_id": "x", "fiscal_year": "2025-2026", "status": "baseline",
          "status_fr": "b"}]  # fmt: skip
    add_indicators(engine, "p", sorted({r["indicator_id"] for r in rows}))
    wh.replace_rows(engine, wh.indicator_evaluation, {}, rows)
    with engine.connect() as conn:
        got = {
            r.fiscal_year: r
            for r in conn.execute(sa.text("SELECT * FROM v_plan_scorecard WHERE plan_id = 'p'"))
        }
    first = got["2024-2025"]
    assert (first.targets_met, first.targets_evaluated, first.share_met) == (2, 4, 50.0)
    assert (first.targets_no_data, first.targets_pending, first.targets_excluded) == (1, 2, 2)
    assert got["2025-2026"].share_met is None  # nothing evaluated: no share, not 0


def test_the_report_prints_the_reporting_years_share(tmp_path):
    engine = build_warehouse(tmp_path)
    view = load_view(engine, plan_ids=[PLAN], generated_at=GENERATED, fiscal_year=FY1,
                     as_of=dt.date(2026, 5, 1))  # fmt: skip
    (plan,) = view.plans
    # 2024-2025: 1.1.1 met, 1.2.1 no_data, 2.1.1 not_applicable: 1 met of 1 evaluated
    assert (plan.scorecard.targets_met, plan.scorecard.targets_evaluated) == (1, 1)
    html = renderers()["html"].render(view).decode()
    assert (
        "Cibles atteintes en 2024-2025 : 1 sur 1 évaluées (100,0\u00a0%) — hors calcul : "
        "1 sans donnée ; 1 mesure de départ ou sans objet"
    ) in html


def test_no_share_while_the_reporting_year_runs(tmp_path):
    engine = build_warehouse(tmp_path)
    view = load_view(engine, plan_ids=[PLAN], generated_at=GENERATED, fiscal_year=FY1,
                     as_of=dt.date(2024, 6, 1))  # fmt: skip
    # 2024-2025 still runs on 2024-06-01: its statuses are not results yet
    assert view.plans[0].scorecard is None
    assert "Cibles atteintes" not in renderers()["html"].render(view).decode()
