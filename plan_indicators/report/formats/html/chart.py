"""One inline SVG chart per numeric indicator: bars for results, dashed ticks for thresholds.

Inline SVG needs no script, font or network, and prints as sharply as the text around it.
"""

from __future__ import annotations

import math

from plan_indicators.formatting import format_number, format_value
from plan_indicators.report.formats.html.css import NEUTRAL, STATUS_COLOURS
from plan_indicators.report.formats.html.markup import esc
from plan_indicators.report.view import IndicatorView

AXIS_LABEL_FR = {
    "percent": "Pourcentage (%)",
    "count": "Nombre",
    "score": "Score",
    "days": "Jours",
}


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


def chart(ind: IndicatorView) -> str:
    """Bars for results and dashed ticks for thresholds, one slot per fiscal year."""
    width, height = 300, 170
    left, right, top, bottom = 48, 8, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    points = [(y.fiscal_year, y.value, y.threshold, y.status) for y in ind.years]

    numbers = [v for _, v, t, _ in points for v in (v, t) if v is not None]
    hi = _nice_ceiling(max([*numbers, 0.0]) * 1.05) if numbers else 1.0
    lo = -_nice_ceiling(-min(numbers) * 1.05) if numbers and min(numbers) < 0 else 0.0

    def y_of(v: float) -> float:
        return top + plot_h * (hi - v) / (hi - lo)

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Résultat et cible par année, indicateur {esc(ind.indicator_id)}">',
        f"<title>Résultat et cible par année — indicateur {esc(ind.indicator_id)}</title>",
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
            colour = STATUS_COLOURS.get(status or "", (NEUTRAL, ""))[0]
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
        f'<rect x="{left}" y="{height - 10}" width="9" height="7" fill="{NEUTRAL}"/>'
        f'<text class="tick" x="{left + 12}" y="{height - 3}">Résultat</text>'
        f'<line class="target" x1="{left + 70}" y1="{height - 6}" x2="{left + 90}" '
        f'y2="{height - 6}"/>'
        f'<text class="tick" x="{left + 94}" y="{height - 3}">Cible (seuil)</text>'
        "</svg>"
    )
    return "".join(parts)
