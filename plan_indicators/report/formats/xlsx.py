"""XLSX: the results table as a workbook, one sheet per plan, numbers as number cells.

Numbers are written unrounded with a one-decimal (or whole-count) display format, so sums and
charts made in Excel use the real values while the sheet reads like the report; dates are date
cells; texts are always text cells, never formulas, whatever they start with ("=", "+").
"""

from __future__ import annotations

import io
import re

from plan_indicators.report.formats import Renderer
from plan_indicators.report.table import COLUMNS, rows
from plan_indicators.report.view import ReportView

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTHS = {"text": 24, "number": 12, "date": 12, "bool": 10}
_WIDE = {"indicator_text_fr": 60, "target_text_fr": 40, "enjeu": 30, "orientation": 30,
         "objective": 30, "notes_fr": 40, "note_fr": 40, "explanation_fr": 60}  # fmt: skip


def _sheet_title(plan_id: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_FORBIDDEN.sub("-", plan_id)[:31] or "plan"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _number_format(unit: str, value: float) -> str:
    """The display of a number cell; an amount in dollars reads as the report prints it (the
    trailing commas scale the display by thousands: 1 500 000 000 shows "1,5 G$")."""
    if unit == "currency":
        size = abs(float(value))
        if size >= 999_950_000:
            return '#,##0.0,,," G$"'
        if size >= 999_999.5:
            return '#,##0.0,," M$"'
        return '#,##0" $"'
    if unit == "count" and float(value).is_integer():
        return "#,##0"
    return "#,##0.0"


def render_xlsx(view: ReportView) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = "Résultats des plans stratégiques"
    wb.properties.description = (
        f"Résultats jusqu'à l'année financière {view.reporting_year}, "
        f"état au {view.as_of.isoformat()}"
    )
    taken: set[str] = set()
    plans = view.plans or [None]
    for plan in plans:
        ws = wb.create_sheet(_sheet_title(plan.plan_id if plan else "Résultats", taken))
        ws.append([c.label_fr for c in COLUMNS])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(rows(view, plan) if plan else (), start=2):
            for col, column in enumerate(COLUMNS, start=1):
                value = row[column.key]
                cell = ws.cell(row=r, column=col)
                if value is None:
                    continue
                if column.kind == "text":
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                    cell.data_type = "s"  # never a formula, even for "=..." or "+2 %"
                elif column.kind == "number":
                    cell.value = float(value)
                    cell.number_format = _number_format(row["unit"], value)
                elif column.kind == "date":
                    cell.value = value
                    cell.number_format = "yyyy-mm-dd"
                else:
                    cell.value = bool(value)
        for col, column in enumerate(COLUMNS, start=1):
            width = _WIDE.get(column.key, _WIDTHS[column.kind])
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(ws.max_row, 1)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


RENDERER = Renderer(
    name="xlsx",
    suffix=".xlsx",
    description="classeur Excel, une feuille par plan, nombres en cellules numériques",
    render=render_xlsx,
)
