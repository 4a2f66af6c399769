"""What one target wording says (`Reading`), and the helpers the target kinds' wording rules
share: the numbers of a wording, the value of a number with its unit, a deadline phrase, a
count written in words (docs/contracts.md §2.4).

A rule may leave open what the words alone cannot know, flagged on the `Reading`: the sense of a
number written without sign (`bare`: "at least", or "at most" for an indicator where lower is
better), the baseline year of a relative target that names none, the start of a "par année"
target, and the fiscal years a wording without any year applies to (`when`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from plan_indicators.drafting.text import FISCAL_YEAR, NUMBER, to_number

SEASONS = {"printemps": "printemps", "ete": "été", "automne": "automne", "hiver": "hiver"}
MONTHS = {
    "janvier": "janvier", "fevrier": "février", "mars": "mars", "avril": "avril", "mai": "mai",
    "juin": "juin", "juillet": "juillet", "aout": "août", "septembre": "septembre",
    "octobre": "octobre", "novembre": "novembre", "decembre": "décembre",
}  # fmt: skip
_MONTH_NUMBER = {name: i for i, name in enumerate(MONTHS, start=1)}
NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
}  # fmt: skip

_SEASON = r"(printemps|ete|automne|hiver)\s+(\d{4})"
_MONTH = rf"({'|'.join(MONTHS)})\s+(\d{{4}})"
_DAY = rf"(\d{{1,2}})(?:er)?\s+{_MONTH}"
_ISO = r"(\d{4})-(\d{2})-(\d{2})"

PERIOD = re.compile(
    r"\(?\s*(?:de|du|entre)\s+(\d{4}(?:-\d{4})?)\s+(?:a|au|et)\s+(\d{4}(?:-\d{4})?)\s*\)?"
)
PER_YEAR = re.compile(
    r"\b(?:par annee|par an|chaque annee|tous les ans|par exercice|annuellement)\b"
)
PER_HALF = re.compile(r"\b(?:par semestre|chaque semestre|semestriellement|semestriel)")
_CURRENCY = re.compile(
    r"^\s*(k\$|m\$|g\$|md\$|\$|milliers? de dollars|millions? de dollars|milliards? de dollars"
    r"|millions? \$|milliards? \$|dollars?)"
)
_SCALE = {"k": 1e3, "millier": 1e3, "m": 1e6, "million": 1e6, "g": 1e9, "md": 1e9, "milliard": 1e9}
_DAYS = re.compile(r"^\s*(jours? ouvrables?|jours?)\b")
_OTHER_DURATION = re.compile(r"^\s*(heures?|semaines?|mois|ans?|annees?)\b")


@dataclass
class Reading:
    """What one target wording says, before the rest of the plan settles what it leaves open.

    `when` tells the fiscal years a wording without a year column applies to: "due" (the year of
    its deadline), "start" (every year from its start), "period" (the year that ends a pooled
    period, `period_end`) or "plan" (every year of the plan).
    """

    text_fr: str
    kind: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    when: str = "plan"
    unit: str | None = None
    lower: bool = False
    bare: bool = False
    bare_words: bool = False
    every_year: bool = False
    period_end: str | None = None
    business_days: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def read(self) -> bool:
        return self.kind is not None


def numbers(folded: str) -> list[str]:
    """Numbers of a wording once its fiscal years and pooled period are set aside."""
    rest = PERIOD.sub(" ", FISCAL_YEAR.sub(" ", folded))
    return NUMBER.findall(rest)


def date_phrase(folded: str) -> tuple[str, str, re.Match] | None:
    """The deadline a wording names: (kind of phrase, catalog text, match)."""
    for pattern, shape in ((_ISO, "iso"), (_DAY, "day"), (_SEASON, "season"), (_MONTH, "month")):
        match = re.search(pattern, folded)
        if not match:
            continue
        if shape == "iso":
            return shape, match.group(0), match
        if shape == "day":
            day, month, year = int(match.group(1)), _MONTH_NUMBER[match.group(2)], match.group(3)
            return shape, f"{year}-{month:02d}-{day:02d}", match
        names = SEASONS if shape == "season" else MONTHS
        return shape, f"{names[match.group(1)]} {match.group(2)}", match
    return None


def count_words(text: str) -> int | None:
    """The count a wording asks for: a number ("2 rencontres") or a word ("un guide")."""
    found = NUMBER.findall(text)
    if len(found) == 1 and to_number(found[0]).is_integer():
        return int(to_number(found[0]))
    if found:
        return None
    for word in re.findall(r"[a-z]+", text):
        if word in NUMBER_WORDS:
            return NUMBER_WORDS[word]
    return 1


def value(after: str, token: str, r: Reading) -> float:
    """A number with what follows it: "%" (percent), "M$" (currency), "jours" (days)."""
    amount = to_number(token)
    money = _CURRENCY.match(after)
    if after.startswith(("%", " %")) or after.lstrip().startswith("pour cent"):
        r.unit = "percent"
    elif money:
        r.unit = "currency"
        unit = money.group(1).rstrip("$ ").removesuffix(" de dollars").rstrip("s")
        amount *= _SCALE.get(unit, 1.0)
    elif days := _DAYS.match(after):
        r.unit = "days"
        r.business_days = "ouvrable" in days.group(1)
    elif other := _OTHER_DURATION.match(after):
        r.notes.append(
            f"délai exprimé en « {other.group(1)} » : le catalogue compte les délais en jours"
        )
    elif re.match(r"^\s*sur\s+\d", after):
        r.unit = "score"
    return amount


def single_number(folded: str, r: Reading) -> tuple[str, str, str] | None:
    """(words before, number, words after) of the one number of a wording, else a note."""
    found = numbers(folded)
    if len(found) != 1:
        if found:
            r.notes.append(f"{len(found)} nombres dans la cible : laquelle est la cible ?")
        return None
    rest = PERIOD.sub(" ", FISCAL_YEAR.sub(" ", folded))
    match = re.search(re.escape(found[0]), rest)
    return rest[: match.start()], found[0], rest[match.end() :]
