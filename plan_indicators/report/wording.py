"""French sentences about a result that several formats print (report, Word table, workbook).

Kept apart from any renderer so the HTML report and the exports word a baseline, a partial
result or a year to come the same way.
"""

from __future__ import annotations

from plan_indicators.formatting import date_fr, format_value
from plan_indicators.report.view import NO_TARGET, YearView
from plan_indicators.target_kinds import kind_class


def baseline_line(year: YearView, unit: str) -> str | None:
    """What a relative target is measured against: "Mesure de départ (2023-2024) : 2 697 ·
    seuil : 2 750,9"; for "at least the previous year", the previous result as the threshold."""
    threshold = format_value(year.threshold, unit) if year.threshold is not None else None
    if year.baseline_year:
        if year.baseline_value is None and not year.reported:
            return None
        baseline = (
            format_value(year.baseline_value, unit)
            if year.baseline_value is not None
            else "non disponible"
        )
        line = f"Mesure de départ ({year.baseline_year}) : {baseline}"
        return f"{line} · seuil : {threshold}" if threshold else line
    kind = kind_class(year.kind)
    if kind is None:
        return None
    compared = format_value(year.compared, unit) if year.compared is not None else None
    return kind.reference_line(year.fiscal_year, threshold, compared)


PROVISIONAL = "résultat provisoire"


def partial_line(year: YearView) -> str | None:
    """A result that will still change: the running year's is partial (say up to when), an
    ended year's is provisional until its closing (docs/contracts.md §6.1); a closed year's
    result is final and carries no mark."""
    if year.partial_as_of is not None:
        return f"résultat partiel au {date_fr(year.partial_as_of)}"
    return PROVISIONAL if year.provisional else None


def status_text(year: YearView) -> str:
    """The status as a reader reads it; a year without a target is "S. O.", a later year
    (target only) has none."""
    if year.status_fr:
        return year.status_fr
    if year.reported and year.kind is None:
        return NO_TARGET
    return ""
