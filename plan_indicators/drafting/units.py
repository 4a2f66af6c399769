"""Unit, direction and scale of an indicator, guessed from its wording and its targets.

The target kinds say most ("hiver 2021" is a date, "un guide par année" a count); then the first
words of the indicator ("Proportion", "Nombre", "Délai", "note sur 10", "date de"); then the
targets' own units ("%", "jours", "$"). What none of them says is left to choose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plan_indicators.catalog import TO_CHOOSE
from plan_indicators.drafting.reading import Reading
from plan_indicators.drafting.text import fold
from plan_indicators.target_kinds import kind_class

_WORDING_UNITS = (
    (re.compile(r"^(?:proportion|taux|pourcentage|part)\b"), "percent"),
    (re.compile(r"^(?:nombre|quantite)\b"), "count"),
    (re.compile(r"^(?:delai|duree|temps (?:de|d'|moyen))\b"), "days"),
    (re.compile(r"\bnote sur \d|\bsur \d+\)"), "score"),
    (re.compile(r"^(?:indice|degre|niveau|score|note|cote|moyenne)\b"), "score"),
    (re.compile(r"^dates?\b"), "date"),
    (
        re.compile(r"^(?:investissements?|montants?|sommes?|couts?|depenses?|budgets?|revenus?)\b"),
        "currency",
    ),
)
_SCALE = re.compile(r"\b(?:note |score |indice )?sur (\d+)\b")
# A head noun that counts what should fall ("Taux d'absentéisme", "Nombre de plaintes").
_LOWER_WORDS = re.compile(
    r"^(?:taux|nombre|proportion|pourcentage|part|indice|moyenne)\s+(?:de |d'|des |du )"
    r"(?:l'|la |le |les )?(absenteisme|roulement|erreurs?|plaintes?|incidents?|accidents?"
    r"|abandons?|retards?|depassements?|reclamations?)\b"
)


@dataclass
class UnitGuess:
    unit: str
    direction: str
    scale: dict[str, float] | None = None
    why: str = ""
    notes: list[str] = field(default_factory=list)


def _kind_unit(r: Reading) -> str | None:
    """The unit a target's kind implies (a deadline: date; a recurring count: count)."""
    cls = kind_class(r.kind)
    return cls.draft_unit if cls else None


def _kind_flag(r: Reading, flag: str) -> bool:
    cls = kind_class(r.kind)
    return bool(cls and getattr(cls, flag))


def _wording_unit(folded: str) -> str | None:
    for pattern, unit in _WORDING_UNITS:
        if pattern.search(folded):
            return unit
    return None


def guess_unit(text_fr: str, readings: list[Reading]) -> UnitGuess:
    """The unit and direction a planner would write for this indicator, with the reason."""
    folded = fold(text_fr)
    read = [r for r in readings if r.read]
    from_kind = {unit for r in read if (unit := _kind_unit(r))}
    from_targets = {r.unit for r in read if r.unit and not _kind_unit(r)}
    from_wording = _wording_unit(folded)
    notes: list[str] = []
    if len(from_kind) == 1:
        unit = from_kind.pop()
        why = "échéance" if unit == "date" else "cible récurrente (un compte par période)"
        if from_wording and from_wording != unit:
            first = " ".join(text_fr.split()[:2])
            notes.append(f"libellé « {first} … » mais {why} : unité {unit}")
    elif from_kind:
        unit, why = TO_CHOOSE, "cibles d'unités différentes"
        notes.append("cibles de natures différentes (échéance et compte) : unité à choisir")
    elif from_wording:
        unit, why = from_wording, f"libellé « {text_fr.split()[0]} »"
        other = from_targets - {from_wording}
        if other and not (from_wording == "score" and other == {"score"}):
            notes.append(f"libellé lu comme {from_wording}, mais cible en {', '.join(other)}")
    elif len(from_targets) == 1:
        unit = from_targets.pop()
        why = "unité écrite dans la cible"
    elif read and all(r.bare or _kind_flag(r, "draft_plain") for r in read):
        unit, why = "count", "cibles sans unité"
        notes.append("unité devinée : un compte (les cibles sont des nombres sans unité)")
    else:
        unit, why = TO_CHOOSE, "ni le libellé ni les cibles ne la disent"
        notes.append("unité à choisir : ni le libellé ni les cibles ne la disent")
    guess = UnitGuess(unit, _direction(unit, folded, read, notes), why=why, notes=notes)
    if unit == "score":
        scale = _SCALE.search(folded)
        if scale:
            guess.scale = {"min": 0, "max": int(scale.group(1))}
        else:
            notes.append("échelle de la note à préciser (scale: {min: …, max: …})")
    return guess


def _direction(unit: str, folded: str, read: list[Reading], notes: list[str]) -> str:
    if unit in ("date", "days"):
        return "lower_is_better"
    says_lower = [r for r in read if r.lower]
    says_higher = [r for r in read if _kind_flag(r, "draft_says_higher") and not r.bare]
    if says_lower and not says_higher:
        return "lower_is_better"
    if says_lower and says_higher:
        notes.append("cibles « au moins » et « au plus » mêlées : direction à confirmer")
    word = _LOWER_WORDS.search(folded)
    if word and not says_higher:
        notes.append(f"direction devinée : plus bas est meilleur (« {word.group(1)} »)")
        return "lower_is_better"
    return "higher_is_better"
