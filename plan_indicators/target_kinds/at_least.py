"""`at_least`: result ≥ `value` ("≥ 50 %"; "45 %" with no sign is read so)."""

from __future__ import annotations

from typing import Literal

from plan_indicators.target_kinds import target_kind
from plan_indicators.target_kinds._numeric import FixedThreshold, read_threshold


@target_kind
class AtLeast(FixedThreshold):
    kind: Literal["at_least"]

    direction = "higher_is_better"
    opposite = "at_most"
    draft_rules = ((90, read_threshold),)
    draft_plain = True
    draft_says_higher = True

    def at_most(self, direction: str) -> bool:
        return False
