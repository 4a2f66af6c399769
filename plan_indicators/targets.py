"""Target engine: compares a fiscal year's result with its catalog target (SPEC §2).

Pure domain code; the evaluation asset feeds it a result row and writes back an `Evaluation`.
`gap` is signed so that a gap ≥ 0 is always good (at_most flips it; for a deadline it is the
number of days of advance on the due date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from plan_indicators import statuses as st
from plan_indicators.catalog import BASELINE_KINDS
from plan_indicators.fiscal import FiscalYear
from plan_indicators.seasons import DEFAULT_SEASONS, SeasonSettings, parse_due, parse_start

_NUMERIC_KINDS = ("at_least", "at_most", "at_least_previous", *BASELINE_KINDS)
_HALF_KEYS = ("H1", "H2")

NOTE_NO_TARGET = "aucune cible pour cette année"
NOTE_NO_DATA = "aucune donnée pour l'année"
NOTE_NO_BASELINE = "mesure de départ non disponible"
NOTE_NO_PREVIOUS = "résultat de l'année précédente non disponible"


@dataclass(frozen=True)
class Observed:
    """A fiscal year's result: value, milestone date, and per-half counts ("H1" Apr-Sep,
    "H2" Oct-Mar)."""

    value: float | None
    achieved_on: dt.date | None = None
    periods: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    status: str
    status_fr: str
    threshold: float | None
    gap: float | None
    note: str | None = None


def _result(
    status: str, threshold: float | None = None, gap: float | None = None, note: str | None = None
) -> Evaluation:
    return Evaluation(status, st.STATUS_FR[status], threshold, gap, note)


def resolve_threshold(
    target: Any, *, baseline: float | None, previous: float | None
) -> float | None:
    """The number a result is compared with, or None when it is not (yet) known.

    A catalog `baseline_value` wins over the computed baseline: it is given precisely when the
    baseline year predates the data.
    """
    kind = getattr(target, "kind", None)
    if kind in ("at_least", "at_most"):
        return float(target.value)
    if kind in BASELINE_KINDS:
        b = target.baseline_value if target.baseline_value is not None else baseline
        if b is None:
            return None
        if kind == "relative_to_baseline":
            return b * (1 + target.percent / 100)
        if kind == "points_over_baseline":
            return b + target.points
        return b + target.delta
    if kind == "at_least_previous":
        return previous
    return None


def _as_date(value: Any) -> dt.date | None:
    """Result rows may carry the milestone date as ISO text or a datetime."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


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
) -> Evaluation:
    """Status of `observed` against `target` for `fiscal_year`, as known on `as_of`.

    `direction` is accepted for the caller's convenience but does not change the comparison:
    each target kind names its own sense (at_least / at_most), as the plans word them.
    """
    if target is None:
        return _result(st.NOT_APPLICABLE, note=NOTE_NO_TARGET)
    kind = target.kind
    if kind == "not_applicable":
        return _result(st.NOT_APPLICABLE)
    if kind in _NUMERIC_KINDS:
        return _numeric(target, observed, fiscal_year, as_of, baseline, previous)
    if kind == "first_measure":
        if not fiscal_year.is_over(as_of):
            return _result(st.IN_PROGRESS)
        if observed.value is None:
            return _result(st.NO_DATA, note=NOTE_NO_DATA)
        return _result(st.BASELINE)
    if kind == "deadline":
        return _deadline(target, observed, as_of, seasons)
    if kind == "every_year_from":
        return _recurring(target, observed, fiscal_year, as_of, seasons)
    raise ValueError(f"unknown target kind {kind!r}")


def _numeric(
    target: Any,
    observed: Observed,
    fy: FiscalYear,
    as_of: dt.date,
    baseline: float | None,
    previous: float | None,
) -> Evaluation:
    threshold = resolve_threshold(target, baseline=baseline, previous=previous)
    value = observed.value
    gap = None
    if value is not None and threshold is not None:
        gap = threshold - value if target.kind == "at_most" else value - threshold
    if not fy.is_over(as_of):
        return _result(st.IN_PROGRESS, threshold, gap)
    if value is None:
        return _result(st.NO_DATA, threshold, note=NOTE_NO_DATA)
    if threshold is None:
        note = NOTE_NO_PREVIOUS if target.kind == "at_least_previous" else NOTE_NO_BASELINE
        return _result(st.NO_DATA, note=note)
    met = value <= threshold if target.kind == "at_most" else value >= threshold
    return _result(st.MET if met else st.NOT_MET, threshold, gap)


def _deadline(
    target: Any, observed: Observed, as_of: dt.date, seasons: SeasonSettings
) -> Evaluation:
    """Met on or before the due date; achieved later is met_late, whatever the year evaluated."""
    due = parse_due(target.due, seasons)
    achieved = _as_date(observed.achieved_on)
    if achieved is not None:
        gap = float((due - achieved).days)
        return _result(st.MET if achieved <= due else st.MET_LATE, gap=gap)
    if as_of <= due:
        return _result(st.IN_PROGRESS)
    return _result(st.NOT_MET)


def _recurring(
    target: Any, observed: Observed, fy: FiscalYear, as_of: dt.date, seasons: SeasonSettings
) -> Evaluation:
    """At least `min_count` events per year or per counted half-year.

    Per year, the target is `met` as soon as the count is reached, even before the year ends:
    a count can only grow, so the verdict cannot change.
    """
    start = parse_start(target.start, seasons)
    threshold = float(target.min_count)
    if fy.end < start:
        return _result(st.NOT_APPLICABLE, threshold)
    over = fy.is_over(as_of)
    if target.per == "year":
        value = observed.value
        gap = None if value is None else value - threshold
        if value is not None and value >= threshold:
            return _result(st.MET, threshold, gap)
        if not over:
            return _result(st.IN_PROGRESS, threshold, gap)
        if value is None:
            return _result(st.NO_DATA, threshold, note=NOTE_NO_DATA)
        return _result(st.NOT_MET, threshold, gap)
    if over and observed.value is None and not observed.periods:
        return _result(st.NO_DATA, threshold, note=NOTE_NO_DATA)
    counted = [
        (key, half_end)
        for key, (_, half_end) in zip(_HALF_KEYS, fy.halves(), strict=True)
        if half_end >= start
    ]
    counts = [observed.periods.get(key) or 0 for key, _ in counted]
    gap = min(counts) - threshold
    for (_, half_end), count in zip(counted, counts, strict=True):
        if as_of > half_end and count < threshold:
            return _result(st.NOT_MET, threshold, gap)
    if all(as_of > half_end for _, half_end in counted):
        return _result(st.MET, threshold, gap)
    return _result(st.IN_PROGRESS, threshold, gap)
