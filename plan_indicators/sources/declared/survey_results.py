"""Aggregates of external surveys (docs/contracts.md §4.7.10): one value per indicator and year.

Its rows follow the plan catalogs: one row per `survey_*` indicator and fiscal year whose
survey (held in February) is done.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.catalog import Plan, value_range
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, SourceContract

CONTRACT = SourceContract(
    "survey_results",
    "aggregate of an external survey",
    (
        Column("plan_id"),
        Column("indicator_id"),
        Column("fiscal_year", "fiscal_year"),
        Column("value", "float"),
        Column("respondents", "float", required=False, minimum=0),
        Column("population", "float", required=False, minimum=0),
    ),
    key=("plan_id", "indicator_id", "fiscal_year"),
    section="4.7.10",
)

SAMPLE_STREAM = 9


def sample(ctx: SampleContext) -> list[SampleFile]:
    return _surveys(ctx.rng(), ctx.plans)


def _surveys(rng: np.random.Generator, plans: list[Plan]) -> list[SampleFile]:
    """One row per survey indicator and fiscal year whose survey (held in February) is done."""
    files = []
    for i, plan in enumerate(plans):
        rows = []
        for ind in plan.indicators:
            if ind.measure.name not in ("survey_value", "survey_participation"):
                continue
            # Drawn on 10, then put on the indicator's own range (an index on 100 reads 73,1).
            value = float(rng.uniform(7.0, 7.6))
            low, high = value_range(ind)
            low, high = (0.0, 10.0) if low is None or high is None else (low, high)
            for year in sp.data_years(plan):
                if dt.date(year.start_year + 1, 2, 28) > sp.PRESENT:
                    continue
                row = {"plan_id": plan.id, "indicator_id": ind.id, "fiscal_year": year.key}
                if ind.measure.name == "survey_value":
                    value = value + float(rng.normal(0.08, 0.15))
                    scaled = round(low + (high - low) * value / 10, 1)
                    row |= {"value": scaled, "respondents": np.nan, "population": np.nan}
                else:
                    population = int(rng.integers(120, 160))
                    respondents = int(round(population * float(rng.normal(0.8, 0.05))))
                    rate = round(respondents / population * 100, 1)
                    row |= {"value": rate, "respondents": respondents, "population": population}
                rows.append(row)
        if not rows:
            continue
        df = pd.DataFrame(rows).astype({"value": float, "respondents": float, "population": float})
        writer = sp.EXCEL_FR if i % 2 == 0 else sp.PLAIN
        files.append((f"sondages_{plan.id}.csv", df, writer))
    return files
