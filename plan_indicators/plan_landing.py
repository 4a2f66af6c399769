"""A plan against a landing zone (`validate-plan --landing DIR`, docs/contracts.md §2.7): what the
run would compute as `no_data` because the data it needs are not there.

Nothing here refuses a catalog: a source still to come is normal early in a year. Each finding
names the indicator and says, in French, what is missing and where it would go, so that an
analyst fixes the register or asks for the file before the run publishes « Donnée non
disponible ». An explanation (`result_commentary`) that no evaluation would carry is a warning
too: of the plan's own rows in `landing_findings`, of rows naming no plan validated in
`unknown_plan_findings`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from plan_indicators.catalog import Plan
from plan_indicators.commentary import SOURCE as COMMENTARY
from plan_indicators.commentary import unmatched
from plan_indicators.fiscal import FiscalYear
from plan_indicators.measures import get_measure
from plan_indicators.sources.declaration import WEB
from plan_indicators.sources.folders import list_files

REGISTER, SURVEY = "activity_register", "survey_results"


@dataclass(frozen=True)
class Finding:
    indicator: str
    source: str
    message: str

    def line(self, file: str) -> str:
        return f"WARN {file}: indicator {self.indicator or '-'}: {self.source}: {self.message}"


class _Zone:
    """The landing zone's sources, each read once, as the run would read them."""

    def __init__(self, landing: Path):
        self.landing = Path(landing)
        self._frames: dict[str, pd.DataFrame | None] = {}
        self._key = secrets.token_bytes(32)  # pseudonyms are never kept here

    def has_files(self, source: str) -> bool:
        return bool(list_files(self.landing, source))

    def frame(self, source: str) -> pd.DataFrame | None:
        if source not in self._frames:
            from plan_indicators.sources.readers import read_source

            frame = None
            if self.has_files(source) and source != WEB:
                frame = read_source(self.landing, source, pseudonym_key=self._key).frame
            self._frames[source] = frame
        return self._frames[source]


def landing_findings(
    plan: Plan, landing: str | Path, as_of: dt.date | None = None
) -> list[Finding]:
    """Sources a measure of the plan reads that the zone lacks, indicators without a register
    row, begun years without a survey row, and filters that select no row."""
    zone = _Zone(Path(landing))
    as_of = as_of or dt.date.today()
    found: list[Finding] = []
    for ind in plan.indicators:
        try:
            measure = get_measure(ind.measure.name)
        except KeyError:
            continue
        missing = [s for s in measure.sources if not zone.has_files(s)]
        for source in missing:
            found.append(
                Finding(
                    ind.id,
                    source,
                    f"aucun fichier dans {source}/ : la mesure {measure.name} le lit, "
                    "l'indicateur sera « Donnée non disponible »",
                )
            )
        if REGISTER in measure.sources and REGISTER not in missing:
            found += _register(plan, ind.id, zone.frame(REGISTER))
        if SURVEY in measure.sources and SURVEY not in missing:
            found += _survey(plan, ind.id, zone.frame(SURVEY), as_of)
        found += _filters(ind, measure.sources, zone, missing)
    found += _unknown_register_ids(plan, zone.frame(REGISTER) if zone.has_files(REGISTER) else None)
    found += _commentary(zone, [plan], lambda r: r.plan_id == plan.id)
    return found


def unknown_plan_findings(plans: list[Plan], landing: str | Path) -> list[Finding]:
    """Explanations whose plan_id is none of `plans` (the plans validated together): reported
    once for the zone rather than once per plan."""
    ids = {p.id for p in plans}
    return _commentary(_Zone(Path(landing)), plans, lambda r: r.plan_id not in ids)


def _commentary(zone: _Zone, plans: list[Plan], keep) -> list[Finding]:
    """Staged explanations no evaluation would carry: unknown indicator, year without target."""
    if not zone.has_files(COMMENTARY):
        return []
    rows = [r for r in unmatched(zone.frame(COMMENTARY), plans) if keep(r)]
    return [Finding(r.indicator_id, COMMENTARY, r.message) for r in rows]


def _register(plan: Plan, ind_id: str, frame: pd.DataFrame | None) -> list[Finding]:
    if frame is None:
        return []
    mine = (frame["plan_id"] == plan.id) & (frame["indicator_id"] == ind_id)
    if mine.any():
        return []
    return [
        Finding(
            ind_id,
            REGISTER,
            f"aucune ligne plan_id={plan.id}, indicator_id={ind_id} au registre : "
            "l'indicateur sera « Donnée non disponible »",
        )
    ]


def _survey(plan: Plan, ind_id: str, frame: pd.DataFrame | None, as_of: dt.date) -> list[Finding]:
    if frame is None:
        return []
    mine = frame.loc[(frame["plan_id"] == plan.id) & (frame["indicator_id"] == ind_id)]
    have = set(mine["fiscal_year"].astype(str))
    begun = [fy for fy in plan.partition_years() if FiscalYear.parse(fy).has_begun(as_of)]
    lacking = [fy for fy in begun if fy not in have]
    if not lacking:
        return []
    return [
        Finding(
            ind_id,
            SURVEY,
            f"aucune ligne plan_id={plan.id}, indicator_id={ind_id} pour "
            f"{', '.join(lacking)} : ces années seront « Donnée non disponible »",
        )
    ]


def _filters(ind, sources: tuple[str, ...], zone: _Zone, missing: list[str]) -> list[Finding]:
    """A filter value that no row of the zone carries: the filter is probably misspelt."""
    from plan_indicators.sources.contracts import CONTRACTS

    out = []
    for column, wanted in getattr(ind.measure, "filter", {}).items():
        values = wanted if isinstance(wanted, list) else [wanted]
        for source in sources:
            if column not in CONTRACTS[source].filters or source in missing:
                continue
            frame = zone.frame(source)
            if frame is None:
                continue
            present = set(frame[column].dropna().astype(str))
            absent = [v for v in values if str(v) not in present]
            if absent:
                seen = ", ".join(sorted(present)[:10]) or "aucune"
                out.append(
                    Finding(
                        ind.id,
                        source,
                        f"filtre {column} : aucune ligne pour {', '.join(map(str, absent))} "
                        f"(valeurs présentes : {seen})",
                    )
                )
    return out


def _unknown_register_ids(plan: Plan, frame: pd.DataFrame | None) -> list[Finding]:
    """Register rows of this plan for an indicator it does not have: a misspelt id counts for
    nobody."""
    if frame is None:
        return []
    ids = {ind.id for ind in plan.indicators}
    rows = frame.loc[frame["plan_id"] == plan.id]
    stray = sorted(set(rows["indicator_id"].astype(str)) - ids)
    return [
        Finding(
            "",
            REGISTER,
            f"{int((rows['indicator_id'] == i).sum())} ligne(s) au registre pour "
            f"indicator_id={i}, que le plan {plan.id} n'a pas : elles ne comptent pour aucun "
            "indicateur",
        )
        for i in stray
    ]
