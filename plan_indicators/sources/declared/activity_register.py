"""Tracked events of an indicator (docs/contracts.md §4.7.9): the register the teams keep.

Its rows follow the plan catalogs: the sample writes rows for every `register_*` indicator,
shaped by its measure and targets, so a new plan gets register data by YAML.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.catalog import Indicator, Plan
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.seasons import parse_start
from plan_indicators.sources.declaration import Column, SourceContract
from plan_indicators.target_kinds.cumulative_at_least import CumulativeAtLeast
from plan_indicators.target_kinds.every_year_from import EveryYearFrom

CONTRACT = SourceContract(
    "activity_register",
    "tracked event of an indicator",
    (
        Column("plan_id"),
        Column("indicator_id"),
        Column("record_id"),
        Column("event_date", "date"),
        Column("quantity", "float", required=False, minimum=0),
        Column("outcome", "bool", required=False),
        Column("start_date", "date", required=False),
        Column("subject", required=False),
        Column("note", required=False, free_text=True),
        Column("evidence", required=False, aliases=("preuve",)),
    ),
    key=("plan_id", "indicator_id", "record_id"),
    date_column="event_date",
    section="4.7.9",
)

SAMPLE_STREAM = 8


def sample(ctx: SampleContext) -> list[SampleFile]:
    return _register(ctx.rng(), ctx.plans)


_NOTES = {
    "register_count": "Événement consigné au registre",
    "register_rate": "Dossier évalué",
    "register_milestone": "Jalon franchi",
    "register_mean_delay": "Bilan d'évaluation sommaire produit",
    "register_share_of_headcount": "Départ consigné au registre",
    "register_amount": "Montant engagé",
}


def _register(rng: np.random.Generator, plans: list[Plan]) -> list[SampleFile]:
    """Rows for every `register_*` indicator, shaped by its measure and targets."""
    milestones = [
        (plan.id, ind.id)
        for plan in plans
        for ind in plan.indicators
        if ind.measure.name == "register_milestone"
    ]
    fate = {key: "on_time" for key in milestones}
    if len(milestones) >= 4:  # one not achieved, two late, the rest on time
        for pos, k in enumerate(rng.permutation(len(milestones))[:3]):
            fate[milestones[k]] = "missing" if pos == 0 else "late"
    files = []
    for i, plan in enumerate(plans):
        rows: list[dict[str, Any]] = []
        for ind in plan.indicators:
            name = ind.measure.name
            if not name.startswith("register_"):
                continue
            if name == "register_milestone":
                new = _milestone_rows(rng, ind, fate[(plan.id, ind.id)])
            elif name == "register_rate":
                new = _rate_rows(rng, plan, ind)
            elif name == "register_mean_delay":
                new = _delay_rows(rng, plan, ind)
            elif name == "register_share_of_headcount":
                new = _headcount_rows(rng, plan, ind)
            elif name == "register_amount":
                new = _amount_rows(rng, plan, ind)
            else:
                new = _count_rows(rng, plan, ind)
            for seq, row in enumerate(sorted(new, key=lambda r: r["event_date"]), start=1):
                rows.append(
                    {
                        "plan_id": plan.id,
                        "indicator_id": ind.id,
                        "record_id": f"{ind.id}-{seq:04d}",
                        "note": _NOTES.get(name, ""),
                        **row,
                    }
                )
        if not rows:
            continue
        df = pd.DataFrame(
            rows,
            columns=["plan_id", "indicator_id", "record_id", "event_date", "quantity", "outcome",
                     "start_date", "subject", "note"],
        )  # fmt: skip
        style = "oui" if i % 2 == 0 else "true"
        df["outcome"] = ["" if pd.isna(v) else sp.bools([v], style)[0] for v in df["outcome"]]
        df["quantity"] = df["quantity"].astype(float)
        writer: sp.Csv | sp.Workbook = sp.EXCEL_FR if i % 2 == 0 else sp.BOM
        if i == 1:  # kept in Excel by the planning team: date and boolean cells
            writer = sp.Workbook("Registre", dates=("event_date", "start_date"), flags=("outcome",))
        files.append((f"registre_{plan.id}{writer.suffix}", df, writer))
    return files


def _count_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    """Counts around each year's target; recurring targets get one event per period, mostly."""
    recurring = [t for t in ind.targets.values() if isinstance(t, EveryYearFrom)]
    if recurring:
        return _recurring_rows(rng, plan, recurring[0])
    if any(isinstance(t, CumulativeAtLeast) for t in ind.targets.values()):
        return [
            {"event_date": d, "quantity": 1.0}
            for year, total in _yearly_totals(rng, plan, ind).items()
            for d in sp.spread(rng, year.start, year.end, int(round(total)))
        ]
    baseline = int(rng.integers(12, 25))
    typical = [
        th
        for t in ind.targets.values()
        if (th := t.threshold(baseline=None, previous=None)) is not None
    ]
    rows = []
    for year in sp.data_years(plan):
        target = ind.targets.get(year.key)
        n = target.sample_count(rng, baseline) if target else None
        if n is None and typical:
            n = int(round(np.mean(typical))) + int(rng.integers(0, 2))
        elif n is None:
            n = baseline
        rows += [
            {"event_date": d, "quantity": 1.0} for d in sp.spread(rng, year.start, year.end, n)
        ]
    return rows


def _recurring_rows(rng: np.random.Generator, plan: Plan, target: Any) -> list[dict[str, Any]]:
    """Guides once a year, newsletters once a half-year from `start`, one half being missed."""
    start = parse_start(target.start)
    periods: list[tuple[dt.date, dt.date]] = []
    for year in sp.data_years(plan):
        halves = year.halves() if target.per == "half_year" else ((year.start, year.end),)
        periods += [(a, b) for a, b in halves if b >= start and a <= sp.PRESENT]
    halves = target.per == "half_year" and len(periods) > 2
    missed = int(rng.integers(1, len(periods))) if halves else -1
    rows = []
    for k, (a, b) in enumerate(periods):
        n = 0 if k == missed else target.min_count + int(rng.random() < 0.15)
        rows += [{"event_date": d, "quantity": 1.0} for d in sp.spread(rng, max(a, start), b, n)]
    return rows


def _yearly_totals(rng: np.random.Generator, plan: Plan, ind: Indicator) -> dict[Any, float]:
    """Each data year's total, near its target: for a cumulative target, near what the year
    adds to the cumul of the years before (missed now and then); else near the threshold."""
    thresholds = {
        key: th
        for key, t in ind.targets.items()
        if (th := t.threshold(baseline=None, previous=None)) is not None
    }
    years = sp.data_years(plan)
    cumulative = any(isinstance(t, CumulativeAtLeast) for t in ind.targets.values())
    if cumulative and thresholds:
        step = max(thresholds.values()) / max(1, len(thresholds))
    else:
        step = float(np.mean(list(thresholds.values()))) if thresholds else 20.0
    totals, cumul = {}, 0.0
    for year in years:
        aim = thresholds.get(year.key)
        if cumulative:
            need = aim - cumul if aim is not None else step
        else:
            need = aim if aim is not None else step
        total = max(0.0, need * float(rng.uniform(0.9, 1.2)))
        totals[year] = total
        cumul += total
    return totals


def _amount_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    """Amounts in dollars (investments, grants): each year's total split over a few records,
    rounded to the thousand."""
    rows = []
    for year, total in _yearly_totals(rng, plan, ind).items():
        n = int(rng.integers(3, 9))
        parts = rng.dirichlet(np.ones(n)) * total
        dates = sp.spread(rng, year.start, year.end, n)
        for d, amount in zip(dates, parts, strict=False):
            rows.append({"event_date": d, "quantity": float(round(amount, -3))})
    return rows


def _headcount_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    """Departures around each year's rate target, out of the sample headcounts' level (of the
    unit the indicator filters on, else of the whole organisation)."""
    from plan_indicators.sources.declared.headcounts import SAMPLE_TOTAL, UNITS

    unit = ind.measure.filter.get("unit")
    people = UNITS.get(unit, SAMPLE_TOTAL) if isinstance(unit, str) else SAMPLE_TOTAL
    rows = []
    for year in sp.data_years(plan):
        target = ind.targets.get(year.key)
        level = target.value if target is not None and hasattr(target, "value") else 8.0
        rate = max(0.5, level + float(rng.normal(-0.5, 1.5)))
        n = int(round(rate / 100 * people))
        rows += [{"event_date": d} for d in sp.spread(rng, year.start, year.end, n)]
    return rows


def _rate_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    rows = []
    for year in sp.data_years(plan):
        target = ind.targets.get(year.key)
        level = target.value / 100 if target is not None and hasattr(target, "value") else 0.7
        p = float(np.clip(level + rng.normal(0.04, 0.08), 0.05, 0.98))
        for d in sp.spread(rng, year.start, year.end, int(rng.integers(10, 22))):
            rows.append({"event_date": d, "outcome": bool(rng.random() < p)})
    return rows


def _milestone_rows(rng: np.random.Generator, ind: Indicator, fate: str) -> list[dict[str, Any]]:
    """One row at the due date's side chosen by `fate`; `subjects: n` spreads n subjects."""
    dues = [due for t in ind.targets.values() if (due := t.due_date()) is not None]
    if not dues:
        return []
    due = min(dues)
    n = int(ind.measure.params.get("subjects") or 1)
    if fate == "missing" and n == 1:
        return []
    shift = int(rng.integers(10, 120)) if fate == "late" else -int(rng.integers(3, 60))
    shifted = np.datetime64(due + dt.timedelta(days=shift), "D")
    reached = np.busday_offset(shifted, 0, roll="backward", holidays=sp.HOLIDAYS).astype(dt.date)
    if n == 1:
        return [{"event_date": reached}] if reached <= sp.PRESENT else []
    count = n - 1 if fate == "missing" else n
    dates = sorted(sp.spread(rng, reached - dt.timedelta(days=150), reached, count - 1))
    dates.append(reached)
    subjects = rng.permutation(n)[:count] + 1
    return [
        {"event_date": d, "subject": f"ordre-{s:02d}"}
        for d, s in zip(dates, subjects, strict=False)
        if d <= sp.PRESENT
    ]


def _delay_rows(rng: np.random.Generator, plan: Plan, ind: Indicator) -> list[dict[str, Any]]:
    """BES produced a few business days after the regulation was received."""
    rows = []
    for year in sp.data_years(plan):
        target = ind.targets.get(year.key)
        limit = target.value if target is not None and hasattr(target, "value") else 10
        centre = limit - 2.5 + rng.normal(0, 1.2)
        ends = sp.spread(rng, year.start, year.end, int(rng.integers(25, 45)))
        delays = np.clip(np.round(rng.normal(centre, 2.5, len(ends))), 2, 25).astype(int)
        for end, k in zip(ends, delays.tolist(), strict=True):
            start = np.busday_offset(np.datetime64(end, "D"), -k, holidays=sp.HOLIDAYS)
            rows.append({"event_date": end, "start_date": start.astype(dt.date)})
    return rows
