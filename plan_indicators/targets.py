"""Target engine: compares a fiscal year's result with its catalog target (docs/contracts.md §2.5).

Pure domain code; the evaluation asset feeds it a result row and writes back an `Evaluation`.
Each kind says how (`plan_indicators.target_kinds`); this module is what callers use.

Sense of a comparison: `at_least` and `at_most` name it themselves. The kinds whose threshold is
derived from another result (relative_to_baseline, points_over_baseline, delta_over_baseline,
at_least_previous) read "at least" for a `higher_is_better` indicator, as docs/contracts.md §2.4
writes them, and "at most" for a `lower_is_better` one (a delay that must fall by 10 % from its
baseline). `gap` is signed so that a gap ≥ 0 is always good: value − threshold, or threshold − value
when the sense is "at most"; for a deadline, the days of advance on the due date; for a recurring
target, the smallest counted period's count − min_count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from plan_indicators import statuses as st
from plan_indicators.fiscal import FiscalYear
from plan_indicators.seasons import DEFAULT_SEASONS, SeasonSettings
from plan_indicators.target_kinds import (
    DIRECTIONS,
    NOTE_NO_TARGET,
    Evaluation,
    Observed,
    Situation,
    verdict,
)

__all__ = [
    "Evaluation", "Observed", "at_most_sense", "evaluate", "resolve_threshold", "threshold_text",
]  # fmt: skip


def resolve_threshold(
    target: Any, *, baseline: float | None, previous: float | None
) -> float | None:
    """The number a result is compared with, or None when it is not (yet) known.

    A catalog `baseline_value` wins over the computed baseline: it is given precisely when the
    baseline year predates the data. A recurring target's threshold is its `min_count` per
    counted period; a deadline has none (its due date is no number).
    """
    if target is None:
        return None
    return target.threshold(baseline=baseline, previous=previous)


def evaluate(
    target: Any,
    observed: Observed,
    fiscal_year: FiscalYear,
    as_of: dt.date,
    *,
    direction: str = "higher_is_better",
    baseline: float | None = None,
    previous: float | None = None,
    seasons: SeasonSettings = DEFAULT_SEASONS,
    results: Mapping[str, Observed] | None = None,
    plan_start: str | None = None,
    unit: str | None = None,
) -> Evaluation:
    """Status of `observed` against `target` for `fiscal_year`, as known on `as_of`.

    A year is over the day after 31 March: on `fiscal_year.end` itself it is still running.
    `results` are the indicator's published results by year, `plan_start` the plan's first
    year and `unit` the indicator's (a cumulative target sums or pools them from there).
    """
    if target is None:
        return verdict(st.NOT_APPLICABLE, note=NOTE_NO_TARGET)
    situation = Situation(
        fiscal_year, as_of, direction, baseline, previous, seasons, results or {}, plan_start, unit
    )
    return target.evaluate(observed, situation)


def at_most_sense(target: Any, direction: str = "higher_is_better") -> bool:
    """Whether the result must stay at or below the threshold (see the module docstring)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be higher_is_better or lower_is_better: {direction!r}")
    return target.at_most(direction)


def threshold_text(
    target: Any,
    threshold: float | None = None,
    *,
    unit: str = "count",
    direction: str = "higher_is_better",
    seasons: SeasonSettings = DEFAULT_SEASONS,
) -> str:
    """The resolved target in French for reports: "≥ 52,0 %", "au plus tard le 2021-03-19"."""
    if target is None:
        return "Aucune cible"
    return target.display(threshold, unit=unit, direction=direction, seasons=seasons)
