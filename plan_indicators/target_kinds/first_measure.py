"""`first_measure`: status `baseline` once the year is over with a value ("Première mesure")."""

from __future__ import annotations

import re
from typing import Literal

from plan_indicators import statuses as st
from plan_indicators.drafting.reading import Reading, numbers
from plan_indicators.target_kinds import (
    NOTE_NO_DATA,
    Evaluation,
    Observed,
    Situation,
    TargetKind,
    target_kind,
    verdict,
)

FIRST_MEASURE = re.compile(r"premiere mesure|mesure de depart|mesure initiale|etablir la mesure")


def read_first_measure(folded: str, r: Reading) -> bool:
    if numbers(folded) or not FIRST_MEASURE.search(folded):
        return False
    r.kind = "first_measure"
    return True


@target_kind
class FirstMeasure(TargetKind):
    kind: Literal["first_measure"]

    units = None
    draft_rules = ((21, read_first_measure),)
    draft_measures_baseline = True

    def assess(self, observed: Observed, s: Situation) -> Evaluation:
        if not s.fiscal_year.is_over(s.as_of):
            return verdict(st.IN_PROGRESS)
        if observed.value is None:
            return verdict(st.NO_DATA, note=NOTE_NO_DATA)
        return verdict(st.BASELINE)

    def display(self, threshold, *, unit, direction, seasons=None) -> str:
        return "Mesure de départ"

    @classmethod
    def draft_years(cls, r, cell_year, years, notes) -> list[str]:
        return [cell_year] if cell_year else [years[0]]
