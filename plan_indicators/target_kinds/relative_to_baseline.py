"""`relative_to_baseline`: result ≥ baseline × (1 + `percent`/100) ("+2 % par rapport à la mesure
de départ (2023-2024)"); a zero baseline gives no threshold."""

from __future__ import annotations

from typing import Literal

from plan_indicators.target_kinds import target_kind
from plan_indicators.target_kinds._baseline import BaselineKind, read_over_baseline


@target_kind
class RelativeToBaseline(BaselineKind):
    kind: Literal["relative_to_baseline"]
    percent: float

    draft_rules = ((60, read_over_baseline),)

    def over(self, baseline: float) -> float | None:
        return None if baseline == 0 else baseline * (1 + self.percent / 100)

    def target_number(self) -> float | None:
        return self.percent

    def sample_count(self, rng, baseline: int) -> int | None:
        return int(round(baseline * (1 + self.percent / 100) + rng.normal(1.5, 2.5)))
