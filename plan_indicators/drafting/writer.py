"""A draft written as catalog YAML in the hand catalogs' style (one line per target), with the
reasons for each guess as comments beside the fields they explain."""

from __future__ import annotations

import json
import re
from typing import Any

from plan_indicators.drafting.draft import Draft

_BARE = re.compile(r"^(?:[a-z_][a-z0-9_]*|\d{4}-\d{4})$")
_YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(int(value)) if float(value).is_integer() else repr(float(value))
    if value is None:
        return "null"
    text = str(value)
    if _BARE.match(text) and text not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value: Any) -> str:
    """A value on one line: `{kind: at_least, value: 50, text_fr: "≥ 50 %"}`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _line(indent: str, key: str, value: Any, comment: str = "") -> str:
    text = f"{indent}{key}: {flow(value)}"
    return f"{text}  # {comment}" if comment else text


def render(draft: Draft) -> str:
    plan = draft.plan
    to_choose = len(draft.measures_to_choose)
    out = [
        f"# Brouillon de catalogue écrit par `plan-indicators draft-plan` à partir de "
        f"{plan['source'] or 'un texte'}",
        f"# (disposition : {draft.layout}). Libellés recopiés du texte ; à relire avant usage :",
        f"# {to_choose} mesure(s) « à choisir » et {len(draft.open_questions)} question(s) "
        "ouverte(s) ci-dessous.",
        "# `plan-indicators validate-plan FICHIER` nomme ce qui reste à choisir.",
        "plan:",
    ]
    out += [_line("  ", key, value) for key, value in plan.items()]
    out += ["", "open_questions:" + ("" if draft.open_questions else " []")]
    out += [f"  - {scalar(q)}" for q in draft.open_questions]
    out += ["", "indicators:"]
    for ind in draft.indicators:
        for pos, (key, value) in enumerate(ind.fields.items()):
            indent = "  - " if pos == 0 else "    "
            comment = ind.comments.get(key, "")
            if key == "targets" and value:
                out.append(f"{indent}targets:")
                out += [_line("      ", fy, target) for fy, target in value.items()]
            else:
                out.append(_line(indent, key, value, comment))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
