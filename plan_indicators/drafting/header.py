"""The plan's own header in its text: the organisation, the title and its years, the plan id."""

from __future__ import annotations

import re

from plan_indicators.drafting.text import fold, squash

_BODIES = (
    "Office|Ministère|Commission|Régie|Secrétariat|Société|Conseil|Autorité|Bureau|Agence"
    "|Institut|Tribunal|Curateur|Protecteur|Commissaire|Directeur|Vérificateur|Centre|Fonds"
)
_BODY_LINE = re.compile(rf"^(?:{_BODIES})\b[^.:;]*$")
_BODY_IN_TEXT = re.compile(rf"\b(?:{_BODIES})\b(?:\s+[^\s.,;:()]+){{0,10}}?\s+du Québec\b")
_TITLE = re.compile(r"\bplan\s+strat[ée]gique\s+(\d{4})\s*[-–]\s*(\d{4})\b", re.I)
_STOP_WORDS = {
    "de", "des", "du", "la", "le", "les", "l", "d", "et", "en", "a", "au", "aux", "pour", "sur",
}  # fmt: skip


def find_organisation(text: str) -> str | None:
    """A line that is a public body's name, else the first "… du Québec" body named in prose."""
    for line in text.splitlines():
        line = squash(line)
        if _BODY_LINE.match(line) and len(line.split()) <= 12:
            return line
    match = _BODY_IN_TEXT.search(squash(text))
    return match.group(0) if match else None


def find_period(text: str) -> tuple[int, int] | None:
    """First and last calendar years of "Plan stratégique 2024-2028"."""
    match = _TITLE.search(text)
    if not match or int(match.group(2)) <= int(match.group(1)):
        return None
    return int(match.group(1)), int(match.group(2))


def title_for(first: int, last: int) -> str:
    return f"Plan stratégique {first}-{last}"


def plan_id(organisation: str | None, first: int, last: int) -> str:
    """The organisation's initials (articles and prepositions left out), then the years."""
    words = re.findall(r"[a-z0-9]+", fold(organisation or ""))
    initials = "".join(w[0] for w in words if w not in _STOP_WORDS) or "plan"
    return f"{initials}-{first}-{last}"
