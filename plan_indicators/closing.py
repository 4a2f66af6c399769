"""Closing a plan's fiscal year: the recorded act that makes its results final (docs/contracts.md
§6.1).

A year is closed while its latest `fiscal_year_closing` row has no `reopened_at`. The closing run
(the `yearly_closing_<plan>` schedule, `plan-indicators close`, `run --final`, the demo) computes
the year's results as final and records the closing in the same step; later runs leave a closed
year's results and evaluations as they are, until `plan-indicators reopen` reopens it (the
closing row keeps when and why, so the history stays). `dim_fiscal_year` carries each year's state
at the as-of date, from the one rule of `plan_indicators.fiscal.year_state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from plan_indicators import warehouse as wh
from plan_indicators.fiscal import FiscalYear, year_state

CLI = "plan-indicators"


def active_closings(conn_or_engine, plan_id: str | None = None) -> dict[tuple[str, str], dict]:
    """The closings in force, by (plan, fiscal year): the latest of each, not reopened."""
    t = wh.fiscal_year_closing
    stmt = sa.select(t).order_by(t.c.closing)
    if plan_id is not None:
        stmt = stmt.where(t.c.plan_id == plan_id)
    latest: dict[tuple[str, str], dict] = {}
    with _connection(conn_or_engine) as conn:
        for r in conn.execute(stmt):
            latest[(r.plan_id, r.fiscal_year)] = dict(r._mapping)
    return {k: r for k, r in latest.items() if r["reopened_at"] is None}


def closed_years(conn_or_engine, plan_id: str) -> dict[str, dict]:
    """A plan's closed fiscal years and their closing rows."""
    return {fy: r for (_, fy), r in active_closings(conn_or_engine, plan_id).items()}


def record_closing(
    conn, plan_id: str, fiscal_year: str, *, run_id: str, closed_by: str, as_of: dt.date,
    results_closed: int,
) -> dict:  # fmt: skip
    """Write the closing row of a year inside the caller's transaction (the one that made its
    results final) and refresh its `dim_fiscal_year` state."""
    t = wh.fiscal_year_closing
    last = conn.execute(
        sa.select(sa.func.max(t.c.closing)).where(
            t.c.plan_id == plan_id, t.c.fiscal_year == fiscal_year
        )
    ).scalar()
    row = {
        "plan_id": plan_id,
        "fiscal_year": fiscal_year,
        "closing": (last or 0) + 1,
        "closed_at": wh.utcnow(),
        "run_id": run_id,
        "closed_by": closed_by,
        "as_of": as_of,
        "results_closed": results_closed,
        "reopened_at": None,
        "reopened_reason": None,
    }
    conn.execute(t.insert(), [row])
    refresh_fiscal_years(conn, [fiscal_year])
    return row


def reopen(engine: Engine, plan_id: str, fiscal_year: str, reason: str | None = None) -> dict:
    """Reopen a closed year: its closing row gets `reopened_at`, its results become provisional
    again (`is_final` false, the final value kept in history), and the next run recomputes it.
    Raises ValueError when the year is not closed."""
    with engine.begin() as conn:
        closing = closed_years(conn, plan_id).get(fiscal_year)
        if closing is None:
            raise ValueError(f"{plan_id} {fiscal_year} is not closed: nothing to reopen")
        t = wh.fiscal_year_closing
        now = wh.utcnow()
        conn.execute(
            t.update()
            .where(
                t.c.plan_id == plan_id,
                t.c.fiscal_year == fiscal_year,
                t.c.closing == closing["closing"],
            )
            .values(reopened_at=now, reopened_reason=reason)
        )
        r = wh.indicator_result
        finals = conn.execute(
            sa.select(r).where(r.c.plan_id == plan_id, r.c.fiscal_year == fiscal_year, r.c.is_final)
        ).all()
        for old in finals:
            key = {"plan_id": plan_id, "indicator_id": old.indicator_id, "fiscal_year": fiscal_year}
            wh.keep_in_history(conn, key, old._mapping)
            conn.execute(
                r.update().where(*[r.c[k] == v for k, v in key.items()]).values(is_final=False)
            )
        refresh_fiscal_years(conn, [fiscal_year])
    return {**closing, "reopened_at": now, "reopened_reason": reason, "results": len(finals)}


def fiscal_year_row(fy: str, as_of: dt.date, closed: bool) -> dict[str, Any]:
    year = FiscalYear.parse(fy)
    return {
        "fiscal_year": year.key,
        "start_date": year.start,
        "end_date": year.end,
        "sort_key": year.start_year,
        "state": year_state(year, as_of, closed=closed),
        "as_of": as_of,
        "updated_at": wh.utcnow(),
    }


def write_fiscal_years(conn, years: Iterable[str], as_of: dt.date) -> int:
    """Write (or rewrite) `dim_fiscal_year` for `years` at `as_of`, inside the caller's
    transaction; returns the rows written."""
    years = sorted(set(years))
    closed = _closed_for_every_plan(conn, years)
    t = wh.dim_fiscal_year
    for fy in years:
        row = fiscal_year_row(fy, as_of, fy in closed)
        conn.execute(t.delete().where(t.c.fiscal_year == fy))
        conn.execute(t.insert(), [row])
    return len(years)


def refresh_fiscal_years(conn, years: Iterable[str]) -> None:
    """Recompute the state of years already in `dim_fiscal_year`, at the as-of date they hold
    (after a closing or a reopening)."""
    t = wh.dim_fiscal_year
    rows = conn.execute(sa.select(t.c.fiscal_year, t.c.as_of).where(t.c.fiscal_year.in_(years)))
    by_as_of: dict[dt.date, list[str]] = {}
    for fy, as_of in rows:
        by_as_of.setdefault(as_of, []).append(fy)
    for as_of, fys in by_as_of.items():
        write_fiscal_years(conn, fys, as_of)


def _closed_for_every_plan(conn, years: list[str]) -> set[str]:
    """Years closed by every plan whose years include them (a baseline year, in no plan's
    range, by the plans that closed it), and by one plan at least."""
    closings = active_closings(conn)
    plans = conn.execute(
        sa.select(wh.dim_plan.c.plan_id, wh.dim_plan.c.first_fiscal_year,
                  wh.dim_plan.c.last_fiscal_year)
    ).all()  # fmt: skip
    out = set()
    for fy in years:
        by = {p for (p, year) in closings if year == fy}
        having = {p for p, first, last in plans if first <= fy <= last}
        if by and having <= by:
            out.add(fy)
    return out


class _connection:
    """A connection from an engine (closed afterwards), or the caller's connection as is."""

    def __init__(self, conn_or_engine):
        self.given = conn_or_engine
        self.opened = None

    def __enter__(self):
        if isinstance(self.given, Engine):
            self.opened = self.given.connect()
            return self.opened
        return self.given

    def __exit__(self, *exc):
        if self.opened is not None:
            self.opened.close()
