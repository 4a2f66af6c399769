"""The organisation's scorecard: the share of a plan's targets met in a fiscal year
(docs/contracts.md §3.3), as the Québec government's *Tableau de bord de la performance* grades
each organisation.

One rule, written once here, read by both the BI view `v_plan_scorecard` (SQL generated from
it) and the report's line above each plan's table (`tally` over the statuses the report shows):

- met: `met`; evaluated: `met`, `met_late` (reached after its due date is not met on time) and
  `not_met`; the share is met / evaluated;
- left out of the share and counted beside it: `no_data` (a missing result is neither met nor
  missed, and is shown so that it cannot flatter the share), `in_progress` and `not_started`
  (not over yet), `baseline` and `not_applicable` (no target to meet).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plan_indicators import statuses as st

MET = (st.MET,)
EVALUATED = (st.MET, st.MET_LATE, st.NOT_MET)
NO_DATA = (st.NO_DATA,)
PENDING = (st.IN_PROGRESS, st.NOT_STARTED)
EXCLUDED = (st.BASELINE, st.NOT_APPLICABLE)
COUNTS = {
    "targets_met": MET,
    "targets_evaluated": EVALUATED,
    "targets_no_data": NO_DATA,
    "targets_pending": PENDING,
    "targets_excluded": EXCLUDED,
}


@dataclass(frozen=True)
class Tally:
    targets_met: int
    targets_evaluated: int
    targets_no_data: int
    targets_pending: int
    targets_excluded: int

    @property
    def share_met(self) -> float | None:
        """Percent of evaluated targets met; None when none was evaluated."""
        if not self.targets_evaluated:
            return None
        return 100.0 * self.targets_met / self.targets_evaluated


def tally(statuses: Iterable[str | None]) -> Tally:
    """Count a plan-year's evaluation statuses by the rule (a missing status counts nowhere)."""
    seen = [s for s in statuses if s]
    return Tally(**{name: sum(s in group for s in seen) for name, group in COUNTS.items()})


def scorecard_sql() -> str:
    """`v_plan_scorecard`: the tally per plan and fiscal year over `indicator_evaluation`."""

    def count(group: tuple[str, ...]) -> str:
        values = ", ".join(f"'{s}'" for s in group)
        return f"SUM(CASE WHEN e.status IN ({values}) THEN 1 ELSE 0 END)"

    counts = ",\n       ".join(f"{count(g)} AS {name}" for name, g in COUNTS.items())
    return f"""
CREATE VIEW v_plan_scorecard AS
SELECT e.plan_id, e.fiscal_year,
       {counts},
       100.0 * {count(MET)} / NULLIF({count(EVALUATED)}, 0) AS share_met
FROM indicator_evaluation e
GROUP BY e.plan_id, e.fiscal_year
"""
