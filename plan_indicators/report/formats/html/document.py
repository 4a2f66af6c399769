"""The annual report as one self-contained HTML document, rendered from the view model.

The document carries inline CSS and SVG only: no script, no font, no remote resource, and a
Content-Security-Policy that forbids them, so it can be mailed, archived or printed as is.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from plan_indicators.formatting import date_fr, format_number, format_value, round1
from plan_indicators.regions import MIN_DENOMINATOR
from plan_indicators.report.formats.html.chart import chart
from plan_indicators.report.formats.html.css import stylesheet
from plan_indicators.report.formats.html.markup import (
    Footnotes,
    badge,
    cell_text,
    esc,
    evidence_html,
)
from plan_indicators.report.view import IndicatorView, PlanView, ReportView, YearView
from plan_indicators.report.wording import baseline_line, partial_line, status_text
from plan_indicators.statuses import STATUS_FR, STATUSES

LOCAL_TZ = ZoneInfo("America/Toronto")
TITLE = "Résultats des plans stratégiques — rapport annuel de gestion"


def _target_cell(year: YearView, unit: str) -> str:
    text = cell_text(year.target_text)
    line = baseline_line(year, unit)
    if line:
        text += f' <span class="baseline">{cell_text(line)}</span>'
    return f'<td class="target">{text}</td>'


def _result_cell(ind: IndicatorView, year: YearView, notes: Footnotes) -> str:
    """The result, with `x:num` (Excel's HTML attribute for a cell's number) so that a copied
    table pastes as numbers whatever the text's separators; nothing for a later year."""
    if not year.reported:
        return '<td class="result"></td>'
    num = ""
    if year.value is not None and ind.numeric:
        num = f' x:num="{round1(year.value)!r}"'
    text = cell_text(year.value_display) or "—"
    partial = partial_line(year)
    if partial:
        text += f' <span class="partial">{cell_text(partial)}</span>'
    for note in year.coverage:
        text += f' <span class="coverage">{cell_text(note)}</span>'
    if year.evidence:
        text += f' <span class="evidence">Preuve : {evidence_html(year.evidence)}</span>'
    if year.reason:
        text += notes.mark(
            f"{esc(year.fiscal_year)}, indicateur {esc(ind.indicator_id)} : {esc(year.reason)}"
        )
    return f'<td class="result"{num}>{text}</td>'


def _status_cell(ind: IndicatorView, year: YearView, notes: Footnotes) -> str:
    if year.status:
        html = badge(year.status, year.status_fr)
    elif year.reported:
        html = f'<span class="badge badge-none">{esc(status_text(year) or "—")}</span>'
    else:
        html = ""
    if year.note:
        html += notes.mark(
            f"{esc(year.fiscal_year)}, indicateur {esc(ind.indicator_id)} : {esc(year.note)}"
        )
    html += _projection_text(ind, year, notes)
    return f'<td class="status">{html}</td>'


def _projection_text(ind: IndicatorView, year: YearView, notes: Footnotes) -> str:
    """Beside "En cours": the year-end projection, its status, and its method as a note."""
    p = year.projection
    if p is None:
        return ""
    if p.value is None:
        return f' <span class="projection">{cell_text(p.note or "")}</span>'
    text = f"Projection au {date_fr(p.as_of)} : {p.value_display}"
    if p.low is not None and p.high is not None:
        text += f" ({format_value(p.low, ind.unit)} à {format_value(p.high, ind.unit)})"
    status = f" {badge(p.status, p.status_fr)}" if p.status else ""
    mark = ""
    if p.method_fr:
        mark = notes.mark(
            f"{esc(year.fiscal_year)}, indicateur {esc(ind.indicator_id)}, projection : "
            f"{esc(p.method_fr)}"
        )
    return f' <span class="projection">{cell_text(text)}{status}{mark}</span>'


EXPLANATION_FR = "Explication des résultats"


def _explanation_row(year: YearView) -> str:
    """Under a result the planning team explained: its *explication des résultats*, across
    the year's four columns (the team's line breaks kept)."""
    text = "<br>".join(cell_text(line) for line in (year.explanation or "").splitlines())
    return (
        f'<tr class="explanation"><td colspan="4"><p class="explanation">'
        f'<span class="explanation-title">{EXPLANATION_FR} ({esc(year.fiscal_year)})</span> : '
        f"{text}</p></td></tr>"
    )


def _indicator_block(ind: IndicatorView, notes: Footnotes) -> str:
    marks = ""
    if ind.note_fr:
        marks = notes.mark(f"Indicateur {esc(ind.indicator_id)} : {esc(ind.note_fr)}")
    graph = chart(ind) if ind.numeric else ""
    lines = []
    # The indicator's cell spans its years and the explanation row under each explained one.
    span = len(ind.years) + sum(1 for y in ind.years if y.explanation)
    for i, year in enumerate(ind.years):
        first = ""
        if i == 0:
            first = (
                f'<td class="indicator" rowspan="{span}">'
                f'<span class="ind-id">{esc(ind.indicator_id)}</span> '
                f'<span class="ind-text">{esc(ind.text_fr)}</span>{marks}{graph}</td>'
            )
        lines.append(
            f'<tr>{first}<td class="fy">{esc(year.fiscal_year)}</td>'
            f"{_target_cell(year, ind.unit)}{_result_cell(ind, year, notes)}"
            f"{_status_cell(ind, year, notes)}</tr>"
        )
        if year.explanation:
            lines.append(_explanation_row(year))
    return f'<tbody class="indicator-block">{"".join(lines)}</tbody>'


def _regions_table(ind: IndicatorView) -> str:
    """An indicator's shares by region in the reporting year; suppressed cells read "x"."""
    regions = ind.regions
    if regions is None:
        return ""
    rows = []
    for c in regions.cells:
        population = "x" if c.suppressed else format_number(c.denominator or 0, 0)
        num = "" if c.suppressed or c.value is None else f' x:num="{round1(c.value)!r}"'
        rows.append(
            f'<tr><th scope="row">{esc(c.region_code)} {esc(c.region_fr)}</th>'
            f'<td class="result"{num}>{esc(c.display)}</td><td>{population}</td></tr>'
        )
    note = ""
    if regions.any_suppressed:
        note = (
            '<p class="regions-note">x : donnée confidentielle (moins de '
            f"{MIN_DENOMINATOR} cas, ou cellule qui permettrait de la déduire du total).</p>"
        )
    return (
        f'<table class="regions" id="regions-{esc(ind.plan_id)}-{esc(ind.indicator_id)}">'
        f"<caption>{esc(ind.indicator_id)} {esc(ind.text_fr)} — {esc(regions.fiscal_year)}"
        '</caption><thead><tr><th scope="col">Région administrative</th>'
        '<th scope="col">Résultat</th><th scope="col">Cas</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def _regions_section(plan: PlanView) -> str:
    tables = [_regions_table(ind) for ind in plan.indicators if ind.regions is not None]
    if not tables:
        return ""
    return f"<h3>Résultats par région</h3>{''.join(tables)}"


def _group_row(css: str, label: str, text: str) -> str:
    return (
        f'<tbody class="group"><tr class="{css}"><th colspan="5" scope="rowgroup">'
        f"{label} {esc(text)}</th></tr></tbody>"
    )


def _results_table(plan: PlanView, notes: Footnotes) -> str:
    parts = [
        '<table class="results"><thead><tr><th scope="col">Indicateur</th>'
        '<th scope="col">Année</th><th scope="col">Cible</th><th scope="col">Résultat</th>'
        '<th scope="col">Statut</th></tr></thead>'
    ]
    for enjeu in plan.enjeux:
        if enjeu.text:
            parts.append(_group_row("enjeu", "Enjeu", enjeu.text))
        for orientation in enjeu.orientations:
            if orientation.text:
                parts.append(_group_row("orientation", "Orientation", orientation.text))
            for objective in orientation.objectives:
                if objective.text:
                    parts.append(_group_row("objective", "Objectif", objective.text))
                parts.extend(_indicator_block(ind, notes) for ind in objective.indicators)
    parts.append("</table>")
    return "".join(parts)


def _summary(plan: PlanView) -> str:
    """How many indicators have each status, per reported fiscal year."""
    years = plan.reported_years
    counts = {fy: dict.fromkeys(STATUSES, 0) for fy in years}
    other: dict[str, dict[str, int]] = {fy: {} for fy in years}
    for ind in plan.indicators:
        for year in ind.years:
            status, fy = year.status, year.fiscal_year
            if not status or fy not in counts:
                continue
            if status in counts[fy]:
                counts[fy][status] += 1
            else:
                other[fy][status] = other[fy].get(status, 0) + 1
    head = "".join(f'<th scope="col">{esc(fy)}</th>' for fy in years)
    body = []
    for status in STATUSES:
        if not any(counts[fy][status] for fy in years):
            continue
        cells = "".join(f"<td>{counts[fy][status]}</td>" for fy in years)
        body.append(f'<tr><th scope="row">{badge(status, STATUS_FR[status])}</th>{cells}</tr>')
    for status in sorted({s for fy in other.values() for s in fy}):
        cells = "".join(f"<td>{other[fy].get(status, 0)}</td>" for fy in years)
        body.append(f'<tr><th scope="row">{badge(status, status)}</th>{cells}</tr>')
    totals = "".join(
        f"<td>{sum(counts[fy].values()) + sum(other[fy].values())}</td>" for fy in years
    )
    body.append(f'<tr class="total"><th scope="row">Total évalué</th>{totals}</tr>')
    return (
        '<table class="summary"><caption>Sommaire des résultats : nombre d\'indicateurs '
        f'par statut</caption><thead><tr><th scope="col">Statut</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _scorecard_line(plan: PlanView) -> str:
    """ "Cibles atteintes en 2025-2026 : 7 sur 10 (70,0 %)", with what the share leaves out."""
    card = plan.scorecard
    if card is None:
        return ""
    share = card.share_met
    text = (
        f"Cibles atteintes en {esc(plan.scorecard_year)} : {card.targets_met} sur "
        f"{card.targets_evaluated} évaluées"
    )
    if share is not None:
        text += f" ({cell_text(format_value(share, 'percent'))})"
    aside = [
        (card.targets_no_data, "sans donnée"),
        (card.targets_pending, "en cours ou à venir"),
        (card.targets_excluded, "mesure de départ ou sans objet"),
    ]
    extra = " ; ".join(f"{n} {label}" for n, label in aside if n)
    if extra:
        text += f" — hors calcul : {extra}"
    return f'<p class="scorecard">{text}</p>'


def _date_fr(day: dt.date | None) -> str:
    return esc(date_fr(day)) if day else "non disponible"


def _plan_section(plan: PlanView, index: int) -> str:
    notes = Footnotes(f"p{index}-fn")
    table = _results_table(plan, notes)
    summary = _summary(plan) if plan.reported_years else ""
    return (
        f'<section class="plan" id="plan-{index}">'
        f'<p class="organisation">{esc(plan.organisation)}</p>'
        f"<h2>{esc(plan.title)}</h2>"
        f'<p class="meta">Années financières {esc(plan.fiscal_years[0])} à '
        f"{esc(plan.fiscal_years[-1])} · données au {_date_fr(plan.data_as_of)}</p>"
        f"{_scorecard_line(plan)}{summary}<h3>Résultats par indicateur</h3>{table}{notes.render()}"
        f"{_regions_section(plan)}</section>"
    )


def _generated_text(generated_at: dt.datetime) -> str:
    local = generated_at.astimezone(LOCAL_TZ) if generated_at.tzinfo else generated_at
    return f"{date_fr(local.date())} à {local.hour} h {local:%M}"


def render_html(view: ReportView) -> str:
    """The whole report as one HTML document."""
    sections = "".join(_plan_section(p, i) for i, p in enumerate(view.plans, 1))
    if not view.plans:
        sections = "<p>Aucun plan stratégique dans l'entrepôt.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{TITLE}</title><style>{stylesheet()}</style></head><body>"
        f"<header><h1>{TITLE}</h1>"
        f'<p class="generated">Généré le {_generated_text(view.generated_at)} · '
        f"données au {_date_fr(view.data_as_of)}</p>"
        f"<p class=\"scope\">Résultats jusqu'à l'année financière {esc(view.reporting_year)}, "
        f"état au {_date_fr(view.as_of)} ; les années suivantes montrent leur cible.</p>"
        "</header>"
        f"<main>{sections}</main></body></html>\n"
    )
