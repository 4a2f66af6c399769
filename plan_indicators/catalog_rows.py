"""The catalog as warehouse rows: dim_plan, dim_indicator and indicator_target (thresholds
resolved from the results already published). What the catalog step writes, and what a run
without Dagster writes too (`bench/end_to_end.py`), through `write_catalog`."""

import json
from pathlib import Path

import sqlalchemy as sa

from plan_indicators import warehouse as wh
from plan_indicators.catalog import Plan
from plan_indicators.closing import closed_years


def plan_row(plan: Plan) -> dict:
    years = plan.plan.fiscal_years
    return {
        "plan_id": plan.id,
        "organisation": plan.plan.organisation,
        "title": plan.plan.title,
        "first_fiscal_year": min(years),
        "last_fiscal_year": max(years),
        "source": plan.plan.source,
        # Relative to the plans folder: the warehouse keeps no path of the machine.
        "catalog_file": Path(plan.path).name if plan.path else None,
    }


def indicator_rows(plan: Plan) -> list[dict]:
    return [
        {
            "plan_id": plan.id,
            "indicator_id": ind.id,
            "enjeu": ind.enjeu,
            "orientation": ind.orientation,
            "objective": ind.objective,
            "text_fr": ind.text_fr,
            "unit": ind.unit,
            "scale_min": ind.scale.min if ind.scale else None,
            "scale_max": ind.scale.max if ind.scale else None,
            "direction": ind.direction,
            "measure": ind.measure.name,
            "measure_params": json.dumps(ind.measure.params, ensure_ascii=False),
            "assumptions": json.dumps(ind.assumptions, ensure_ascii=False),
            "note_fr": ind.note_fr,
            "sort_order": i,
            "removed_at": None,
        }
        for i, ind in enumerate(plan.indicators)
    ]


def target_row(
    plan: Plan, indicator, fy: str, target, threshold: float | None, baseline: float | None = None
) -> dict:
    params = target.model_dump(exclude={"kind", "text_fr", "note"}, exclude_none=True)
    effective = getattr(target, "effective_baseline", None)
    return {
        "plan_id": plan.id,
        "indicator_id": indicator.id,
        "fiscal_year": fy,
        "kind": target.kind,
        "text_fr": target.text_fr,
        "value": target.target_number(),
        "baseline_year": getattr(target, "baseline_year", None),
        "baseline_value": effective(baseline) if effective else None,
        "threshold": threshold,
        "due": target.due_date(),
        "params": json.dumps(params, ensure_ascii=False),
    }


def known_results(engine, plan_id: str, indicator_id: str) -> dict[str, float | None]:
    rows = wh.read_rows(engine, wh.indicator_result, plan_id=plan_id, indicator_id=indicator_id)
    return {r["fiscal_year"]: r["value"] for r in rows}


def target_rows(plan: Plan, engine) -> list[dict]:
    """Targets with thresholds resolved from the results already published, where they exist."""
    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.targets import resolve_threshold

    rows = []
    for ind in plan.indicators:
        results = known_results(engine, plan.id, ind.id)
        for fy, target in sorted(ind.targets.items()):
            baseline = results.get(getattr(target, "baseline_year", None) or "")
            previous = results.get(FiscalYear.parse(fy).previous.key)
            threshold = resolve_threshold(target, baseline=baseline, previous=previous)
            rows.append(target_row(plan, ind, fy, target, threshold, baseline))
    return rows


def upsert(conn, table: sa.Table, key: tuple[str, ...], rows: list[dict]) -> None:
    """Update the rows that exist, insert the others: a dimension row is never deleted, since
    the rows of other tables refer to it (foreign keys, docs/contracts.md §6)."""
    for row in rows:
        where = [table.c[k] == row[k] for k in key]
        if conn.execute(table.update().where(*where).values(**row)).rowcount == 0:
            conn.execute(table.insert(), [row])


def mark_removed(conn, plan: Plan, current: set[str]) -> list[str]:
    """Indicators of `dim_indicator` that left the plan's catalog get `removed_at` (once); their
    results, evaluations and history stay, out of the report."""
    t = wh.dim_indicator
    gone = [
        i
        for i in conn.execute(
            sa.select(t.c.indicator_id).where(t.c.plan_id == plan.id, t.c.removed_at.is_(None))
        ).scalars()
        if i not in current
    ]
    if gone:
        conn.execute(
            t.update()
            .where(t.c.plan_id == plan.id, t.c.indicator_id.in_(gone))
            .values(removed_at=wh.utcnow())
        )
    return gone


def write_catalog(conn, plan: Plan, engine) -> dict[str, list | int]:
    """A plan's catalog rows, inside the caller's transaction: dimension rows updated in place
    (`removed` lists the indicators that left the catalog, rows kept), targets rewritten except
    those of closed years (docs/contracts.md §6.1), which keep what they were evaluated against."""
    inds, targets = indicator_rows(plan), target_rows(plan, engine)
    upsert(conn, wh.dim_plan, ("plan_id",), [plan_row(plan)])
    upsert(conn, wh.dim_indicator, ("plan_id", "indicator_id"), inds)
    removed = mark_removed(conn, plan, {r["indicator_id"] for r in inds})
    closed = set(closed_years(conn, plan.id))
    t = wh.indicator_target
    conn.execute(t.delete().where(t.c.plan_id == plan.id, t.c.fiscal_year.not_in(closed)))
    open_targets = [r for r in targets if r["fiscal_year"] not in closed]
    if open_targets:
        conn.execute(t.insert(), open_targets)
    return {"removed": removed, "dim_indicator": len(inds), "indicator_target": len(targets)}


def ensure_catalog(engine, plan: Plan) -> bool:
    """Write the plan's catalog rows when the warehouse lacks one of its indicators, so that a
    step materialised on its own (Dagster's CLI, the UI, a bench) can publish rows that refer
    to them (foreign keys, docs/contracts.md §6); True when it wrote them."""
    t = wh.dim_indicator
    with engine.begin() as conn:
        present = set(
            conn.execute(
                sa.select(t.c.indicator_id).where(t.c.plan_id == plan.id, t.c.removed_at.is_(None))
            ).scalars()
        )
        if {ind.id for ind in plan.indicators} <= present:
            return False
        write_catalog(conn, plan, engine)
    return True
