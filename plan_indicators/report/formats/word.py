"""DOCX: the results in the layout of a *rapport annuel de gestion*, ready to paste into it.

Per plan: a summary table of the reporting year (objective, indicator, target, result, status),
then per enjeu, orientation and objective each indicator's table with the fiscal years in
columns and its targets and results in rows, as the RAG prints them, followed by its notes and,
when one exists, the explanation of the result.
"""

from __future__ import annotations

import io
import re

from plan_indicators.formatting import date_fr
from plan_indicators.report.formats import Renderer
from plan_indicators.report.view import IndicatorView, PlanView, ReportView
from plan_indicators.report.wording import baseline_line, partial_line, status_text

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TABLE_STYLE = "Table Grid"


def _text(value) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def _fill(cell, lines: list[str], *, bold: bool = False) -> None:
    """Write `lines` as the cell's paragraphs (a cell starts with one empty paragraph)."""
    lines = [line for line in lines if line] or [""]
    first, *rest = lines
    run = cell.paragraphs[0].add_run(_text(first))
    run.bold = bold
    for line in rest:
        cell.add_paragraph(_text(line))


def _summary(doc, plan: PlanView, fiscal_year: str) -> None:
    doc.add_paragraph(f"Sommaire des résultats {fiscal_year}", style="Heading 2")
    table = doc.add_table(rows=1, cols=5)
    table.style = TABLE_STYLE
    heads = ["Objectif", "Indicateur", f"Cible {fiscal_year}", f"Résultat {fiscal_year}", "Statut"]
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _fill(cell, [head], bold=True)
    for ind in plan.indicators:
        year = next((y for y in ind.years if y.fiscal_year == fiscal_year), None)
        if year is None:
            continue
        cells = table.add_row().cells
        _fill(cells[0], [ind.objective or ""])
        _fill(cells[1], [f"{ind.indicator_id} {ind.text_fr}"])
        _fill(cells[2], [year.target_text])
        _fill(cells[3], [year.value_display or ("—" if year.reported else ""),
                         partial_line(year) or ""])  # fmt: skip
        _fill(cells[4], [status_text(year)])


def _indicator(doc, ind: IndicatorView) -> None:
    doc.add_paragraph(f"Indicateur {ind.indicator_id} : {_text(ind.text_fr)}", style="Heading 5")
    table = doc.add_table(rows=3, cols=len(ind.years) + 1)
    table.style = TABLE_STYLE
    header, targets, results = table.rows
    _fill(header.cells[0], [""])
    _fill(targets.cells[0], ["Cibles"], bold=True)
    _fill(results.cells[0], ["Résultats"], bold=True)
    for col, year in enumerate(ind.years, start=1):
        _fill(header.cells[col], [year.fiscal_year], bold=True)
        _fill(targets.cells[col], [year.target_text, baseline_line(year, ind.unit) or ""])
        result = year.value_display or ("—" if year.reported else "")
        status = status_text(year)
        _fill(results.cells[col], [result, partial_line(year) or "",
                                   f"({status})" if status else ""])  # fmt: skip
    notes = [f"Note : {ind.note_fr}"] if ind.note_fr else []
    notes += [f"{y.fiscal_year} : {n}" for y in ind.years for n in y.notes]
    notes += [f"{y.fiscal_year} : Preuve : {y.evidence}" for y in ind.years if y.evidence]
    for note in notes:
        doc.add_paragraph(_text(note))
    explained = [y for y in ind.years if y.explanation]
    for year in explained:
        heading = f"Explication du résultat obtenu en {year.fiscal_year}"
        doc.add_paragraph(heading, style="Heading 6")
        doc.add_paragraph(_text(year.explanation))
    if not explained:
        doc.add_paragraph("")


def render_docx(view: ReportView) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = "Résultats des plans stratégiques"
    doc.add_paragraph("Résultats des plans stratégiques", style="Title")
    doc.add_paragraph(
        f"Résultats jusqu'à l'année financière {view.reporting_year}, état au "
        f"{date_fr(view.as_of)} ; les années suivantes montrent leur cible."
    )
    for plan in view.plans:
        doc.add_paragraph(_text(f"{plan.organisation} — {plan.title}"), style="Heading 1")
        shown = plan.reported_years[-1] if plan.reported_years else view.reporting_year
        _summary(doc, plan, shown)
        for enjeu in plan.enjeux:
            if enjeu.text:
                doc.add_paragraph(_text(f"Enjeu {enjeu.text}"), style="Heading 2")
            for orientation in enjeu.orientations:
                if orientation.text:
                    doc.add_paragraph(_text(f"Orientation {orientation.text}"), style="Heading 3")
                for objective in orientation.objectives:
                    if objective.text:
                        doc.add_paragraph(_text(f"Objectif {objective.text}"), style="Heading 4")
                    for ind in objective.indicators:
                        _indicator(doc, ind)
    if not view.plans:
        doc.add_paragraph("Aucun plan stratégique dans l'entrepôt.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


RENDERER = Renderer(
    name="docx",
    suffix=".docx",
    description="document Word, tableaux au format du rapport annuel de gestion",
    render=render_docx,
)
