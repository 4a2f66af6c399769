"""Closing a fiscal year (docs/contracts.md §6.1), through the real commands and Dagster runs.

The small landing zone of tests/test_failure_isolation.py (requests and offers), as of
2026-11-01. `close` makes OPHQ 2024-2025 final; new requests then land in 2024-2025 and
2025-2026; a rerun leaves every 2024-2025 row byte-identical and updates 2025-2026; `reopen`
then a rerun updates 2024-2025 too.

3.1.1 (share of requests by web_form, email or chat), by hand:
- 2024-2025: R1 web_form, R2 email, R3 phone, R4 chat -> 3 / 4 = 75 %; with R7 (web_form,
  2024-08-01) it would be 4 / 5 = 80 %;
- 2025-2026: R5 web_form, R6 phone -> 1 / 2 = 50 %; with R8 (web_form, 2025-07-01) 2 / 3.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from plan_runs import make_home
from test_failure_isolation import OFFERS, REQUESTS

from orchestration.cli import main
from plan_indicators import warehouse as wh

pytestmark = pytest.mark.slow

PLAN, CLOSED, OPEN = "ophq-2024-2028", "2024-2025", "2025-2026"
AS_OF = "2026-11-01"
ROWS = ("indicator_result", "indicator_evaluation", "indicator_target", "indicator_result_region",
        "indicator_result_history")  # fmt: skip
MORE = "R7,2024-08-01,web_form,P6,06\nR8,2025-07-01,web_form,P7,06\n"


def _common(root: Path) -> list[str]:
    return [
        "--landing", str(root / "landing"), "--warehouse", f"sqlite:///{root / 'w.sqlite'}",
        "--staging", str(root / "staging"), "--as-of", AS_OF, "--report", str(root / "r.html"),
    ]  # fmt: skip


def _cli(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(argv)
    return code, out.getvalue()


def _year_rows(root: Path, fy: str) -> dict[str, list[tuple]]:
    """Every row of the year in each table, as SQLite stores it (raw values, every column)."""
    with sqlite3.connect(root / "w.sqlite") as conn:
        return {
            t: sorted(
                conn.execute(
                    f"SELECT * FROM {t} WHERE plan_id = ? AND fiscal_year = ?", (PLAN, fy)
                ).fetchall()
            )  # fmt: skip
            for t in ROWS
        }


def _result(root: Path, fy: str, indicator: str = "3.1.1") -> dict:
    engine = wh.engine_for(f"sqlite:///{root / 'w.sqlite'}")
    [row] = wh.read_rows(engine, wh.indicator_result, plan_id=PLAN, indicator_id=indicator,
                         fiscal_year=fy)  # fmt: skip
    return row


def test_close_keep_reopen_recompute(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "closing-key-not-secret")
    monkeypatch.setenv("DAGSTER_HOME", str(make_home(tmp_path)))
    for source, text in (("service_requests", REQUESTS), ("service_offers", OFFERS)):
        (tmp_path / "landing" / source).mkdir(parents=True)
        (tmp_path / "landing" / source / f"{source}.csv").write_text(text, "utf-8")
    engine = wh.engine_for(f"sqlite:///{tmp_path / 'w.sqlite'}")

    code, out = _cli(["close", "--plan", PLAN, "--fiscal-year", "2026-2027", *_common(tmp_path)])
    assert code == 2 and "not over at 2026-11-01" in out  # the running year cannot close

    code, out = _cli(["close", "--plan", PLAN, "--fiscal-year", CLOSED, *_common(tmp_path)])
    assert code == 0, out
    assert f"CLOSED {PLAN} {CLOSED}" in out
    [closing] = wh.table_rows(engine, "fiscal_year_closing")
    assert (closing["plan_id"], closing["fiscal_year"], closing["closing"]) == (PLAN, CLOSED, 1)
    assert closing["results_closed"] == 14 and closing["reopened_at"] is None
    assert closing["closed_by"] == "plan-indicators"
    # the closing run keeps the run's as-of date and report path (not today's, not var/)
    assert closing["as_of"] == dt.date(2026, 11, 1)
    assert {r["as_of"] for r in wh.table_rows(engine, "dim_fiscal_year")} == {dt.date(2026, 11, 1)}
    assert (tmp_path / "r.html").exists()
    finals = {(r["fiscal_year"], r["is_final"]) for r in wh.table_rows(engine, "indicator_result")}
    # only 2024-2025 is final, for all 14 indicators
    assert {fy for fy, final in finals if final} == {CLOSED}
    assert all(_result(tmp_path, CLOSED, i)["is_final"]
               for i in ("1.1.1", "3.1.1", "6.1.1"))  # fmt: skip
    assert _result(tmp_path, CLOSED)["value"] == 75.0
    assert [r["state"] for r in wh.read_rows(engine, wh.dim_fiscal_year, fiscal_year=CLOSED)] == [
        "closed"
    ]
    code, out = _cli(["close", "--plan", PLAN, "--fiscal-year", CLOSED, *_common(tmp_path)])
    assert code == 0 and "already closed" in out

    closed_before, open_before = _year_rows(tmp_path, CLOSED), _year_rows(tmp_path, OPEN)
    with (tmp_path / "landing" / "service_requests" / "service_requests.csv").open("a") as f:
        f.write(MORE)
    code, out = _cli(["run", "--plan", PLAN, *_common(tmp_path)])
    assert code == 0, out
    assert f"KEPT {PLAN} {CLOSED}: closed on" in out
    assert _year_rows(tmp_path, CLOSED) == closed_before  # byte-identical, R7 not counted
    assert _year_rows(tmp_path, OPEN) != open_before
    assert _result(tmp_path, OPEN)["value"] == pytest.approx(200 / 3)  # 2 / 3 with R8
    assert _result(tmp_path, CLOSED)["value"] == 75.0

    warehouse = ["--warehouse", f"sqlite:///{tmp_path / 'w.sqlite'}"]
    code, out = _cli(["reopen", "--plan", PLAN, "--fiscal-year", CLOSED, *warehouse,
                      "--reason", "R7 saisie en retard"])  # fmt: skip
    assert code == 0, out
    [closing] = wh.table_rows(engine, "fiscal_year_closing")
    assert closing["reopened_at"] is not None and closing["reopened_reason"] == (
        "R7 saisie en retard"
    )
    assert not _result(tmp_path, CLOSED)["is_final"]
    history = wh.read_rows(engine, wh.indicator_result_history, plan_id=PLAN,
                           indicator_id="3.1.1", fiscal_year=CLOSED)  # fmt: skip
    assert [(h["value"], h["is_final"]) for h in history] == [(75.0, True)]
    code, out = _cli(["reopen", "--plan", PLAN, "--fiscal-year", CLOSED, "--warehouse",
                      f"sqlite:///{tmp_path / 'w.sqlite'}"])  # fmt: skip
    assert code == 2 and "not closed" in out

    code, out = _cli(["run", "--plan", PLAN, *_common(tmp_path)])
    assert code == 0, out
    assert "KEPT" not in out
    assert _result(tmp_path, CLOSED)["value"] == 80.0  # 4 / 5 with R7, recomputed
    assert not _result(tmp_path, CLOSED)["is_final"]
    report = (tmp_path / "r.html").read_text("utf-8")
    assert "résultat provisoire" in report
