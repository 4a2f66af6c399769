"""A target's wording ("≥ 50 %", "hiver 2021", "+2 % par rapport à la mesure de départ
(2023-2024)") turned into a catalog target kind and its numbers (docs/contracts.md §2.4).

`read_target` reads one wording on its own. What it cannot know from the words alone is left
for the draft to settle with the rest of the plan, and flagged on the `Reading`: the sense of a
number written without sign (`bare`: "at least", or "at most" for an indicator where lower is
better), the baseline year of a relative target that names none, the start of a "par année"
target, and the fiscal years a wording without any year applies to (`when`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from plan_indicators.drafting.text import (
    FISCAL_YEAR,
    NUMBER,
    fiscal_key,
    fiscal_years_in,
    fold,
    plain,
    squash,
    to_number,
)

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
_START = re.compile(
    r"\b(?:a partir|a compter)\s+(?:de la |de l'|du |de |d')?|\bdes (?:l'|le |la )?(?=\w+ \d{4})"
)
_DEADLINE_FILLER = {
    "d", "ici", "au", "plus", "tard", "en", "a", "l", "le", "la", "de", "du", "fin", "avant",
    "pour", "des", "d'ici", "l'", "d'", "date", "limite", "echeance", "juste",
}  # fmt: skip

NOT_APPLICABLE = re.compile(r"s\.? ?o\.?|sans objet|n\.? ?a\.?|ne s'applique pas|non applicable")
FIRST_MEASURE = re.compile(r"premiere mesure|mesure de depart|mesure initiale|etablir la mesure")
PREVIOUS_YEAR = re.compile(r"annee precedente|annee anterieure|an dernier|annee d'avant")
_PERIOD = re.compile(
    r"\(?\s*(?:de|du|entre)\s+(\d{4}(?:-\d{4})?)\s+(?:a|au|et)\s+(\d{4}(?:-\d{4})?)\s*\)?"
)
CUMULATIVE = re.compile(r"\bcumul")
INCREASE = re.compile(
    r"^\+|^(?:augmentation|hausse|accroissement|croissance|progression|amelioration)\b"
    r"|\b(?:augmenter|accroitre|hausser|ameliorer)\b"
)
DECREASE = re.compile(
    r"^[-−–]\s*\d|^(?:diminution|reduction|baisse)\b|\b(?:diminuer|reduire|baisser)\b"
)
REFERENCE = re.compile(
    r"par rapport (?:a|au|aux)|comparativement (?:a|au)|relativement (?:a|au)|de plus qu"
    r"|mesure de depart|annee de reference|valeur de depart|niveau de depart|point de depart"
)
_AT_MOST = re.compile(
    r"(≤|<=|=<|<|\bpas plus de|\bau plus\b|\bau maximum\b|\bmaximum\b|\bun maximum de"
    r"|\bmoins de|\binferieure? (?:ou egale? )?a|\begale? ou inferieure? a|\bn'excedant pas"
    r"|\bne depassant pas|\bne pas depasser)"
)
_AT_LEAST = re.compile(
    r"(≥|>=|=>|>|\bau moins\b|\bminimum\b|\bun minimum de|\bplus de|\bsuperieure? (?:ou egale? )?a"
    r"|\begale? ou superieure? a)"
)
_STRICT = re.compile(r"^(?:<|>)$|moins de|plus de|inferieure? a|superieure? a")
PER_YEAR = re.compile(
    r"\b(?:par annee|par an|chaque annee|tous les ans|par exercice|annuellement)\b"
)
PER_HALF = re.compile(r"\b(?:par semestre|chaque semestre|semestriellement|semestriel)")
_POINTS = re.compile(r"^\s*(?:points? de pourcentage|points?|pts?|p\. ?p\.)\b")
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


def read_target(text: str) -> Reading:
    """The kind and numbers of one target wording; `kind` is None when the words do not say."""
    reading = Reading(squash(text))
    folded = fold(reading.text_fr).rstrip(" .;:")
    if not folded:
        reading.notes.append("cible vide")
        return reading
    reading.every_year = bool(PER_YEAR.search(folded))
    for rule in (_not_applicable, _no_number, _start, _deadline, _cumulative, _baseline, _count):
        if rule(folded, reading):
            return reading
    _threshold(folded, reading)
    return reading


def _numbers(folded: str) -> list[str]:
    """Numbers of a wording once its fiscal years and pooled period are set aside."""
    rest = _PERIOD.sub(" ", FISCAL_YEAR.sub(" ", folded))
    return NUMBER.findall(rest)


def _not_applicable(folded: str, r: Reading) -> bool:
    if NOT_APPLICABLE.fullmatch(folded):
        r.kind = "not_applicable"
        return True
    return False


def _no_number(folded: str, r: Reading) -> bool:
    """Wordings without a number: "Première mesure", "égale ou supérieure à l'année précédente"."""
    if _numbers(folded):
        return False
    if PREVIOUS_YEAR.search(folded):
        r.kind = "at_least_previous"
        r.lower = "inferieur" in folded
        return True
    if FIRST_MEASURE.search(folded):
        r.kind = "first_measure"
        return True
    return False


def _date_phrase(folded: str) -> tuple[str, str, re.Match] | None:
    """The deadline a wording names: (kind of phrase, catalog text, match)."""
    for pattern, kind in ((_ISO, "iso"), (_DAY, "day"), (_SEASON, "season"), (_MONTH, "month")):
        match = re.search(pattern, folded)
        if not match:
            continue
        if kind == "iso":
            return kind, match.group(0), match
        if kind == "day":
            day, month, year = int(match.group(1)), _MONTH_NUMBER[match.group(2)], match.group(3)
            return kind, f"{year}-{month:02d}-{day:02d}", match
        names = SEASONS if kind == "season" else MONTHS
        return kind, f"{names[match.group(1)]} {match.group(2)}", match
    return None


def _count_words(text: str) -> int | None:
    """The count a wording asks for: a number ("2 rencontres") or a word ("un guide")."""
    numbers = NUMBER.findall(text)
    if len(numbers) == 1 and to_number(numbers[0]).is_integer():
        return int(to_number(numbers[0]))
    if numbers:
        return None
    for word in re.findall(r"[a-z]+", text):
        if word in NUMBER_WORDS:
            return NUMBER_WORDS[word]
    return 1


def _start(folded: str, r: Reading) -> bool:
    """A recurring target from a date: "à partir de 2020", "dès l'automne 2020"."""
    match = _START.search(folded)
    if not match:
        return False
    after = folded[match.end() :]
    year = re.match(r"(\d{4})(?:-(\d{4}))?\b", after)
    phrase = _date_phrase(after)
    if year and year.group(2):
        start, used = f"{year.group(1)}-{year.group(2)}", year.group(0)
    elif phrase and phrase[2].start() == 0:
        start, used = phrase[1], phrase[2].group(0)
    elif year:
        start, used = f"à partir de {year.group(1)}", year.group(0)
    else:
        return False
    rest = (folded[: match.start()] + " " + after[len(used) :]).strip()
    count = _count_words(rest)
    if count is None or "%" in rest or "$" in rest:
        r.notes.append("cible récurrente dont le nombre par période n'a pas pu être lu")
        return True
    r.kind, r.when = "every_year_from", "start"
    r.fields = {"start": start, "min_count": count}
    if PER_HALF.search(rest):
        r.fields["per"] = "half_year"
    return True


def _deadline(folded: str, r: Reading) -> bool:
    """A milestone's due date: "hiver 2021", "d'ici juin 2019", "31 mars 2021"."""
    phrase = _date_phrase(folded)
    if not phrase:
        return False
    _, due, match = phrase
    rest = (folded[: match.start()] + " " + folded[match.end() :]).replace("'", "' ")
    words = re.findall(r"[^\s,.;:()]+", rest)
    if any(w not in _DEADLINE_FILLER for w in words):
        r.notes.append(f"échéance « {due} » avec d'autres termes : cible à transcrire")
        return True
    r.kind, r.when, r.fields = "deadline", "due", {"due": due}
    return True


def _value(after: str, token: str, r: Reading) -> float:
    """A number with what follows it: "%" (percent), "M$" (currency), "jours" (days)."""
    value = to_number(token)
    money = _CURRENCY.match(after)
    if after.startswith(("%", " %")) or after.lstrip().startswith("pour cent"):
        r.unit = "percent"
    elif money:
        r.unit = "currency"
        unit = money.group(1).rstrip("$ ").removesuffix(" de dollars").rstrip("s")
        value *= _SCALE.get(unit, 1.0)
    elif days := _DAYS.match(after):
        r.unit = "days"
        r.business_days = "ouvrable" in days.group(1)
    elif other := _OTHER_DURATION.match(after):
        r.notes.append(
            f"délai exprimé en « {other.group(1)} » : le catalogue compte les délais en jours"
        )
    elif re.match(r"^\s*sur\s+\d", after):
        r.unit = "score"
    return value


def _single_number(folded: str, r: Reading) -> tuple[str, str, str] | None:
    """(words before, number, words after) of the one number of a wording, else a note."""
    numbers = _numbers(folded)
    if len(numbers) != 1:
        if numbers:
            r.notes.append(f"{len(numbers)} nombres dans la cible : laquelle est la cible ?")
        return None
    rest = _PERIOD.sub(" ", FISCAL_YEAR.sub(" ", folded))
    match = re.search(re.escape(numbers[0]), rest)
    return rest[: match.start()], numbers[0], rest[match.end() :]


def _cumulative(folded: str, r: Reading) -> bool:
    """Cumulative: "Nombre cumulé … : 150", "… cumulés … : 1,5 G$", "20 % (de 2018 à 2022)"."""
    period = _PERIOD.search(folded)
    if not (CUMULATIVE.search(folded) or period):
        return False
    value_text = folded.rsplit(":", 1)[-1] if ":" in folded else folded
    parts = _single_number(value_text, r)
    if parts is None:
        return True
    _, token, after = parts
    r.kind, r.when = "cumulative_at_least", "plan"
    r.fields = {"value": plain(_value(after, token, r)), "from_year": None}
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


def _baseline(folded: str, r: Reading) -> bool:
    """Over a baseline: "+2 % …", "+2 points de pourcentage …", "+0,1 par rapport à …"."""
    up, down = INCREASE.search(folded), DECREASE.search(folded)
    if not (up or down or REFERENCE.search(folded)):
        return False
    parts = _single_number(folded, r)
    if parts is None:
        return True
    before, token, after = parts
    amount = to_number(token) * (-1 if down and not up else 1)
    years = fiscal_years_in(folded)
    baseline = years[0] if years else None
    if _POINTS.match(after):
        r.kind, r.fields = "points_over_baseline", {"points": plain(amount)}
        r.unit = "percent"
    elif after.lstrip().startswith("%"):
        r.kind, r.fields = "relative_to_baseline", {"percent": plain(amount)}
    else:
        r.kind, r.fields = "delta_over_baseline", {"delta": plain(amount)}
    r.fields["baseline_year"] = baseline
    r.lower = bool(down and not up)
    if not up and not down and not re.search(r"[+\-−–]\s*$", before):
        r.notes.append("écart à la mesure de départ sans signe : lu comme une hausse")
    return True


def _count(folded: str, r: Reading) -> bool:
    """At least N events each period: "un guide par année", "2 rencontres par semestre"."""
    per_half = bool(PER_HALF.search(folded))
    if not (r.every_year or per_half) or "%" in folded or "$" in folded:
        return False
    if "annuellement" in folded and NUMBER.search(folded):
        return False
    count = _count_words(folded)
    if count is None:
        return False
    r.kind, r.when = "every_year_from", "start"
    r.fields = {"start": None, "min_count": count}
    if per_half:
        r.fields["per"] = "half_year"
    return True


def _threshold(folded: str, r: Reading) -> None:
    """A threshold: "≥ 50 %", "≤ 15 jours ouvrables", "45 %", "2", "participation de 75 %"."""
    parts = _single_number(folded, r)
    if parts is None:
        if not r.notes:
            r.notes.append("aucun nombre ni échéance dans la cible")
        return
    before, token, after = parts
    value = _value(after, token, r)
    around = f"{before} # {after}"
    most, least = _AT_MOST.search(around), _AT_LEAST.search(around)
    if re.fullmatch(r"(19|20)\d\d", token) and not before.strip() and not after.strip():
        r.notes.append(f"une année seule (« {token} ») : échéance ou nombre ?")
        return
    r.fields = {"value": plain(value)}
    if most or least:
        r.kind = "at_most" if most else "at_least"
        r.lower = bool(most)
        if _STRICT.search((most or least).group(1)):
            r.notes.append(
                f"inégalité stricte « {(most or least).group(1)} » lue comme "
                f"« {'au plus' if most else 'au moins'} »"
            )
        return
    r.kind, r.bare = "at_least", True
    words = re.sub(r"annuellement|par annee|chaque annee", " ", before)
    r.bare_words = bool(re.search(r"[a-z]", words))
