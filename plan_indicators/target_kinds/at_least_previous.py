"""`at_least_previous`: result ≥ result of the previous fiscal year ("Mesure égale ou supérieure à
l'année précédente")."""

from __future__ import annotations

import re
from typing import Literal

from plan_indicators.drafting.reading import Reading, numbers
from plan_indicators.fiscal import FiscalYear
from plan_indicators.target_kinds import Situation, target_kind
from plan_indicators.target_kinds._numeric import NumericKind

NOTE_NO_PREVIOUS = "résultat de l'année précédente non disponible"
PREVIOUS_YEAR = re.compile(r"annee precedente|annee anterieure|an dernier|annee d'avant")


def read_previous(folded: str, r: Reading) -> bool:
    """A wording without a number that names the previous year."""
    if numbers(folded) or not PREVIOUS_YEAR.search(folded):
        return False
    r.kind = "at_least_previous"
    r.lower = "inferieur" in folded
    return True


@target_kind
class AtLeastPrevious(NumericKind):
    kind: Literal["at_least_previous"]

    draft_rules = ((20, read_previous),)

    def threshold(self, *, baseline, previous) -> float | None:
        return previous

    def missing_threshold_note(self, s: Situation) -> str:
        return NOTE_NO_PREVIOUS

    @classmethod
    def threshold_year(cls, fiscal_year: str) -> str | None:
        return FiscalYear.parse(fiscal_year).previous.key

    @classmethod
    def reference_line(cls, fiscal_year, threshold, compared):
        if not threshold:
            return None
        return f"Seuil : {threshold} (résultat de {cls.threshold_year(fiscal_year)})"
