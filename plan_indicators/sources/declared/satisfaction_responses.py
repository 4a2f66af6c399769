"""Answers to the client-experience survey (docs/contracts.md §4.7.6): a score on 10."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, SourceContract

CONTRACT = SourceContract(
    "satisfaction_responses",
    "answer to the client-experience survey",
    (
        Column("response_id"),
        Column("response_date", "date"),
        Column("score", "float", minimum=0, maximum=10),
        Column("survey", required=False),
        Column("question", required=False),
    ),
    key=("response_id",),
    filters=("survey", "question"),
    date_column="response_date",
    coverage="month",
    section="4.7.6",
)

SAMPLE_STREAM = 5

SATISFACTION_FROM = dt.date(2024, 4, 1)


def sample(ctx: SampleContext) -> list[SampleFile]:
    """Survey answers from 2024-04-01; half points appear, mean ~7.8 rising slightly."""
    rng = ctx.rng()
    days = sp.days(SATISFACTION_FROM, sp.PRESENT)
    day = np.repeat(days, rng.poisson(900 * ctx.small / 365, days.size))
    n = day.size
    years = (day - np.datetime64(SATISFACTION_FROM, "D")).astype(float) / 365.25
    score = np.clip(np.round(rng.normal(7.8 + 0.15 * years, 1.5) * 2) / 2, 0, 10)
    df = pd.DataFrame(
        {
            "response_id": [f"SAT-{i:05d}" for i in range(1, n + 1)],
            "response_date": sp.iso(day),
            "score": score.astype(float),
        }
    )
    return sp.by_fiscal_year(df, day, "sondage_experience_client", {2025: sp.EXCEL_FR})
