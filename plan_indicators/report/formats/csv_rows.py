"""CSV: the results table as open data, one row per plan, indicator and fiscal year.

RFC 4180 (comma, double quotes, CRLF), UTF-8 with a byte-order mark so that a spreadsheet opened
by double-click reads the accents; numbers with a point and unrounded, dates ISO, booleans
`true`/`false`, nothing where there is no value. Texts are written verbatim, as open data must:
to work in a spreadsheet, the XLSX export is the one to open.
"""

from __future__ import annotations

import csv
import io

from plan_indicators.report.formats import Renderer
from plan_indicators.report.table import COLUMNS, plain, rows
from plan_indicators.report.view import ReportView


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(plain(value))


def render_csv(view: ReportView) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in COLUMNS])
    for row in rows(view):
        writer.writerow([_cell(row[c.key]) for c in COLUMNS])
    return out.getvalue()


RENDERER = Renderer(
    name="csv",
    suffix=".csv",
    description="données ouvertes, une ligne par plan, indicateur et année (UTF-8)",
    render=lambda view: render_csv(view).encode("utf-8-sig"),
)
