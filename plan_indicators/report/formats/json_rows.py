"""JSON: the results table as open data, with what the table was drawn for.

`rows` holds one object per plan, indicator and fiscal year under the same keys as the CSV;
numbers are JSON numbers (unrounded), dates ISO strings, a missing value `null`. `columns`
describes each key in French for whoever reads the file without this project.
"""

from __future__ import annotations

import json

from plan_indicators.report.formats import Renderer
from plan_indicators.report.table import COLUMNS, plain, rows
from plan_indicators.report.view import ReportView


def render_json(view: ReportView) -> str:
    document = {
        "title": "Résultats des plans stratégiques",
        "generated_at": view.generated_at.isoformat(),
        "as_of": view.as_of.isoformat(),
        "reporting_year": view.reporting_year,
        "plans": [
            {
                "plan_id": p.plan_id,
                "organisation": p.organisation,
                "title": p.title,
                "fiscal_years": list(p.fiscal_years),
                "reported_years": list(p.reported_years),
            }
            for p in view.plans
        ],  # fmt: skip
        "columns": [{"key": c.key, "label_fr": c.label_fr, "type": c.kind} for c in COLUMNS],
        "rows": [{k: plain(v) for k, v in row.items()} for row in rows(view)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


RENDERER = Renderer(
    name="json",
    suffix=".json",
    description="données ouvertes, une ligne par plan, indicateur et année (UTF-8)",
    render=lambda view: render_json(view).encode("utf-8"),
)
