"""One inline SVG chart per numeric indicator: bars for results, dashed ticks for thresholds.

Inline SVG needs no script, font or network, and prints as sharply as the text around it.
"""

from __future__ import annotations

import math

from plan_indicators.formatting import format_number, format_value
from plan_indicators.report.formats.html.css import NEUTRAL, STATUS_COLOURS
from plan_indicators.report.formats.html.markup import esc
from plan_indicators.report.view import IndicatorView
from plan_indicators.statuses import STATUS_FR, STATUSES

AXIS_LABEL_FR = {
    "percent": "Pourcentage (%)",
    "count": "Nombre",
    "score": "Score",
    "days": "Jours",
    "currency": "Montant ($)",
}


def _nice_ceiling(x: float) -> float:
    if x <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(x))
    for f in (1, 2, 2.5, 5, 10):
        if x <= f * exp + 1e-12:
            return f * exp
    return 10 * exp


def _axis_number(x: float, unit: str) -> str:
    """A tick label; amounts in dollars as the table prints them ("500,0 M$"), so a tick of a
    billion does not run into the axis title."""
    if unit == "currency":
        return format_value(x, unit)
    return format_number(x, 0 if float(x).is_integer() else 1)


def _bar_value(y) -> float | None:
    """What a bar shows: the value its threshold was compared with (the cumul to that year,
    for a cumulative target), else the year's own result, so bar and dashed tick compare."""
    return y.compared if y.compared is not None else y.value


LEGEND_ROW = 12
CHAR_W = 5.0  # generous average width of a 9 px Arial character, to wrap the legend


def _legend_items(statuses: list[str | None]) -> list[tuple[str, str]]:
    """(colour, label) for each status drawn, in the order of the status list."""
    present = set(statuses)
    order = [s for s in STATUSES if s in present]
    order += sorted(s for s in present if s and s not in STATUSES)
    items = [(STATUS_COLOURS.get(s, (NEUTRAL, ""))[0], STATUS_FR.get(s, s)) for s in order if s]
    if None in present:
        items.append((NEUTRAL, "Résultat"))
    return items


def _legend(items: list[tuple[str, str]], x0: float, y0: float, x_max: float) -> list[str]:
    """Swatches coloured as the bars, then the dashed threshold sample, wrapped in rows."""
    parts, x, y = [], x0, y0
    entries = [(colour, label, 12 + len(label) * CHAR_W + 10) for colour, label in items]
    entries.append((None, "Cible (seuil)", 24 + len("Cible (seuil)") * CHAR_W))
    for colour, label, w in entries:
        if x > x0 and x + w > x_max:
            x, y = x0, y + LEGEND_ROW
        if colour is None:
            parts.append(
                f'<line class="target" x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + 20:.1f}" '
                f'y2="{y - 3:.1f}"/><text class="tick" x="{x + 24:.1f}" y="{y:.1f}">'
                f"{esc(label)}</text>"
            )
        else:
            parts.append(
                f'<rect class="swatch" x="{x:.1f}" y="{y - 7:.1f}" width="9" height="7" '
                f'fill="{colour}"/><text class="tick" x="{x + 12:.1f}" y="{y:.1f}">'
                f"{esc(label)}</text>"
            )
        x += w
    return parts


def _legend_rows(items: list[tuple[str, str]], width: float) -> int:
    rows, x = 1, 0.0
    widths = [12 + len(label) * CHAR_W + 10 for _, label in items]
    for w in [*widths, 24 + len("Cible (seuil)") * CHAR_W]:
        if x > 0 and x + w > width:
            rows, x = rows + 1, 0.0
        x += w
    return rows


def chart(ind: IndicatorView) -> str:
    """Bars for results and dashed ticks for thresholds, one slot per fiscal year.

    Bars take their status's colour, and the legend names each colour drawn.
    """
    width = 300
    left, right, top = 48, 8, 12
    plot_w, plot_h = width - left - right, 114
    points = [(y.fiscal_year, _bar_value(y), y.threshold, y.status) for y in ind.years]
    legend = _legend_items([status for _, v, _, status in points if v is not None])
    height = top + plot_h + 32 + LEGEND_ROW * _legend_rows(legend, plot_w)

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
            f"{esc(_axis_number(v, ind.unit))}</text>"
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
    )
    parts.extend(_legend(legend, left, top + plot_h + 32 + LEGEND_ROW - 3, width - right))
    parts.append("</svg>")
    return "".join(parts)
