"""Text helpers shared by the layout readers and the wording rules of a catalog draft."""

from __future__ import annotations

import re
import unicodedata

# Thousands separators of French typography: space, no-break space, narrow no-break space.
_SPACES = " \u00a0\u202f\u2009"
NUMBER = re.compile(rf"\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:,\d+)?|\d+(?:[,.]\d+)?")
FISCAL_YEAR = re.compile(r"\b(\d{4})\s*[-–]\s*(\d{4})\b")


def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes and odd spaces: for matching only."""
    norm = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in norm if not unicodedata.combining(c))
    folded = folded.replace("’", "'").replace("‘", "'").replace("œ", "oe")
    return " ".join(folded.split())


def squash(text: str) -> str:
    """Line wraps, tabs and runs of spaces become one space: how wrapped wording is rejoined."""
    return " ".join(text.split())


def to_number(token: str) -> float:
    """A number written the French way ("1 000", "0,1", "287,0") as a float."""
    return float(re.sub(rf"[{_SPACES}]", "", token).replace(",", "."))


def plain(value: float) -> int | float:
    """2.0 -> 2, so drafts write numbers as a planner would."""
    return int(value) if float(value).is_integer() else value


def fiscal_key(first_year: int) -> str:
    return f"{first_year}-{first_year + 1}"


def fiscal_years_in(text: str) -> list[str]:
    """Fiscal-year keys written in a text ("2024-2025"), in order, without repeats."""
    keys = []
    for a, b in FISCAL_YEAR.findall(text):
        if int(b) == int(a) + 1 and fiscal_key(int(a)) not in keys:
            keys.append(fiscal_key(int(a)))
    return keys
