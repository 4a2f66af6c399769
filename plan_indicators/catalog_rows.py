"""The catalog as warehouse rows: dim_plan, dim_indicator and indicator_target (thresholds
resolved from the results already published). What the catalog step writes, and what a run
without Dagster writes too (`bench/end_to_end.py`)."""

import json

from plan_indicators import warehouse as wh
from plan_indicators.catalog import Plan


def plan_row(plan: Plan) -> dict:
    years = plan.plan.fiscal_years
    return {
        "plan_id": plan.id,
        "organisation": plan.plan.organisation,
        "title": plan.plan.title,
        "first_fiscal_year": min(years),
        "last_fiscal_year": max(years),
        "source": plan.plan.source,
        "catalog_file": plan.path,
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
        }
        for i, ind in enumerate(plan.indicators)
    ]


def target_row(plan: Plan, indicator, fy: str, target, threshold: float | None) -> dict:
    params = target.model_dump(exclude={"kind", "text_fr", "note"}, exclude_none=True)
    return {
        "plan_id": plan.id,
        "indicator_id": indicator.id,
        "fiscal_year": fy,
        "kind": target.kind,
        "text_fr": target.text_fr,
        "value": target.target_number(),
        "baseline_year": getattr(target, "baseline_year", None),
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
            rows.append(target_row(plan, ind, fy, target, threshold))
    return rows
