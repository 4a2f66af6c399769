"""`deadline`: a milestone reached on or before `due` ("hiver 2021", "juin 2019", "2020-07-31",
docs/contracts.md §1.6), written under the fiscal year that contains its due date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import field_validator

from plan_indicators import statuses as st
from plan_indicators.drafting.reading import Reading, date_phrase
from plan_indicators.fiscal import FiscalYear
from plan_indicators.seasons import DEFAULT_SEASONS, DeadlineTextError, SeasonSettings, parse_due
from plan_indicators.target_kinds import (
    CatalogFrame,
    Evaluation,
    Observed,
    Situation,
    TargetKind,
    target_kind,
    verdict,
)

NOTE_NO_RECORD = "aucun enregistrement pour cet indicateur"
_ANNUAL = re.compile(r"\bannuel(?:le)?s?\b")
_FILLER = {
    "d", "ici", "au", "plus", "tard", "en", "a", "l", "le", "la", "de", "du", "fin", "avant",
    "pour", "des", "d'ici", "l'", "d'", "date", "limite", "echeance", "juste",
}  # fmt: skip


def date_text(v: Any) -> Any:
    """YAML reads an unquoted `2020-07-31` as a date; the catalog keeps deadline wording as text."""
    return v.isoformat() if isinstance(v, dt.date) else v


def as_date(value: Any) -> dt.date | None:
    """Result rows may carry the milestone date as ISO text or a datetime."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def read_deadline(folded: str, r: Reading) -> bool:
    """A milestone's due date: "hiver 2021", "d'ici juin 2019", "31 mars 2021"."""
    phrase = date_phrase(folded)
    if not phrase:
        return False
    _, due, match = phrase
    rest = (folded[: match.start()] + " " + folded[match.end() :]).replace("'", "' ")
    words = re.findall(r"[^\s,.;:()]+", rest)
    if any(w not in _FILLER for w in words):
        r.notes.append(f"échéance « {due} » avec d'autres termes : cible à transcrire")
        return True
    r.kind, r.when, r.fields = "deadline", "due", {"due": due}
    return True


def annual_deadline(folded: str, r: Reading, notes: list[str]) -> bool:
    """An "annuel" indicator with a single due date: perhaps a recurring target."""
    if r.kind != "deadline" or not _ANNUAL.search(folded):
        return False
    notes.append(
        f"libellé « annuel » mais échéance unique « {r.fields['due']} » : cible récurrente "
        "chaque année (every_year_from) plutôt ?"
    )
    return True


@target_kind
class Deadline(TargetKind):
    kind: Literal["deadline"]
    due: str

    units = ("date",)
    unit_hint = "a deadline judges a milestone's date"
    draft_rules = ((40, read_deadline),)
    draft_adjusters = ((30, annual_deadline),)
    draft_unit = "date"

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, v: Any) -> Any:
        v = date_text(v)
        if isinstance(v, str):
            parse_due(v)
        return v

    def due_date(self, seasons: SeasonSettings = DEFAULT_SEASONS) -> dt.date | None:
        return parse_due(self.due, seasons)

    def catalog_problems(self, frame: CatalogFrame) -> list[tuple[str, str]]:
        due_fy = FiscalYear.of(parse_due(self.due)).key
        if due_fy != frame.fiscal_year.key:
            return [("due", f"deadline {self.due!r} falls in {due_fy}, write it under that year")]
        return []

    def assess(self, observed: Observed, s: Situation) -> Evaluation:
        """Met on or before the due date; achieved later is met_late, whatever the year evaluated.

        A milestone dated after `as_of` is not known yet on `as_of`, so it does not count. Past
        the due date, an indicator with no record at all (no value, no date) is no_data, not
        not_met: nothing says the milestone was missed rather than never recorded.
        """
        due = parse_due(self.due, s.seasons)
        achieved = as_date(observed.achieved_on)
        if achieved is not None and achieved <= s.as_of:
            gap = float((due - achieved).days)
            return verdict(st.MET if achieved <= due else st.MET_LATE, gap=gap)
        if s.as_of <= due:
            return verdict(st.IN_PROGRESS)
        if observed.value is None and achieved is None:
            return verdict(st.NO_DATA, note=NOTE_NO_RECORD)
        return verdict(st.NOT_MET)

    def display(self, threshold, *, unit, direction, seasons=DEFAULT_SEASONS) -> str:
        return f"au plus tard le {parse_due(self.due, seasons).isoformat()}"

    @classmethod
    def draft_dated_year(cls, fields: dict[str, Any]) -> str | None:
        return FiscalYear.of(parse_due(fields["due"])).key

    @classmethod
    def draft_years(cls, r, cell_year, years, notes) -> list[str]:
        """Under the due date's fiscal year (docs/contracts.md §2.5)."""
        try:
            due_year = FiscalYear.of(parse_due(r.fields["due"])).key
        except DeadlineTextError as exc:
            notes.append(f"échéance illisible : {exc}")
            return []
        if due_year not in years:
            notes.append(f"échéance « {r.fields['due']} » ({due_year}) hors des années du plan")
            return []
        if cell_year and cell_year != due_year:
            notes.append(
                f"échéance « {r.fields['due']} » écrite en {cell_year}, inscrite en {due_year}"
            )
        return [due_year]
