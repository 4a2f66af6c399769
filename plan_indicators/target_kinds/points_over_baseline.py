"""`points_over_baseline`: result ≥ baseline + `points` (percentage points)."""

from __future__ import annotations

from typing import Literal

from plan_indicators.target_kinds import target_kind
from plan_indicators.target_kinds._baseline import BaselineKind, read_over_baseline


@target_kind
class PointsOverBaseline(BaselineKind):
    kind: Literal["points_over_baseline"]
    points: float

    units = ("percent",)
    unit_hint = "percentage points; over a score or a count use delta_over_baseline"
    draft_rules = ((60, read_over_baseline),)

    def over(self, baseline: float) -> float | None:
        return baseline + self.points

    def target_number(self) -> float | None:
        return self.points
