"""The measures reference, written from the measures' own declarations (`@measure(…)` and their
`Param`s): `plan-indicators measures` prints it, `docs/measures.md` is it in Markdown.

An analyst choosing a measure for an indicator reads here what it counts, the landing-zone
folders it reads, the units it fits, whether it computes a denominator, and every parameter
with its type, default and accepted values, without opening the code.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from plan_indicators.measures import Measure, Param, registry

ROOT = Path(__file__).resolve().parent.parent
_SOURCE_HEADING = re.compile(r"^#### (4\.7\.\d+) `([a-z_]+)`", re.M)


def source_sections(root: Path = ROOT) -> dict[str, str]:
    """The docs/contracts.md section of each landing-zone source (`activity_register` → 4.7.9)."""
    text = (root / "docs" / "contracts.md").read_text(encoding="utf-8")
    return {m.group(2): m.group(1) for m in _SOURCE_HEADING.finditer(text)}


def paragraphs(m: Measure) -> list[str]:
    """The measure's docstring, one string per paragraph."""
    return [" ".join(p.split()) for p in m.doc.split("\n\n") if p.strip()]


def example(m: Measure) -> str:
    """The catalog lines that name the measure, with its required parameters."""
    params = {p.name: p.example for p in m.parameters() if p.required}
    spec: dict = {"name": m.name}
    if params:
        spec["params"] = params
    text = yaml.safe_dump(
        {"measure": spec}, allow_unicode=True, sort_keys=False, default_flow_style=None
    )
    return text.rstrip("\n")


def filters(m: Measure) -> list[tuple[str, str]]:
    """(source, column) pairs a catalog `filter` may select rows on, for this measure."""
    from plan_indicators.sources.contracts import CONTRACTS

    return [(s, c) for s in m.sources for c in CONTRACTS[s].filters]


def _allowed(p: Param) -> str:
    choices = p.choices()
    if choices:
        return ", ".join(f"`{c}`" for c in choices)
    bounds = []
    if p.minimum is not None:
        bounds.append(f"≥ {p.minimum:g}")
    if p.maximum is not None:
        bounds.append(f"≤ {p.maximum:g}")
    return ", ".join(bounds)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown(root: Path = ROOT) -> str:
    """docs/measures.md."""
    sections = source_sections(root)
    measures = sorted(registry().items())
    lines = [
        "# Measures reference",
        "",
        "<!-- Generated from the declarations of plan_indicators/measures/ by `python -m "
        "plan_indicators.docgen`. Edit the `@measure(…)` and its `Param`s there, not this file. "
        "-->",
        "",
        "Every measure an indicator's `measure.name` can name (docs/contracts.md §2.6), with "
        "what it counts, the landing-zone folders it reads, the units its value fits (the "
        "indicator's `unit` must be one of them), whether it computes a denominator, and the "
        "parameters `measure.params` may give. `plan-indicators measures` prints the same; "
        "`plan-indicators measures --unit percent` only those that fit a unit. Rows count in "
        "the fiscal year of their date and not after the as-of date (§1.2, §1.7); a missing "
        "input gives no value, with a French reason (`no_data`), never a zero (§3.2).",
        "",
        "| measure | plan wording it answers | units | reads |",
        "|---|---|---|---|",
    ]
    for name, m in measures:
        lines.append(
            f"| [`{name}`](#{name}) | {_cell(m.label_fr)} | {', '.join(m.units)} | "
            f"{', '.join(f'`{s}`' for s in m.sources)} |"
        )
    for name, m in measures:
        reads = ", ".join(
            f"`{s}/` (§{sections[s]})" if s in sections else f"`{s}/`" for s in m.sources
        )
        lines += ["", f"## {name}", "", f"*{m.label_fr}*", ""]
        lines += [*(f"{p}\n" for p in paragraphs(m))]
        lines += [
            f"- Units: {', '.join(f'`{u}`' for u in m.units)}",
            f"- Reads: {reads}",
            "- Denominator: "
            + (
                "yes, published with every value (`indicator_result.denominator`)"
                if m.computes_denominator
                else "no"
            ),
        ]
        cols = filters(m)
        if cols:
            lines.append(
                "- Filter (`measure.filter`): "
                + ", ".join(f"`{c}` of `{s}`" for s, c in cols)
                + " (§2.6)"
            )
        params = m.parameters()
        if params:
            lines += ["", "| parameter | type | default | accepted values | meaning |"]
            lines.append("|---|---|---|---|---|")
            for p in params:
                default = (
                    "required"
                    if p.required
                    else "—"
                    if p.default is None
                    else f"`{p.default_text()}`"
                )
                lines.append(
                    f"| `{p.name}` | {p.type_text()} | {default} | {_allowed(p)} | {_cell(p.doc)} |"
                )
        else:
            lines += ["", "No parameters."]
        lines += ["", "```yaml", example(m), "```"]
    return "\n".join(lines) + "\n"


def text(names: list[str] | None = None, unit: str | None = None) -> str:
    """What `plan-indicators measures` prints: the same facts, for a terminal."""
    found = sorted(registry().items())
    if names:
        found = [(n, m) for n, m in found if n in names]
    if unit:
        found = [(n, m) for n, m in found if unit in m.units]
    out = []
    for name, m in found:
        out.append(f"{name} — {m.label_fr}")
        for p in paragraphs(m):
            out.append(f"    {p}")
        out.append(f"    units: {', '.join(m.units)}")
        out.append(f"    reads: {', '.join(m.sources)}")
        out.append(f"    denominator: {'yes' if m.computes_denominator else 'no'}")
        cols = filters(m)
        if cols:
            out.append("    filter: " + ", ".join(f"{c} ({s})" for s, c in cols))
        params = m.parameters()
        out.append("    params:" + ("" if params else " none"))
        for p in params:
            allowed = _allowed(p).replace("`", "")
            out.append(
                f"      {p.name}: {p.type_text()}, "
                + ("required" if p.required else f"default {p.default_text()}")
                + (f"; accepted: {allowed}" if allowed else "")
                + f" — {p.doc}"
            )
        out.append("    catalog:")
        out += [f"      {line}" for line in example(m).splitlines()]
        out.append("")
    return "\n".join(out)
