"""A target's wording ("≥ 50 %", "hiver 2021", "+2 % par rapport à la mesure de départ
(2023-2024)") turned into a catalog target kind and its numbers (docs/contracts.md §2.4).

`read_target` reads one wording on its own, trying the rules every target kind declares
(`plan_indicators.target_kinds`, `draft_rules`) in their order: the first that decides wins. What
it cannot know from the words alone is left for the draft to settle (see `reading.Reading`).
"""

from __future__ import annotations

import re

from plan_indicators.drafting.reading import PER_YEAR, Reading, single_number, value
from plan_indicators.drafting.reading import PERIOD as _PERIOD
from plan_indicators.drafting.text import fiscal_key, fold, plain, squash
from plan_indicators.target_kinds import DraftRule, draft_rules

__all__ = ["Reading", "read_target"]

CUMULATIVE = re.compile(r"\bcumul")


def read_target(text: str) -> Reading:
    """The kind and numbers of one target wording; `kind` is None when the words do not say."""
    reading = Reading(squash(text))
    folded = fold(reading.text_fr).rstrip(" .;:")
    if not folded:
        reading.notes.append("cible vide")
        return reading
    reading.every_year = bool(PER_YEAR.search(folded))
    for _, rule in _rules():
        if rule(folded, reading):
            return reading
    return reading


def _rules() -> list[tuple[int, DraftRule]]:
    return sorted([*draft_rules(), (50, _cumulative)], key=lambda p: p[0])


def _cumulative(folded: str, r: Reading) -> bool:
    """Cumulative: "Nombre cumulé … : 150", "… cumulés … : 1,5 G$", "20 % (de 2018 à 2022)"."""
    period = _PERIOD.search(folded)
    if not (CUMULATIVE.search(folded) or period):
        return False
    value_text = folded.rsplit(":", 1)[-1] if ":" in folded else folded
    parts = single_number(value_text, r)
    if parts is None:
        return True
    _, token, after = parts
    r.kind, r.when = "cumulative_at_least", "plan"
    r.fields = {"value": plain(value(after, token, r)), "from_year": None}
    r.bare = False
    if period:
        first, last = period.group(1), period.group(2)
        r.fields["from_year"] = first if "-" in first else fiscal_key(int(first))
        r.period_end = last if "-" in last else fiscal_key(int(last))
        r.when = "period"
        if "-" not in first:
            r.notes.append(
                f"période « de {first} à {last} » lue en années financières "
                f"{r.fields['from_year']} à {r.period_end}"
            )
    return True
