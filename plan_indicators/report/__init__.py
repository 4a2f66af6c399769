"""The results of the strategic plans as people read them: the annual report and its exports.

Three steps, one module each: `load` reads the published warehouse tables, `view` builds the
view model of the results (plans, enjeux, orientations, objectives, indicators, fiscal years),
and each module of `formats` renders that view into one file format. Renderers read only the
view, so the HTML report and every export show the same numbers and statuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from plan_indicators.formatting import format_number, format_value
from plan_indicators.report.formats import Renderer, renderer, renderers
from plan_indicators.report.load import read_warehouse
from plan_indicators.report.view import ReportView, build_view, parse_assumptions


def load_view(
    engine: Engine,
    *,
    plan_ids: Sequence[str] | None = None,
    generated_at: dt.datetime | None = None,
    as_of: dt.date | None = None,
    fiscal_year: str | None = None,
) -> ReportView:
    """The view model of the selected plans (all of them when `plan_ids` is None).

    `fiscal_year` is the reporting year (default: the last one ended at `as_of`, itself by
    default the day of `generated_at`, itself by default now).
    """
    rows = read_warehouse(engine, plan_ids)
    return build_view(
        rows,
        generated_at=generated_at or dt.datetime.now(dt.UTC),
        as_of=as_of,
        reporting_year=fiscal_year,
    )


def render_report(
    engine: Engine,
    *,
    plan_ids: list[str] | None = None,
    generated_at: dt.datetime | None = None,
    as_of: dt.date | None = None,
    fiscal_year: str | None = None,
) -> str:
    """The whole report as one HTML document; `plan_ids` narrows it to some plans."""
    from plan_indicators.report.formats.html import render_html

    view = load_view(
        engine, plan_ids=plan_ids, generated_at=generated_at, as_of=as_of, fiscal_year=fiscal_year
    )
    return render_html(view)


def write_output(view: ReportView, out: Path, fmt: str) -> Path:
    """Render `view` in format `fmt` to `out`, creating its folder."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(renderer(fmt).render(view))
    return out


def write_report(
    engine: Engine,
    out: Path,
    *,
    plan_ids: list[str] | None = None,
    generated_at: dt.datetime | None = None,
    as_of: dt.date | None = None,
    fiscal_year: str | None = None,
    fmt: str = "html",
) -> Path:
    """Render the report (or an export, `fmt`) to `out`, creating its folder."""
    view = load_view(
        engine, plan_ids=plan_ids, generated_at=generated_at, as_of=as_of, fiscal_year=fiscal_year
    )
    return write_output(view, out, fmt)


__all__ = [
    "Renderer",
    "ReportView",
    "build_view",
    "format_number",
    "format_value",
    "load_view",
    "parse_assumptions",
    "read_warehouse",
    "render_report",
    "renderer",
    "renderers",
    "write_output",
    "write_report",
]
