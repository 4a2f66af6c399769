"""The report's stylesheet and status colours: inline in the document, so it needs no network."""

from __future__ import annotations

STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "met": ("#1e7b34", "#ffffff"),
    "not_met": ("#b3261e", "#ffffff"),
    "in_progress": ("#1f5fa8", "#ffffff"),
    "baseline": ("#6b6f76", "#ffffff"),
    "not_applicable": ("#6b6f76", "#ffffff"),
    "no_data": ("#f2b01e", "#1a1a1a"),
    "met_late": ("#e8730c", "#1a1a1a"),
    "not_started": ("#dfe3e8", "#1a1a1a"),
}
NEUTRAL = "#4a4f57"
PROJECTION_COLOURS: dict[str, tuple[str, str]] = {
    "on_track": ("#d7ecdc", "#14532d"),
    "at_risk": ("#f9dedc", "#7f1d1d"),
}

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
.scorecard { font-size: 1.05rem; font-weight: bold; margin: .6rem 0; }
.projection { display: block; font-size: .85rem; margin-top: .25rem; }
.regions { width: auto; margin: .8rem 0 1.2rem; }
.regions caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
.regions td { text-align: right; min-width: 5.5rem; }
.regions-note { font-size: .85rem; color: #444; }
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
.baseline, .partial { display: inline-block; width: 100%; font-size: .85em; color: #444;
  margin-top: .15rem; }
.partial { font-style: italic; }
.evidence { display: inline-block; width: 100%; font-size: .85em; color: #333; }
p.explanation { margin: 0; font-size: .9em; color: #222; max-width: 60em; }
.explanation-title { font-weight: bold; }
.coverage { display: inline-block; width: 100%; font-size: .85em; color: #8a4b00;
  margin-top: .15rem; }
/* Copying the table into Word or Excel takes its text only: no chart labels, no note marks. */
svg.chart, .fn-mark { -webkit-user-select: none; user-select: none; }
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
  tbody.indicator-block, .summary, .regions, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; }
}
"""


def stylesheet() -> str:
    """The whole stylesheet: layout, then one badge rule per status."""
    badges = "".join(
        f".badge-{s} {{ background: {bg}; color: {fg}; }}\n"
        for s, (bg, fg) in {**STATUS_COLOURS, **PROJECTION_COLOURS}.items()
    )
    return CSS + badges
