"""`not_applicable`: status `not_applicable` ("S. O."), whatever the result."""

from __future__ import annotations

import re
from typing import Literal

from plan_indicators import statuses as st
from plan_indicators.drafting.reading import Reading
from plan_indicators.target_kinds import (
    Evaluation,
    Observed,
    Situation,
    TargetKind,
    target_kind,
    verdict,
)

NOT_APPLICABLE = re.compile(r"s\.? ?o\.?|sans objet|n\.? ?a\.?|ne s'applique pas|non applicable")


def read_not_applicable(folded: str, r: Reading) -> bool:
    if NOT_APPLICABLE.fullmatch(folded):
        r.kind = "not_applicable"
        return True
    return False


@target_kind
class NotApplicable(TargetKind):
    kind: Literal["not_applicable"]

    units = None
    draft_rules = ((10, read_not_applicable),)

    def evaluate(self, observed: Observed, s: Situation) -> Evaluation:
        """Not applicable, begun or not."""
        return verdict(st.NOT_APPLICABLE)

    def display(self, threshold, *, unit, direction, seasons=None) -> str:
        return "Sans objet"

    def sample_count(self, rng, baseline: int) -> int | None:
        return 0
