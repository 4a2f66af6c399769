"""What a layout reader takes out of a plan's text, before any wording is interpreted."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from plan_indicators.drafting.text import squash

NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$", re.S)


@dataclass
class RawTarget:
    wording: str
    fiscal_year: str | None  # the table's column; None when the text gives no year
    line: int


@dataclass
class RawIndicator:
    number: str | None  # as printed ("1.1.2"); None when the plan numbers only the objective
    text_fr: str
    enjeu: str
    orientation: str
    objective: str
    objective_number: str
    line: int
    targets: list[RawTarget] = field(default_factory=list)


@dataclass
class RawPlan:
    layout: str
    indicators: list[RawIndicator]
    fiscal_years: list[str] = field(default_factory=list)  # from the table's columns
    notes: list[str] = field(default_factory=list)  # lines the reader could not place


def heading(number: str, text: str) -> str:
    """Enjeu and orientation wording as the catalogs write it: "1 — L'accès aux services"."""
    return f"{number} — {squash(text)}"


def join_lines(parts: list[str]) -> str:
    """Wrapped wording rejoined: one space per wrap, none after a hyphen that ends a line."""
    text = ""
    for part in (squash(p) for p in parts):
        if not part:
            continue
        text = f"{text}{part}" if text.endswith("-") or not text else f"{text} {part}"
    return text


def name_unnumbered(indicators: list[RawIndicator]) -> None:
    """Ids for indicators the plan does not number: the objective's number, or "<objective>-a",
    "-b"… in the text's order when the objective has several (the hand catalogs' rule)."""
    groups: dict[str, list[RawIndicator]] = {}
    for ind in indicators:
        if ind.number is None and ind.objective_number:
            groups.setdefault(ind.objective_number, []).append(ind)
    for number, members in groups.items():
        if len(members) == 1:
            members[0].number = number
            continue
        for letter, ind in zip(string.ascii_lowercase, members, strict=False):
            ind.number = f"{number}-{letter}"
