"""`at_most`: result ≤ `value` ("≤ 15 jours ouvrables")."""

from __future__ import annotations

from typing import Literal

from plan_indicators.target_kinds import target_kind
from plan_indicators.target_kinds._numeric import FixedThreshold, read_threshold


@target_kind
class AtMost(FixedThreshold):
    kind: Literal["at_most"]

    direction = "lower_is_better"
    opposite = "at_least"
    draft_rules = ((90, read_threshold),)
    draft_plain = True

    def at_most(self, direction: str) -> bool:
        return True
