"""Explanations of results (*explication des résultats*, docs/contracts.md §4.7.11).

The planning team writes them in the landing source `result_commentary`; each plan's evaluation
step reads the staged rows, publishes each year's text with its evaluation
(`indicator_evaluation.explanation_fr`), and the report and exports print it under the result.
They are notes for readers; the catalog's `assumptions` stay the analysts' own and are never
printed.

A final year's `not_met` that nobody explained is what a *rapport annuel de gestion* cannot
publish as is: `unexplained_missed` finds them from the warehouse (the evaluation's status, the
result's `is_final`), for the warning `missed_target_explained`.

A row no evaluation will carry (its plan unknown, its indicator not in the plan, or a year
without a target, hence without an evaluation) is staged and published nowhere: `unmatched`
names them, with file and line, for `validate-plan --landing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from plan_indicators.catalog import Plan
from plan_indicators.statuses import NOT_MET

SOURCE = "result_commentary"


@dataclass(frozen=True)
class Explanation:
    text_fr: str
    updated_on: dt.date | None
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def explanations(frame: pd.DataFrame | None, plan_id: str) -> dict[tuple[str, str], Explanation]:
    """The staged explanations of one plan, by (indicator_id, fiscal_year).

    The key is unique in staging (a repeated one is quarantined, docs/contracts.md §4.4); a text
    of only blanks explains nothing and is left out."""
    if frame is None or frame.empty:
        return {}
    mine = frame[frame["plan_id"] == plan_id]
    out: dict[tuple[str, str], Explanation] = {}
    for r in mine.to_dict("records"):
        text = str(r["text_fr"] or "").strip()
        if not text:
            continue
        updated = r.get("updated_on")
        updated = None if updated is None or pd.isna(updated) else pd.Timestamp(updated).date()
        out[(r["indicator_id"], r["fiscal_year"])] = Explanation(
            text, updated, str(r["_file"]), int(r["_line"])
        )
    return out


@dataclass(frozen=True)
class Unmatched:
    """A staged explanation that no evaluation carries, and why (in French)."""

    file: str
    line: int
    plan_id: str
    indicator_id: str
    fiscal_year: str
    why: str

    @property
    def message(self) -> str:
        return (
            f"{self.file}:{self.line} : plan_id={self.plan_id}, indicator_id={self.indicator_id}, "
            f"fiscal_year={self.fiscal_year} : {self.why} : cette explication ne sera publiée "
            "nulle part"
        )


UNKNOWN_PLAN = "aucun plan validé ne porte l'identifiant"
UNKNOWN_IN_CATALOG = "aucun plan du catalogue ne porte l'identifiant"


def unmatched(
    frame: pd.DataFrame | None, plans: Iterable[Plan], unknown_plan: str = UNKNOWN_PLAN
) -> list[Unmatched]:
    """The staged rows whose plan is none of `plans`, whose indicator the plan does not have, or
    whose year has no target of the indicator (no target, no evaluation row to carry the text),
    in file and line order; `unknown_plan` says what `plans` are (those validated together,
    or the catalog)."""
    if frame is None or frame.empty:
        return []
    by_id = {p.id: p for p in plans}
    out = []
    for r in frame.sort_values(["_file", "_line"]).to_dict("records"):
        plan_id, ind_id, fy = str(r["plan_id"]), str(r["indicator_id"]), str(r["fiscal_year"])
        plan = by_id.get(plan_id)
        ind = next((i for i in plan.indicators if i.id == ind_id), None) if plan else None
        if plan is None:
            why = f"{unknown_plan} {plan_id}"
        elif ind is None:
            why = f"le plan {plan_id} n'a pas d'indicateur {ind_id}"
        elif fy not in ind.targets:
            why = f"l'indicateur {ind_id} n'a pas de cible pour {fy}"
        else:
            continue
        out.append(Unmatched(str(r["_file"]), int(r["_line"]), plan_id, ind_id, fy, why))
    return out


def unexplained_missed(engine: Engine, plan_id: str, indicator_id: str) -> list[str]:
    """Fiscal years of the indicator whose evaluation is `not_met`, whose result is final
    (`indicator_result.is_final`) and whose explanation is missing, in order."""
    from plan_indicators.warehouse import indicator_evaluation as e
    from plan_indicators.warehouse import indicator_result as r

    stmt = (
        sa.select(e.c.fiscal_year, e.c.explanation_fr)
        .join(
            r,
            (r.c.plan_id == e.c.plan_id)
            & (r.c.indicator_id == e.c.indicator_id)
            & (r.c.fiscal_year == e.c.fiscal_year),
        )
        .where(
            e.c.plan_id == plan_id,
            e.c.indicator_id == indicator_id,
            e.c.status == NOT_MET,
            r.c.is_final.is_(True),
        )
        .order_by(e.c.fiscal_year)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [fy for fy, text in rows if not (text or "").strip()]
