"""HTML: the annual report to read on screen, mail or print (document, stylesheet, charts)."""

from __future__ import annotations

from plan_indicators.report.formats import Renderer
from plan_indicators.report.formats.html.document import render_html
from plan_indicators.report.view import ReportView


def _render(view: ReportView) -> bytes:
    return render_html(view).encode("utf-8")


RENDERER = Renderer(
    name="html",
    suffix=".html",
    description="rapport annuel de gestion, un document HTML autonome",
    render=_render,
)

__all__ = ["RENDERER", "render_html"]
