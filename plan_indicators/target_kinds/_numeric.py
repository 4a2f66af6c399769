"""What the kinds compared with a number share: a threshold, a sense, met or not once the year
is over (docs/contracts.md §2.5)."""

from __future__ import annotations

import re

from plan_indicators import statuses as st
from plan_indicators.drafting.reading import Reading, single_number, value
from plan_indicators.drafting.text import plain
from plan_indicators.target_kinds import (
    NOTE_NO_DATA,
    Evaluation,
    Observed,
    Situation,
    TargetKind,
    verdict,
)


class NumericKind(TargetKind):
    """In progress while the year runs; then no_data without a value or a threshold, else met
    when the value is on the right side of the threshold. `gap` ≥ 0 is good."""

    def missing_threshold_note(self, s: Situation) -> str:
        """Why the threshold is unknown once the year is over."""
        return NOTE_NO_DATA

    def compared(self, observed: Observed, s: Situation) -> float | None:
        """The value compared with the threshold: the year's own result."""
        return observed.value

    def assess(self, observed: Observed, s: Situation) -> Evaluation:
        threshold = self.threshold(baseline=s.baseline, previous=s.previous)
        at_most = self.at_most(s.direction)
        value = self.compared(observed, s)
        gap = None
        if value is not None and threshold is not None:
            gap = threshold - value if at_most else value - threshold
        if not s.fiscal_year.is_over(s.as_of):
            return self.verdict(st.IN_PROGRESS, threshold, gap, value=value)
        if value is None:
            return self.verdict(st.NO_DATA, threshold, note=self.no_value_note(observed, s))
        if threshold is None:
            return self.verdict(st.NO_DATA, note=self.missing_threshold_note(s))
        met = value <= threshold if at_most else value >= threshold
        return self.verdict(st.MET if met else st.NOT_MET, threshold, gap, value=value)

    def no_value_note(self, observed: Observed, s: Situation) -> str:
        return NOTE_NO_DATA

    def verdict(self, status, threshold=None, gap=None, note=None, value=None) -> Evaluation:
        """A verdict; the value compared is kept only where it is not the year's own."""
        return verdict(status, threshold, gap, note)


class FixedThreshold(NumericKind):
    """A threshold written in the catalog (`value`), checked against the indicator's range."""

    value: float

    def threshold(self, *, baseline, previous) -> float | None:
        return float(self.value)

    def target_number(self) -> float | None:
        return self.value

    def sample_count(self, rng, baseline: int) -> int | None:
        return max(0, int(self.value) + int(rng.choice([-1, 0, 0, 1, 1, 2])))

    def catalog_problems(self, frame) -> list[tuple[str, str]]:
        """A threshold the indicator's value can never reach (110 %, 12 on a 0-10 scale)."""
        lo, hi = frame.value_range
        if lo is None and hi is None:
            return []
        if (lo is not None and self.value < lo) or (hi is not None and self.value > hi):
            bounds = f"{lo:g}-{hi:g}" if hi is not None else f"≥ {lo:g}"
            return [("value", f"target {self.value:g} is outside the {frame.unit} range {bounds}")]
        return []


_AT_MOST = re.compile(
    r"(≤|<=|=<|<|\bpas plus de|\bau plus\b|\bau maximum\b|\bmaximum\b|\bun maximum de"
    r"|\bmoins de|\binferieure? (?:ou egale? )?a|\begale? ou inferieure? a|\bn'excedant pas"
    r"|\bne depassant pas|\bne pas depasser)"
)
_AT_LEAST = re.compile(
    r"(≥|>=|=>|>|\bau moins\b|\bminimum\b|\bun minimum de|\bplus de|\bsuperieure? (?:ou egale? )?a"
    r"|\begale? ou superieure? a)"
)
_STRICT = re.compile(r"^(?:<|>)$|moins de|plus de|inferieure? a|superieure? a")


def read_threshold(folded: str, r: Reading) -> bool:
    """A threshold: "≥ 50 %", "≤ 15 jours ouvrables", "45 %", "2", "participation de 75 %".

    The last rule: it decides every wording the others left, if only with a note."""
    parts = single_number(folded, r)
    if parts is None:
        if not r.notes:
            r.notes.append("aucun nombre ni échéance dans la cible")
        return True
    before, token, after = parts
    amount = value(after, token, r)
    around = f"{before} # {after}"
    most, least = _AT_MOST.search(around), _AT_LEAST.search(around)
    if re.fullmatch(r"(19|20)\d\d", token) and not before.strip() and not after.strip():
        r.notes.append(f"une année seule (« {token} ») : échéance ou nombre ?")
        return True
    r.fields = {"value": plain(amount)}
    if most or least:
        r.kind = "at_most" if most else "at_least"
        r.lower = bool(most)
        if _STRICT.search((most or least).group(1)):
            r.notes.append(
                f"inégalité stricte « {(most or least).group(1)} » lue comme "
                f"« {'au plus' if most else 'au moins'} »"
            )
        return True
    r.kind, r.bare = "at_least", True
    words = re.sub(r"annuellement|par annee|chaque annee", " ", before)
    r.bare_words = bool(re.search(r"[a-z]", words))
    return True
