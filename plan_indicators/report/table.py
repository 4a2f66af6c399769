"""The results table as rows: one per plan, indicator and fiscal year, for the tabular exports.

One column list for CSV, JSON and XLSX, so the open data and the workbook carry the same fields
under the same names (`key` for machines, `label_fr` for people). Values stay typed: numbers
unrounded (the display column holds the published, rounded text), dates as dates, and None
where there is nothing, never an empty string standing for a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from plan_indicators.report.view import IndicatorView, PlanView, ReportView, YearView


@dataclass(frozen=True)
class Column:
    key: str
    label_fr: str
    kind: str  # text | number | date | bool
    get: Callable[[PlanView, IndicatorView, YearView], Any]


def _notes(year: YearView) -> str | None:
    return " ; ".join(year.notes) or None


COLUMNS: tuple[Column, ...] = (
    Column("plan_id", "Plan", "text", lambda p, i, y: p.plan_id),
    Column("organisation", "Organisation", "text", lambda p, i, y: p.organisation),
    Column("plan_title", "Titre du plan", "text", lambda p, i, y: p.title),
    Column("enjeu", "Enjeu", "text", lambda p, i, y: i.enjeu),
    Column("orientation", "Orientation", "text", lambda p, i, y: i.orientation),
    Column("objective", "Objectif", "text", lambda p, i, y: i.objective),
    Column("indicator_id", "Indicateur", "text", lambda p, i, y: i.indicator_id),
    Column("indicator_text_fr", "Libellé de l'indicateur", "text", lambda p, i, y: i.text_fr),
    Column("unit", "Unité", "text", lambda p, i, y: i.unit),
    Column("fiscal_year", "Année financière", "text", lambda p, i, y: y.fiscal_year),
    Column("period", "État de l'année", "text", lambda p, i, y: y.period),
    Column("reported", "Résultat publié", "bool", lambda p, i, y: y.reported),
    Column("target_kind", "Type de cible", "text", lambda p, i, y: y.kind),
    Column("target_text_fr", "Cible", "text", lambda p, i, y: y.target_text),
    Column("baseline_year", "Année de départ", "text", lambda p, i, y: y.baseline_year),
    Column("baseline_value", "Mesure de départ", "number", lambda p, i, y: y.baseline_value),
    Column("threshold", "Seuil", "number", lambda p, i, y: y.threshold),
    Column("value", "Résultat", "number", lambda p, i, y: y.value),
    Column("compared", "Valeur comparée au seuil", "number", lambda p, i, y: y.compared),
    Column("value_display", "Résultat publié (texte)", "text", lambda p, i, y: y.value_display),
    Column("achieved_on", "Date d'atteinte", "date", lambda p, i, y: y.achieved_on),
    Column("evidence", "Preuve", "text", lambda p, i, y: y.evidence),
    Column("status", "Code du statut", "text", lambda p, i, y: y.status),
    Column("status_fr", "Statut", "text", lambda p, i, y: y.status_fr),
    Column("gap", "Écart au seuil", "number", lambda p, i, y: y.gap),
    Column("is_final", "Résultat définitif", "bool", lambda p, i, y: y.is_final),
    Column("provisional", "Résultat provisoire", "bool", lambda p, i, y: y.provisional),
    Column("data_as_of", "Données au", "date", lambda p, i, y: y.data_as_of),
    Column("partial_as_of", "Résultat partiel au", "date", lambda p, i, y: y.partial_as_of),
    Column("note_fr", "Note", "text", lambda p, i, y: i.note_fr),
    Column("notes_fr", "Remarques sur l'année", "text", lambda p, i, y: _notes(y)),
    Column("explanation_fr", "Explication des résultats", "text", lambda p, i, y: y.explanation),
)  # fmt: skip


def rows(view: ReportView, plan: PlanView | None = None) -> Iterator[dict[str, Any]]:
    """Every row of the view (or of one of its plans), keyed by column."""
    for p, ind, year in view.rows():
        if plan is None or p is plan:
            yield {c.key: c.get(p, ind, year) for c in COLUMNS}


def plain(value: Any) -> Any:
    """A value as open data writes it: ISO dates, everything else as is."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
