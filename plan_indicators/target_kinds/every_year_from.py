"""`every_year_from`: at least `min_count` events in each fiscal year, or each half-year
(`per: half_year`: April-September, October-March), from `start` ("un guide par année à partir de
2020", "infolettre semestrielle dès l'automne 2020")."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from plan_indicators import statuses as st
from plan_indicators.drafting.reading import PER_HALF, Reading, count_words, date_phrase
from plan_indicators.drafting.text import NUMBER
from plan_indicators.fiscal import FiscalYear
from plan_indicators.seasons import DEFAULT_SEASONS, DeadlineTextError, SeasonSettings, parse_start
from plan_indicators.target_kinds import (
    NOTE_NO_DATA,
    CatalogFrame,
    Evaluation,
    Observed,
    Situation,
    TargetKind,
    target_kind,
    verdict,
)
from plan_indicators.target_kinds.deadline import date_text

NOTE_NO_PERIODS = "décompte par semestre non disponible"
NOTE_BEFORE_START = "l'année précède le début de la cible"
_HALF_KEYS = ("H1", "H2")
_START = re.compile(
    r"\b(?:a partir|a compter)\s+(?:de la |de l'|du |de |d')?|\bdes (?:l'|le |la )?(?=\w+ \d{4})"
)
_SEMIANNUAL = re.compile(r"\bsemestriel(?:le)?s?\b")


def read_start(folded: str, r: Reading) -> bool:
    """A recurring target from a date: "à partir de 2020", "dès l'automne 2020"."""
    match = _START.search(folded)
    if not match:
        return False
    after = folded[match.end() :]
    year = re.match(r"(\d{4})(?:-(\d{4}))?\b", after)
    phrase = date_phrase(after)
    if year and year.group(2):
        start, used = f"{year.group(1)}-{year.group(2)}", year.group(0)
    elif phrase and phrase[2].start() == 0:
        start, used = phrase[1], phrase[2].group(0)
    elif year:
        start, used = f"à partir de {year.group(1)}", year.group(0)
    else:
        return False
    rest = (folded[: match.start()] + " " + after[len(used) :]).strip()
    count = count_words(rest)
    if count is None or "%" in rest or "$" in rest:
        r.notes.append("cible récurrente dont le nombre par période n'a pas pu être lu")
        return True
    r.kind, r.when = "every_year_from", "start"
    r.fields = {"start": start, "min_count": count}
    if PER_HALF.search(rest):
        r.fields["per"] = "half_year"
    return True


def read_per_period(folded: str, r: Reading) -> bool:
    """At least N events each period: "un guide par année", "2 rencontres par semestre"."""
    per_half = bool(PER_HALF.search(folded))
    if not (r.every_year or per_half) or "%" in folded or "$" in folded:
        return False
    if "annuellement" in folded and NUMBER.search(folded):
        return False
    count = count_words(folded)
    if count is None:
        return False
    r.kind, r.when = "every_year_from", "start"
    r.fields = {"start": None, "min_count": count}
    if per_half:
        r.fields["per"] = "half_year"
    return True


def semiannual(folded: str, r: Reading, notes: list[str]) -> bool:
    """A "semestrielle" indicator: its milestone or its count recurs each half-year."""
    if not _SEMIANNUAL.search(folded) or r.kind not in ("deadline", "every_year_from"):
        return False
    if r.kind == "deadline":
        r.kind, r.when = "every_year_from", "start"
        r.fields = {"start": r.fields["due"], "min_count": 1}
    r.fields["per"] = "half_year"
    since = f" à compter de « {r.fields['start']} »" if r.fields.get("start") else ""
    notes.append(
        f"« semestrielle » : au moins {r.fields['min_count']} par semestre "
        f"(avril-septembre, octobre-mars){since}"
    )
    return True


@target_kind
class EveryYearFrom(TargetKind):
    kind: Literal["every_year_from"]
    start: str
    min_count: int = Field(ge=1)
    per: Literal["year", "half_year"] = "year"

    units = ("count",)
    unit_hint = "it counts events per year or half-year"
    draft_rules = ((30, read_start), (70, read_per_period))
    draft_adjusters = ((20, semiannual),)
    draft_unit = "count"

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> Any:
        v = date_text(v)
        if isinstance(v, str):
            try:
                parse_start(v)
            except DeadlineTextError:
                raise ValueError(
                    f"cannot read start {v!r}: expected a year ('à partir de 2020'), a fiscal "
                    "year ('2019-2020'), a season ('automne 2020'), a month or an ISO date"
                ) from None
        return v

    def catalog_problems(self, frame: CatalogFrame) -> list[tuple[str, str]]:
        if parse_start(self.start) > frame.fiscal_year.end:
            return [("start", f"start {self.start!r} is after the end of {frame.fiscal_year.key}")]
        return []

    def threshold(self, *, baseline, previous) -> float | None:
        """`min_count` per counted period."""
        return float(self.min_count)

    def before_start(self, fiscal_year: FiscalYear, seasons: SeasonSettings) -> bool:
        return fiscal_year.end < parse_start(self.start, seasons)

    def assess(self, observed: Observed, s: Situation) -> Evaluation:
        """At least `min_count` events in the year, or in each counted half-year.

        A period that has reached `min_count` is satisfied even before it ends (a count can only
        grow, so the verdict cannot change); a period that ended short of it fails at once. A
        result with no value (or, per half-year, no half-year counts) is missing data, never a
        zero: in_progress while the year runs, then no_data.
        """
        fy, as_of = s.fiscal_year, s.as_of
        start = parse_start(self.start, s.seasons)
        threshold = float(self.min_count)
        if fy.end < start:
            return verdict(st.NOT_APPLICABLE, note=NOTE_BEFORE_START)
        per_half = self.per == "half_year"
        if observed.value is None or (per_half and not observed.periods):
            if fy.is_over(as_of):
                note = NOTE_NO_PERIODS if observed.value is not None else NOTE_NO_DATA
                return verdict(st.NO_DATA, threshold, note=note)
            return verdict(st.IN_PROGRESS, threshold)
        if not per_half:
            periods = [(fy.end, float(observed.value))]
        else:
            periods = [
                (half_end, observed.periods.get(key) or 0.0)
                for key, (_, half_end) in zip(_HALF_KEYS, fy.halves(), strict=True)
                if half_end >= start
            ]
        gap = min(count for _, count in periods) - threshold
        if any(as_of > end and count < threshold for end, count in periods):
            return verdict(st.NOT_MET, threshold, gap)
        if all(count >= threshold for _, count in periods):
            return verdict(st.MET, threshold, gap)
        return verdict(st.IN_PROGRESS, threshold, gap)

    def display(self, threshold, *, unit, direction, seasons=DEFAULT_SEASONS) -> str:
        start = parse_start(self.start, seasons).isoformat()
        per = "par semestre" if self.per == "half_year" else "par année"
        return f"au moins {self.min_count} {per} à partir du {start}"

    @classmethod
    def draft_dated_year(cls, fields: dict[str, Any]) -> str | None:
        return FiscalYear.of(parse_start(fields["start"])).key if fields.get("start") else None

    @classmethod
    def draft_years(cls, r, cell_year, years, notes) -> list[str]:
        """Its column's year, else every year from its start."""
        if r.fields.get("start") is None:
            r.fields["start"] = cell_year or years[0]
        try:
            start = parse_start(r.fields["start"])
        except DeadlineTextError as exc:
            notes.append(f"début illisible : {exc}")
            return []
        from_start = [fy for fy in years if FiscalYear.parse(fy).end >= start]
        if cell_year and cell_year not in from_start:
            notes.append(f"« {r.text_fr} » écrite en {cell_year}, avant son début : non inscrite")
            return []
        return [cell_year] if cell_year else from_start
