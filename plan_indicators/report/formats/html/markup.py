"""HTML pieces shared by the document and the chart: escaping, status badges, footnotes.

Every text read from the warehouse goes through `esc`: plan wording comes from YAML and notes
from people, and neither must be able to run code in a reader's browser.
"""

from __future__ import annotations

import html
from typing import Any

from plan_indicators.formatting import NBSP, NNBSP
from plan_indicators.report.formats.html.css import PROJECTION_COLOURS, STATUS_COLOURS
from plan_indicators.statuses import STATUS_FR


def esc(value: Any) -> str:
    """Escape any data text for HTML content and attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def cell_text(value: Any) -> str:
    """Escaped text for a table cell, with a no-break space where the French formats put a
    narrow one: the cell is copied into spreadsheets, which read U+202F as text, not a number."""
    return esc("" if value is None else str(value).replace(NNBSP, NBSP))


def badge(status: str | None, status_fr: str | None) -> str:
    if not status:
        return '<span class="badge badge-none">—</span>'
    label = status_fr or STATUS_FR.get(status, status)
    css = status if status in STATUS_COLOURS or status in PROJECTION_COLOURS else "unknown"
    return f'<span class="badge badge-{esc(css)}">{esc(label)}</span>'


class Footnotes:
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


def evidence_html(evidence: str) -> str:
    """Each `" ; "`-separated reference escaped; a web address becomes a link, so a reader
    reaches the document the result rests on."""
    parts = []
    for ref in evidence.split(" ; "):
        if ref.startswith(("https://", "http://")):
            parts.append(f'<a href="{esc(ref)}">{esc(ref)}</a>')
        else:
            parts.append(esc(ref))
    return " ; ".join(parts)
