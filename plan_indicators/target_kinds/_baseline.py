"""What the kinds measured against a baseline year share (docs/contracts.md §2.5): the baseline
is the computed result of `baseline_year` (a partition of the plan), unless the catalog gives
its `baseline_value` (a year before the data)."""

from __future__ import annotations

import re

from pydantic import field_validator

from plan_indicators.drafting.reading import Reading, single_number
from plan_indicators.drafting.text import fiscal_years_in, plain, to_number
from plan_indicators.fiscal import FiscalYear
from plan_indicators.target_kinds import MAX_BASELINE_LAG, CatalogFrame, Situation
from plan_indicators.target_kinds._numeric import NumericKind

NOTE_NO_BASELINE = "mesure de départ non disponible"
NOTE_ZERO_BASELINE = (
    "mesure de départ nulle : une cible exprimée en pourcentage de la mesure de départ ne "
    "peut s'y appliquer"
)


class BaselineKind(NumericKind):
    baseline_year: str
    baseline_value: float | None = None

    @field_validator("baseline_year")
    @classmethod
    def _fy(cls, v: str) -> str:
        return FiscalYear.parse(v).key

    def effective_baseline(self, baseline: float | None) -> float | None:
        """The catalog's `baseline_value` when given, else the computed baseline."""
        return self.baseline_value if self.baseline_value is not None else baseline

    def threshold(self, *, baseline, previous) -> float | None:
        b = self.effective_baseline(baseline)
        return None if b is None else self.over(b)

    def over(self, baseline: float) -> float | None:
        """The threshold this kind puts on a known baseline."""
        raise NotImplementedError

    def missing_threshold_note(self, s: Situation) -> str:
        return NOTE_ZERO_BASELINE if self.effective_baseline(s.baseline) == 0 else NOTE_NO_BASELINE

    def computed_baseline_year(self) -> str | None:
        return self.baseline_year if self.baseline_value is None else None

    def catalog_problems(self, frame: CatalogFrame) -> list[tuple[str, str]]:
        if self.computed_baseline_year() is None:
            return []
        fy = frame.fiscal_year.key
        if self.baseline_year >= fy:
            msg = f"baseline year {self.baseline_year} is not before {fy} and has no baseline_value"
            return [("baseline_year", msg)]
        first = frame.first_year
        if FiscalYear.parse(self.baseline_year).start_year < first.start_year - MAX_BASELINE_LAG:
            msg = (
                f"baseline year {self.baseline_year} is more than {MAX_BASELINE_LAG} years "
                f"before the plan's first year {first.key}: give its baseline_value, or a "
                "later year"
            )
            return [("baseline_year", msg)]
        return []


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
_POINTS = re.compile(r"^\s*(?:points? de pourcentage|points?|pts?|p\. ?p\.)\b")


def read_over_baseline(folded: str, r: Reading) -> bool:
    """Over a baseline: "+2 % …", "+2 points de pourcentage …", "+0,1 par rapport à …"."""
    up, down = INCREASE.search(folded), DECREASE.search(folded)
    if not (up or down or REFERENCE.search(folded)):
        return False
    parts = single_number(folded, r)
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
