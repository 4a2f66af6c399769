"""Minimal catalog rows for tests that write results or evaluations straight into a warehouse:
the foreign keys (docs/contracts.md §6) refuse a row whose plan and indicator are not there."""

from __future__ import annotations

from plan_indicators import warehouse as wh


def add_indicators(engine, plan_id: str, indicator_ids) -> None:
    """A plan 2024-2028 in `dim_plan` and the given indicators in `dim_indicator`."""
    plan = {"plan_id": plan_id, "organisation": "Org", "title": "Plan",
            "first_fiscal_year": "2024-2025", "last_fiscal_year": "2027-2028"}  # fmt: skip
    indicators = [
        {"plan_id": plan_id, "indicator_id": i, "text_fr": f"Indicateur {i}", "unit": "count",
         "direction": "higher_is_better", "measure": "register_count"}
        for i in indicator_ids
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(wh.dim_plan.insert(), [plan])
        conn.execute(wh.dim_indicator.insert(), indicators)
