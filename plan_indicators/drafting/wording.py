"""A target's wording ("≥ 50 %", "hiver 2021", "+2 % par rapport à la mesure de départ
(2023-2024)") turned into a catalog target kind and its numbers (docs/contracts.md §2.4).

`read_target` reads one wording on its own, trying the rules every target kind declares
(`plan_indicators.target_kinds`, `draft_rules`) in their order: the first that decides wins. What
it cannot know from the words alone is left for the draft to settle (see `reading.Reading`).
"""

from __future__ import annotations

from plan_indicators.drafting.reading import PER_YEAR, Reading
from plan_indicators.drafting.text import fold, squash
from plan_indicators.target_kinds import draft_rules

__all__ = ["Reading", "read_target"]


def read_target(text: str) -> Reading:
    """The kind and numbers of one target wording; `kind` is None when the words do not say."""
    reading = Reading(squash(text))
    folded = fold(reading.text_fr).rstrip(" .;:")
    if not folded:
        reading.notes.append("cible vide")
        return reading
    reading.every_year = bool(PER_YEAR.search(folded))
    for _, rule in draft_rules():
        if rule(folded, reading):
            return reading
    return reading
