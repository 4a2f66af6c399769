"""Target engine: compares a fiscal year's result with its catalog target (docs/contracts.md §2.5).

Pure domain code; the evaluation asset feeds it a result row and writes back an `Evaluation`.

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
from dataclasses import dataclass, field
from typing import Any

from plan_indicators import statuses as st
from plan_indicators.catalog import BASELINE_KINDS
from plan_indicators.fiscal import FiscalYear
from plan_indicators.formatting import format_value
from plan_indicators.seasons import DEFAULT_SEASONS, SeasonSettings, parse_due, parse_start

_NUMERIC_KINDS = ("at_least", "at_most", "at_least_previous", *BASELINE_KINDS)
_HALF_KEYS = ("H1", "H2")

NOTE_NO_TARGET = "aucune cible pour cette année"
NOTE_NO_DATA = "aucune donnée pour l'année"
NOTE_NO_BASELINE = "mesure de départ non disponible"
NOTE_NO_PREVIOUS = "résultat de l'année précédente non disponible"
NOTE_NO_PERIODS = "décompte par semestre non disponible"
NOTE_BEFORE_START = "l'année précède le début de la cible"
NOTE_NOT_STARTED = "l'année n'a pas commencé à la date de référence"
NOTE_ZERO_BASELINE = (
    "mesure de départ nulle : une cible exprimée en pourcentage de la mesure de départ ne "
    "peut s'y appliquer"
)
NOTE_NO_RECORD = "aucun enregistrement pour cet indicateur"


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
    baseline year predates the data. A recurring target's threshold is its `min_count` per
    counted period; a deadline has none (its due date is no number).
    """
    kind = getattr(target, "kind", None)
    if kind in ("at_least", "at_most"):
        return float(target.value)
    if kind in BASELINE_KINDS:
        b = effective_baseline(target, baseline)
        if b is None or (kind == "relative_to_baseline" and b == 0):
            return None
        if kind == "relative_to_baseline":
            return b * (1 + target.percent / 100)
        if kind == "points_over_baseline":
            return b + target.points
        return b + target.delta
    if kind == "at_least_previous":
        return previous
    if kind == "every_year_from":
        return float(target.min_count)
    return None


def effective_baseline(target: Any, baseline: float | None) -> float | None:
    """The catalog's `baseline_value` when given, else the computed baseline."""
    return target.baseline_value if target.baseline_value is not None else baseline


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

    A year is over the day after 31 March: on `fiscal_year.end` itself it is still running.
    """
    if target is None:
        return _result(st.NOT_APPLICABLE, note=NOTE_NO_TARGET)
    kind = target.kind
    if kind == "not_applicable":
        return _result(st.NOT_APPLICABLE)
    if not fiscal_year.has_begun(as_of) and not _before_start(target, fiscal_year, seasons):
        threshold = resolve_threshold(target, baseline=baseline, previous=previous)
        return _result(st.NOT_STARTED, threshold, note=NOTE_NOT_STARTED)
    if kind in _NUMERIC_KINDS:
        return _numeric(target, observed, fiscal_year, as_of, direction, baseline, previous)
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


def _before_start(target: Any, fy: FiscalYear, seasons: SeasonSettings) -> bool:
    """A recurring target's year that ends before its start: not applicable, begun or not."""
    return target.kind == "every_year_from" and fy.end < parse_start(target.start, seasons)


def at_most_sense(target: Any, direction: str = "higher_is_better") -> bool:
    """Whether the result must stay at or below the threshold (see the module docstring)."""
    if direction not in ("higher_is_better", "lower_is_better"):
        raise ValueError(f"direction must be higher_is_better or lower_is_better: {direction!r}")
    if target.kind in ("at_least", "at_most"):
        return target.kind == "at_most"
    return direction == "lower_is_better"


def _numeric(
    target: Any,
    observed: Observed,
    fy: FiscalYear,
    as_of: dt.date,
    direction: str,
    baseline: float | None,
    previous: float | None,
) -> Evaluation:
    threshold = resolve_threshold(target, baseline=baseline, previous=previous)
    at_most = at_most_sense(target, direction)
    value = observed.value
    gap = None
    if value is not None and threshold is not None:
        gap = threshold - value if at_most else value - threshold
    if not fy.is_over(as_of):
        return _result(st.IN_PROGRESS, threshold, gap)
    if value is None:
        return _result(st.NO_DATA, threshold, note=NOTE_NO_DATA)
    if threshold is None:
        if target.kind == "at_least_previous":
            note = NOTE_NO_PREVIOUS
        elif effective_baseline(target, baseline) == 0:
            note = NOTE_ZERO_BASELINE
        else:
            note = NOTE_NO_BASELINE
        return _result(st.NO_DATA, note=note)
    met = value <= threshold if at_most else value >= threshold
    return _result(st.MET if met else st.NOT_MET, threshold, gap)


def _deadline(
    target: Any, observed: Observed, as_of: dt.date, seasons: SeasonSettings
) -> Evaluation:
    """Met on or before the due date; achieved later is met_late, whatever the year evaluated.

    A milestone dated after `as_of` is not known yet on `as_of`, so it does not count. Past the
    due date, an indicator with no record at all (no value, no date) is no_data, not not_met:
    nothing says the milestone was missed rather than never recorded.
    """
    due = parse_due(target.due, seasons)
    achieved = _as_date(observed.achieved_on)
    if achieved is not None and achieved <= as_of:
        gap = float((due - achieved).days)
        return _result(st.MET if achieved <= due else st.MET_LATE, gap=gap)
    if as_of <= due:
        return _result(st.IN_PROGRESS)
    if observed.value is None and achieved is None:
        return _result(st.NO_DATA, note=NOTE_NO_RECORD)
    return _result(st.NOT_MET)


def _recurring(
    target: Any, observed: Observed, fy: FiscalYear, as_of: dt.date, seasons: SeasonSettings
) -> Evaluation:
    """At least `min_count` events in the year, or in each counted half-year.

    A period that has reached `min_count` is satisfied even before it ends (a count can only
    grow, so the verdict cannot change); a period that ended short of it fails at once. A
    result with no value (or, per half-year, no half-year counts) is missing data, never a
    zero: in_progress while the year runs, then no_data.
    """
    start = parse_start(target.start, seasons)
    threshold = float(target.min_count)
    if fy.end < start:
        return _result(st.NOT_APPLICABLE, note=NOTE_BEFORE_START)
    per_half = target.per == "half_year"
    if observed.value is None or (per_half and not observed.periods):
        if fy.is_over(as_of):
            note = NOTE_NO_PERIODS if observed.value is not None else NOTE_NO_DATA
            return _result(st.NO_DATA, threshold, note=note)
        return _result(st.IN_PROGRESS, threshold)
    if not per_half:
        periods = [(fy.end, float(observed.value))]
    else:
        periods = [
            (half_end, observed.periods.get(key) or 0.0)
            for key, (_, half_end) in zip(_HALF_KEYS, fy.halves(), strict=True)
            if half_end >= start
        ]
    gap = min(count for _, count in periods) - threshold
    if any(as_of > end and count < threshold for end, count in periods):
        return _result(st.NOT_MET, threshold, gap)
    if all(count >= threshold for _, count in periods):
        return _result(st.MET, threshold, gap)
    return _result(st.IN_PROGRESS, threshold, gap)


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
    kind = target.kind
    if kind == "not_applicable":
        return "Sans objet"
    if kind == "first_measure":
        return "Mesure de départ"
    if kind == "deadline":
        return f"au plus tard le {parse_due(target.due, seasons).isoformat()}"
    if kind == "every_year_from":
        start = parse_start(target.start, seasons).isoformat()
        per = "par semestre" if target.per == "half_year" else "par année"
        return f"au moins {target.min_count} {per} à partir du {start}"
    if threshold is None:
        return target.text_fr or "—"
    sign = "≤" if at_most_sense(target, direction) else "≥"
    return f"{sign} {format_value(threshold, unit)}"
