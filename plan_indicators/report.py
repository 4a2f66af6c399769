"""The annual results report ("rapport annuel de gestion"), rendered as one HTML file.

The document is self-contained (inline CSS and SVG, no script, no font, no remote resource and a
Content-Security-Policy that forbids them) so it can be mailed, archived or printed as is. Every
text read from the warehouse is HTML-escaped: plan wording comes from YAML and notes from people,
and neither must be able to run code in a reader's browser.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from plan_indicators.fiscal import fiscal_range
from plan_indicators.formatting import format_number, format_value
from plan_indicators.statuses import STATUS_FR, STATUSES
from plan_indicators.warehouse import (
    dim_indicator,
    dim_plan,
    indicator_evaluation,
    indicator_result,
    indicator_target,
)

LOCAL_TZ = ZoneInfo("America/Toronto")

STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "met": ("#1e7b34", "#ffffff"),
    "not_met": ("#b3261e", "#ffffff"),
    "in_progress": ("#1f5fa8", "#ffffff"),
    "baseline": ("#6b6f76", "#ffffff"),
    "not_applicable": ("#6b6f76", "#ffffff"),
    "no_data": ("#f2b01e", "#1a1a1a"),
    "met_late": ("#e8730c", "#1a1a1a"),
}
NUMERIC_UNITS = ("percent", "count", "score", "days")
AXIS_LABEL_FR = {
    "percent": "Pourcentage (%)",
    "count": "Nombre",
    "score": "Score",
    "days": "Jours",
}


def esc(value: Any) -> str:
    """Escape any data text for HTML content and attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def parse_assumptions(raw: str | None) -> list[str]:
    """`dim_indicator.assumptions` holds a JSON list, or plain text with one item a line."""
    if raw is None or not str(raw).strip():
        return []
    text = str(raw).strip()
    if text[0] in '["':
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            return [str(item).strip() for item in loaded if str(item).strip()]
        if isinstance(loaded, str):
            return [loaded.strip()] if loaded.strip() else []
    items = (re.sub(r"^\s*(?:[-*•]\s+)", "", line).strip() for line in text.splitlines())
    return [item for item in items if item]


@dataclass
class _Year:
    target: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    evaluation: dict[str, Any] | None = None


@dataclass
class _Indicator:
    row: dict[str, Any]
    years: dict[str, _Year] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return self.row["unit"]

    def year(self, fy: str) -> _Year:
        return self.years.setdefault(fy, _Year())


@dataclass
class _Plan:
    row: dict[str, Any]
    fiscal_years: list[str]
    indicators: list[_Indicator]

    @property
    def data_as_of(self) -> dt.date | None:
        dates = [
            y.result["data_as_of"]
            for ind in self.indicators
            for y in ind.years.values()
            if y.result and y.result.get("data_as_of")
        ]
        return max(dates) if dates else None


class _Footnotes:
    """Numbered notes under a plan's table; the same text gets the same number."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.items: list[str] = []

    def mark(self, text_html: str) -> str:
        if text_html not in self.items:
            self.items.append(text_html)
        n = self.items.index(text_html) + 1
        return (
            f'<sup class="fn-mark"><a href="#{self.prefix}-{n}" id="{self.prefix}-ref-{n}">'
            f"{n}</a></sup>"
        )

    def render(self) -> str:
        if not self.items:
            return ""
        lis = "".join(
            f'<li id="{self.prefix}-{n}">{text}</li>' for n, text in enumerate(self.items, 1)
        )
        return f'<ol class="footnotes" aria-label="Notes">{lis}</ol>'


def _natural_key(indicator_id: str) -> tuple:
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"[.\-]", indicator_id)
    )


def _load(engine: Engine, plan_ids: Sequence[str] | None) -> list[_Plan]:
    """Read the warehouse tables of the selected plans into report structures."""
    with engine.connect() as conn:

        def rows(table: sa.Table) -> list[dict[str, Any]]:
            stmt = sa.select(table)
            if plan_ids is not None:
                stmt = stmt.where(table.c.plan_id.in_(list(plan_ids)))
            return [dict(r._mapping) for r in conn.execute(stmt)]

        plans_rows = rows(dim_plan)
        ind_rows = rows(dim_indicator)
        target_rows = rows(indicator_target)
        result_rows = rows(indicator_result)
        eval_rows = rows(indicator_evaluation)

    if plan_ids is not None:
        missing = sorted(set(plan_ids) - {p["plan_id"] for p in plans_rows})
        if missing:
            raise ValueError(f"no plan {missing} in the warehouse (dim_plan)")

    indicators: dict[tuple[str, str], _Indicator] = {
        (r["plan_id"], r["indicator_id"]): _Indicator(r) for r in ind_rows
    }
    for kind, table_rows in (
        ("target", target_rows),
        ("result", result_rows),
        ("evaluation", eval_rows),
    ):
        for r in table_rows:
            ind = indicators.get((r["plan_id"], r["indicator_id"]))
            if ind is not None:
                setattr(ind.year(r["fiscal_year"]), kind, r)

    plans = []
    for p in sorted(plans_rows, key=lambda r: r["plan_id"]):
        members = [ind for (pid, _), ind in indicators.items() if pid == p["plan_id"]]
        members.sort(
            key=lambda i: (
                i.row.get("sort_order") is None,
                i.row.get("sort_order") or 0,
                _natural_key(i.row["indicator_id"]),
            )
        )
        years = fiscal_range(p["first_fiscal_year"], p["last_fiscal_year"])
        plans.append(_Plan(p, years, members))
    return plans


def _badge(status: str | None, status_fr: str | None) -> str:
    if not status:
        return '<span class="badge badge-none">—</span>'
    label = status_fr or STATUS_FR.get(status, status)
    css = status if status in STATUS_COLOURS else "unknown"
    return f'<span class="badge badge-{esc(css)}">{esc(label)}</span>'


def _result_text(ind: _Indicator, year: _Year) -> str:
    result = year.result or {}
    if result.get("achieved_on"):
        achieved = result["achieved_on"]
        iso = achieved.isoformat() if hasattr(achieved, "isoformat") else str(achieved)
        return f"Atteinte le {esc(iso)}"
    if result.get("value") is not None and ind.unit in NUMERIC_UNITS:
        return esc(format_value(result["value"], ind.unit))
    if ind.unit == "date":
        return "—"  # a milestone not reached yet has no result; its status says the rest
    if result.get("value_display"):
        return esc(result["value_display"])
    return "—"


def _threshold(year: _Year) -> float | None:
    for row in (year.evaluation, year.target):
        if row and row.get("threshold") is not None:
            return float(row["threshold"])
    return None


def _nice_ceiling(x: float) -> float:
    if x <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(x))
    for f in (1, 2, 2.5, 5, 10):
        if x <= f * exp + 1e-12:
            return f * exp
    return 10 * exp


def _axis_number(x: float) -> str:
    return format_number(x, 0 if float(x).is_integer() else 1)


def _chart(ind: _Indicator, fiscal_years: Sequence[str]) -> str:
    """Bars for results and dashed ticks for thresholds, one slot per fiscal year."""
    width, height = 300, 170
    left, right, top, bottom = 48, 8, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    points = []
    for fy in fiscal_years:
        y = ind.years.get(fy, _Year())
        value = (y.result or {}).get("value")
        status = (y.evaluation or {}).get("status")
        points.append((fy, None if value is None else float(value), _threshold(y), status))

    numbers = [v for _, v, t, _ in points for v in (v, t) if v is not None]
    hi = _nice_ceiling(max([*numbers, 0.0]) * 1.05) if numbers else 1.0
    lo = -_nice_ceiling(-min(numbers) * 1.05) if numbers and min(numbers) < 0 else 0.0

    def y_of(v: float) -> float:
        return top + plot_h * (hi - v) / (hi - lo)

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Résultat et cible par année, indicateur {esc(ind.row["indicator_id"])}">',
        f"<title>Résultat et cible par année — indicateur {esc(ind.row['indicator_id'])}</title>",
    ]
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        yy = y_of(v)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}"/>'
            f'<text class="tick" x="{left - 4}" y="{yy + 3:.1f}" text-anchor="end">'
            f"{esc(_axis_number(v))}</text>"
        )
    slot = plot_w / max(len(points), 1)
    bar_w = min(28.0, slot * 0.5)
    for i, (fy, value, threshold, status) in enumerate(points):
        cx = left + slot * (i + 0.5)
        if value is not None:
            y0, y1 = sorted((y_of(0.0 if lo <= 0 <= hi else lo), y_of(value)))
            colour = STATUS_COLOURS.get(status or "", ("#4a4f57", ""))[0]
            parts.append(
                f'<rect class="bar" x="{cx - bar_w / 2:.1f}" y="{y0:.1f}" width="{bar_w:.1f}" '
                f'height="{max(y1 - y0, 0.5):.1f}" fill="{colour}"/>'
                f'<text class="val" x="{cx:.1f}" y="{y0 - 3:.1f}" text-anchor="middle">'
                f"{esc(format_value(value, ind.unit))}</text>"
            )
        if threshold is not None:
            yy = y_of(threshold)
            parts.append(
                f'<line class="target" x1="{cx - slot * 0.42:.1f}" y1="{yy:.1f}" '
                f'x2="{cx + slot * 0.42:.1f}" y2="{yy:.1f}"/>'
            )
        parts.append(
            f'<text class="tick" x="{cx:.1f}" y="{top + plot_h + 12}" text-anchor="middle">'
            f"{esc(fy)}</text>"
        )
    axis_y = AXIS_LABEL_FR.get(ind.unit, "Valeur")
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>'
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
        f'y2="{top + plot_h}"/>'
        f'<text class="axis-label" x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{esc(axis_y)}</text>'
        f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{top + plot_h + 25}" '
        f'text-anchor="middle">Année financière</text>'
        f'<rect x="{left}" y="{height - 10}" width="9" height="7" fill="#4a4f57"/>'
        f'<text class="tick" x="{left + 12}" y="{height - 3}">Résultat</text>'
        f'<line class="target" x1="{left + 70}" y1="{height - 6}" x2="{left + 90}" '
        f'y2="{height - 6}"/>'
        f'<text class="tick" x="{left + 94}" y="{height - 3}">Cible (seuil)</text>'
        "</svg>"
    )
    return "".join(parts)


def _indicator_block(ind: _Indicator, fiscal_years: Sequence[str], notes: _Footnotes) -> str:
    row = ind.row
    marks = ""
    assumptions = parse_assumptions(row.get("assumptions"))
    if assumptions:
        marks = notes.mark(
            f"Indicateur {esc(row['indicator_id'])} — hypothèses : "
            + " ; ".join(esc(a) for a in assumptions)
        )
    chart = _chart(ind, fiscal_years) if ind.unit in NUMERIC_UNITS else ""
    lines = []
    for i, fy in enumerate(fiscal_years):
        year = ind.years.get(fy, _Year())
        target_text = esc((year.target or {}).get("text_fr")) or "—"
        result_text = _result_text(ind, year)
        reason = (year.result or {}).get("reason")
        if reason:
            result_text += notes.mark(f"{esc(fy)}, indicateur {esc(row['indicator_id'])} : "
                                      f"{esc(reason)}")  # fmt: skip
        evaluation = year.evaluation or {}
        status_html = _badge(evaluation.get("status"), evaluation.get("status_fr"))
        if evaluation.get("note"):
            status_html += notes.mark(
                f"{esc(fy)}, indicateur {esc(row['indicator_id'])} : {esc(evaluation['note'])}"
            )
        first = ""
        if i == 0:
            first = (
                f'<td class="indicator" rowspan="{len(fiscal_years)}">'
                f'<span class="ind-id">{esc(row["indicator_id"])}</span> '
                f'<span class="ind-text">{esc(row["text_fr"])}</span>{marks}{chart}</td>'
            )
        lines.append(
            f'<tr>{first}<td class="fy">{esc(fy)}</td><td class="target">{target_text}</td>'
            f'<td class="result">{result_text}</td><td class="status">{status_html}</td></tr>'
        )
    return f'<tbody class="indicator-block">{"".join(lines)}</tbody>'


def _group_row(css: str, label: str, text: Any) -> str:
    return (
        f'<tbody class="group"><tr class="{css}"><th colspan="5" scope="colgroup">'
        f"{label} {esc(text)}</th></tr></tbody>"
    )


def _results_table(plan: _Plan, notes: _Footnotes) -> str:
    parts = [
        '<table class="results"><thead><tr><th scope="col">Indicateur</th>'
        '<th scope="col">Année</th><th scope="col">Cible</th><th scope="col">Résultat</th>'
        '<th scope="col">Statut</th></tr></thead>'
    ]
    current: tuple[Any, Any, Any] = (object(), object(), object())
    for ind in plan.indicators:
        key = (ind.row.get("enjeu"), ind.row.get("orientation"), ind.row.get("objective"))
        if key[0] != current[0] and key[0]:
            parts.append(_group_row("enjeu", "Enjeu", key[0]))
        if key[:2] != current[:2] and key[1]:
            parts.append(_group_row("orientation", "Orientation", key[1]))
        if key != current and key[2]:
            parts.append(_group_row("objective", "Objectif", key[2]))
        current = key
        parts.append(_indicator_block(ind, plan.fiscal_years, notes))
    parts.append("</table>")
    return "".join(parts)


def _summary(plan: _Plan) -> str:
    """How many indicators have each status, per fiscal year."""
    counts = {fy: dict.fromkeys(STATUSES, 0) for fy in plan.fiscal_years}
    other: dict[str, dict[str, int]] = {fy: {} for fy in plan.fiscal_years}
    for ind in plan.indicators:
        for fy in plan.fiscal_years:
            ev = (ind.years.get(fy) or _Year()).evaluation
            if not ev:
                continue
            if ev["status"] in counts[fy]:
                counts[fy][ev["status"]] += 1
            else:
                other[fy][ev["status"]] = other[fy].get(ev["status"], 0) + 1
    head = "".join(f'<th scope="col">{esc(fy)}</th>' for fy in plan.fiscal_years)
    body = []
    for status in STATUSES:
        if not any(counts[fy][status] for fy in plan.fiscal_years):
            continue
        cells = "".join(f"<td>{counts[fy][status]}</td>" for fy in plan.fiscal_years)
        body.append(f'<tr><th scope="row">{_badge(status, STATUS_FR[status])}</th>{cells}</tr>')
    for status in sorted({s for fy in other.values() for s in fy}):
        cells = "".join(f"<td>{other[fy].get(status, 0)}</td>" for fy in plan.fiscal_years)
        body.append(f'<tr><th scope="row">{_badge(status, status)}</th>{cells}</tr>')
    totals = "".join(
        f"<td>{sum(counts[fy].values()) + sum(other[fy].values())}</td>" for fy in plan.fiscal_years
    )
    body.append(f'<tr class="total"><th scope="row">Total évalué</th>{totals}</tr>')
    return (
        '<table class="summary"><caption>Sommaire des résultats : nombre d\'indicateurs '
        f'par statut</caption><thead><tr><th scope="col">Statut</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _date_fr(day: dt.date | None) -> str:
    return esc(day.isoformat()) if day else "non disponible"


def _plan_section(plan: _Plan, index: int) -> str:
    notes = _Footnotes(f"p{index}-fn")
    p = plan.row
    table = _results_table(plan, notes)
    source = f" · source : {esc(p['source'])}" if p.get("source") else ""
    return (
        f'<section class="plan" id="plan-{index}">'
        f'<p class="organisation">{esc(p["organisation"])}</p>'
        f"<h2>{esc(p['title'])}</h2>"
        f'<p class="meta">Années financières {esc(plan.fiscal_years[0])} à '
        f"{esc(plan.fiscal_years[-1])} · données au {_date_fr(plan.data_as_of)}{source}</p>"
        f"{_summary(plan)}<h3>Résultats par indicateur</h3>{table}{notes.render()}</section>"
    )


CSS = """
:root { --ink: #1a1a1a; --rule: #c9ccd1; --head: #e9edf2; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 2rem auto;
  max-width: 1100px; padding: 0 1rem; line-height: 1.35; font-size: 14px; }
header { border-bottom: 3px solid #223b70; margin-bottom: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; color: #223b70; }
h2 { font-size: 1.35rem; margin: .1rem 0 .3rem; color: #223b70; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
.organisation { margin: 2rem 0 0; font-weight: bold; text-transform: uppercase;
  letter-spacing: .03em; color: #444; }
.meta, .generated { color: #444; margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--rule); padding: .35rem .5rem; vertical-align: top;
  text-align: left; }
thead th { background: var(--head); }
.summary { width: auto; margin: .8rem 0; }
.summary caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
.summary td { text-align: right; min-width: 6.5rem; }
.summary tr.total th, .summary tr.total td { font-weight: bold; }
.results td.indicator { width: 40%; }
.ind-id { font-weight: bold; }
tr.enjeu th { background: #223b70; color: #fff; }
tr.orientation th { background: #cfd9ea; }
tr.objective th { background: #f1f4f9; font-weight: normal; font-style: italic; }
td.fy { white-space: nowrap; }
.badge { display: inline-block; padding: .1rem .45rem; border-radius: .8rem;
  font-size: .85em; font-weight: bold; white-space: nowrap; }
.badge-none, .badge-unknown { background: #e0e0e0; color: var(--ink); }
.footnotes { font-size: .85em; color: #333; margin-top: .6rem; }
.fn-mark a { text-decoration: none; }
svg.chart { display: block; margin-top: .5rem; }
svg.chart .grid { stroke: #e3e5e8; stroke-width: 1; }
svg.chart .axis { stroke: #555; stroke-width: 1; }
svg.chart .target { stroke: #111; stroke-width: 2; stroke-dasharray: 5 3; }
svg.chart text { font-family: Arial, sans-serif; fill: #333; }
svg.chart .tick { font-size: 9px; }
svg.chart .val { font-size: 8px; }
svg.chart .axis-label { font-size: 10px; font-weight: bold; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.plan { break-before: page; }
  section.plan:first-of-type { break-before: auto; }
  tbody.indicator-block, .summary, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; }
}
"""


def _status_css() -> str:
    return "".join(
        f".badge-{s} {{ background: {bg}; color: {fg}; }}\n"
        for s, (bg, fg) in STATUS_COLOURS.items()
    )


def _generated_text(generated_at: dt.datetime) -> str:
    local = generated_at.astimezone(LOCAL_TZ) if generated_at.tzinfo else generated_at
    return f"{local:%Y-%m-%d} à {local.hour} h {local:%M}"


def render_report(
    engine: Engine,
    *,
    plan_ids: list[str] | None = None,
    generated_at: dt.datetime | None = None,
) -> str:
    """The whole report as one HTML document; `plan_ids` narrows it to some plans."""
    plans = _load(engine, plan_ids)
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    dates = [d for d in (p.data_as_of for p in plans) if d]
    as_of = max(dates) if dates else None
    sections = "".join(_plan_section(p, i) for i, p in enumerate(plans, 1))
    if not plans:
        sections = "<p>Aucun plan stratégique dans l'entrepôt.</p>"
    title = "Résultats des plans stratégiques — rapport annuel de gestion"
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}{_status_css()}</style></head><body>"
        f"<header><h1>{title}</h1>"
        f'<p class="generated">Généré le {_generated_text(generated_at)} · '
        f"données au {_date_fr(as_of)}</p></header>"
        f"<main>{sections}</main></body></html>\n"
    )


def write_report(
    engine: Engine,
    out: Path,
    *,
    plan_ids: list[str] | None = None,
    generated_at: dt.datetime | None = None,
) -> Path:
    """Render the report to `out` (UTF-8), creating its folder."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        render_report(engine, plan_ids=plan_ids, generated_at=generated_at), encoding="utf-8"
    )
    return out


__all__ = [
    "format_number",
    "format_value",
    "parse_assumptions",
    "render_report",
    "write_report",
]
