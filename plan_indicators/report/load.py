"""Reading the published warehouse tables that the report and the exports are built from.

Only this module knows the tables; the view model is built from the plain rows it returns, so
every output format reads the warehouse the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from plan_indicators.closing import active_closings
from plan_indicators.warehouse import (
    dim_indicator,
    dim_plan,
    indicator_evaluation,
    indicator_projection,
    indicator_result,
    indicator_result_region,
    indicator_target,
    source_coverage,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class WarehouseRows:
    """The rows of the selected plans, one list per table, as the warehouse holds them."""

    plans: list[Row]
    indicators: list[Row]
    targets: list[Row]
    results: list[Row]
    evaluations: list[Row]
    coverage: list[Row] = field(default_factory=list)
    """`source_coverage`: the gaps of each source and year, whatever the plan."""
    projections: list[Row] = field(default_factory=list)
    """`indicator_projection`: year-end projections of the running year, per as-of date."""
    regions: list[Row] = field(default_factory=list)
    """`indicator_result_region`: shares per administrative region, small cells suppressed."""
    closed: frozenset[tuple[str, str]] = frozenset()
    """(plan, fiscal year) closed by the yearly closing (`fiscal_year_closing`, not reopened)."""


def read_warehouse(engine: Engine, plan_ids: Sequence[str] | None = None) -> WarehouseRows:
    """Read the tables of the selected plans (every plan when `plan_ids` is None).

    A plan asked for by name that the warehouse does not hold is an error, not an empty report.
    """
    with engine.connect() as conn:

        def rows(table: sa.Table) -> list[Row]:
            stmt = sa.select(table)
            if plan_ids is not None:
                stmt = stmt.where(table.c.plan_id.in_(list(plan_ids)))
            return [dict(r._mapping) for r in conn.execute(stmt)]

        loaded = WarehouseRows(
            plans=rows(dim_plan),
            # An indicator that left its catalog keeps its rows, out of the report.
            indicators=[r for r in rows(dim_indicator) if r.get("removed_at") is None],
            targets=rows(indicator_target),
            results=rows(indicator_result),
            evaluations=rows(indicator_evaluation),
            coverage=[dict(r._mapping) for r in conn.execute(sa.select(source_coverage))],
            regions=rows(indicator_result_region),
            projections=rows(indicator_projection),
            closed=frozenset(
                k for k in active_closings(conn) if plan_ids is None or k[0] in plan_ids
            ),
        )
    if plan_ids is not None:
        missing = sorted(set(plan_ids) - {p["plan_id"] for p in loaded.plans})
        if missing:
            raise ValueError(f"no plan {missing} in the warehouse (dim_plan)")
    return loaded
