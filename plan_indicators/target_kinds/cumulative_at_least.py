"""`cumulative_at_least`: the result accumulated from `from_year` (default: the plan's first
fiscal year) to this year ≥ `value` (docs/contracts.md §2.5, "Cumulative targets").

Counts and amounts are summed year by year ("Nombre cumulé … : 150", "Investissements cumulés
… : 1,5 G$"); a rate or a mean is recomputed on the pooled period, numerators and denominators
summed ("20 % (de 2018 à 2022)"). A year of the period without its result (or, for a rate, its
terms) makes the cumul unknown: no_data once the year is over, never a sum that silently skips it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import field_validator

from plan_indicators.drafting.reading import PERIOD, Reading, single_number, value
from plan_indicators.drafting.text import fiscal_key, plain
from plan_indicators.fiscal import FiscalYear, fiscal_range
from plan_indicators.formatting import format_value
from plan_indicators.target_kinds import (
    MAX_BASELINE_LAG,
    CatalogFrame,
    Evaluation,
    Observed,
    Situation,
    target_kind,
    verdict,
)
from plan_indicators.target_kinds._numeric import FixedThreshold

POOLED_UNITS = {"percent": 100.0, "score": 1.0, "days": 1.0}
"""Units whose yearly results are ratios (a share in percent, a mean): pooled as Σ numerators /
Σ denominators × the factor. Every other numeric unit is summed."""
CUMULATIVE = re.compile(r"\bcumul")


def note_missing(year: str) -> str:
    return f"résultat de {year} non disponible : le cumul ne peut être calculé"


def note_no_terms(year: str) -> str:
    return (
        f"numérateur ou dénominateur de {year} non disponible : le taux de la période ne peut "
        "être recalculé"
    )


def read_cumulative(folded: str, r: Reading) -> bool:
    """Cumulative: "Nombre cumulé … : 150", "… cumulés … : 1,5 G$", "20 % (de 2018 à 2022)"."""
    period = PERIOD.search(folded)
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


def cumulated(folded: str, r: Reading, notes: list[str]) -> bool:
    """A "cumulé" indicator: its plain thresholds are cumuls from the plan's first year."""
    if not (CUMULATIVE.search(folded) and r.kind == "at_least"):
        return False
    r.kind, r.bare = "cumulative_at_least", False
    r.fields = {"value": r.fields["value"], "from_year": None}
    notes.append("indicateur « cumulé » : cible lue comme un cumul depuis le début du plan")
    return True


@target_kind
class CumulativeAtLeast(FixedThreshold):
    kind: Literal["cumulative_at_least"]
    from_year: str | None = None

    units = ("count", "currency", "percent", "score", "days")
    direction = "higher_is_better"
    opposite = None
    unit_hint = "a cumul needs a number"

    draft_rules = ((50, read_cumulative),)
    draft_adjusters = ((10, cumulated),)

    @field_validator("from_year")
    @classmethod
    def _fy(cls, v: str | None) -> str | None:
        return None if v is None else FiscalYear.parse(v).key

    def start(self, plan_start: str | None, fiscal_year: FiscalYear) -> str:
        """`from_year`, else the plan's first year."""
        return self.from_year or plan_start or fiscal_year.key

    def period(self, plan_years: tuple[str, ...], fy: str) -> list[str]:
        return fiscal_range(self.from_year or min(plan_years), fy)

    def at_most(self, direction: str) -> bool:
        return False

    def needed_years(self, fiscal_year: str, plan_years: tuple[str, ...]) -> set[str]:
        """Every year of the period is computed, those before the plan included."""
        return set(self.period(plan_years, fiscal_year))

    def catalog_problems(self, frame: CatalogFrame) -> list[tuple[str, str]]:
        fy = frame.fiscal_year.key
        if self.from_year is not None:
            if self.from_year > fy:
                return [("from_year", f"from_year {self.from_year} is after {fy}")]
            first = frame.first_year
            if FiscalYear.parse(self.from_year).start_year < first.start_year - MAX_BASELINE_LAG:
                msg = (
                    f"from_year {self.from_year} is more than {MAX_BASELINE_LAG} years before "
                    f"the plan's first year {first.key}"
                )
                return [("from_year", msg)]
        return super().catalog_problems(frame)

    def compared(self, observed: Observed, s: Situation) -> float | None:
        return self.accumulate(observed, s)[0]

    def accumulate(self, observed: Observed, s: Situation) -> tuple[float | None, str | None]:
        """(cumul, why it is unknown). While the year runs, its partial result counts."""
        results = {**s.results, s.fiscal_year.key: observed}
        years = fiscal_range(self.start(s.plan_start, s.fiscal_year), s.fiscal_year.key)
        factor = POOLED_UNITS.get(s.unit or "")
        total, num, den = 0.0, 0.0, 0.0
        for year in years:
            r = results.get(year)
            if r is None or r.value is None:
                return None, note_missing(year)
            if factor is None:
                total += float(r.value)
            elif r.numerator is None or not r.denominator:
                return None, note_no_terms(year)
            else:
                num, den = num + float(r.numerator), den + float(r.denominator)
        if factor is None:
            return total, None
        return num / den * factor, None

    def no_value_note(self, observed: Observed, s: Situation) -> str:
        return self.accumulate(observed, s)[1] or super().no_value_note(observed, s)

    def verdict(self, status, threshold=None, gap=None, note=None, value=None) -> Evaluation:
        return verdict(status, threshold, gap, note, value)

    def sample_count(self, rng, baseline: int) -> int | None:
        """A yearly count near an even share of the cumul over the plan's usual four years."""
        return max(0, int(round(self.value / 4)) + int(rng.choice([-1, 0, 1, 2])))

    def display(self, threshold, *, unit, direction, seasons=None) -> str:
        since = f" depuis {self.from_year}" if self.from_year else " depuis le début du plan"
        return f"cumul{since} ≥ {format_value(self.value, unit)}"

    @classmethod
    def reference_line(cls, fiscal_year, threshold, compared):
        if compared is None:
            return None
        line = f"Cumul jusqu'en {fiscal_year} : {compared}"
        return f"{line} · cible : ≥ {threshold}" if threshold else line

    @classmethod
    def draft_years(cls, r, cell_year, years, notes) -> list[str]:
        """Its column's year; else the year that ends its period ("de 2018 à 2022"), else the
        plan's last year."""
        if cell_year:
            return [cell_year]
        if r.when == "period":
            if r.period_end in years:
                return [r.period_end]
            notes.append(
                f"fin de période {r.period_end} hors des années du plan : cible non inscrite"
            )
            return []
        notes.append(f"cible cumulée « {r.text_fr} » inscrite à la dernière année ({years[-1]})")
        return [years[-1]]

    @classmethod
    def draft_fields(cls, fields: dict[str, Any], years: list[str]) -> dict[str, Any]:
        """A cumul from the plan's first year unless the wording names its period."""
        out = dict(fields)
        if out.get("from_year") is None:
            out["from_year"] = years[0]
        return out
