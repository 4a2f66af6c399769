"""`delta_over_baseline`: result ≥ baseline + `delta` (scores, counts: "+0,1 par rapport à …")."""

from __future__ import annotations

from typing import Literal

from plan_indicators.target_kinds import target_kind
from plan_indicators.target_kinds._baseline import BaselineKind, read_over_baseline


@target_kind
class DeltaOverBaseline(BaselineKind):
    kind: Literal["delta_over_baseline"]
    delta: float

    draft_rules = ((60, read_over_baseline),)

    def over(self, baseline: float) -> float | None:
        return baseline + self.delta

    def target_number(self) -> float | None:
        return self.delta
