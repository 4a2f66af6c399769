"""Annual action plans of the organisations bound by the Act, art. 61.1 (docs/contracts.md §4.7.8).

Sparse by nature (one filing a year per organisation), so no coverage unit.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, SourceContract

ORGANISATION_TYPES = ("ministere", "organisme", "municipalite")

CONTRACT = SourceContract(
    "action_plan_filings",
    "annual action plan of an organisation bound by the Act (art. 61.1)",
    (
        Column("organisation_id"),
        Column("organisation_type", allowed=ORGANISATION_TYPES),
        Column("reference_start", "date"),
        Column("adopted_date", "date", required=False),
        Column("consultation", "bool"),
    ),
    key=("organisation_id", "reference_start"),
    date_column="reference_start",
    section="4.7.8",
)

SAMPLE_STREAM = 7


def sample(ctx: SampleContext) -> list[SampleFile]:
    return _filings(ctx.rng())


def _filings(rng: np.random.Generator) -> list[SampleFile]:
    """~190 organisations, one plan a year 2022-2026; consultation and promptness improving."""
    kinds = ["ministere"] * 24 + ["organisme"] * 71 + ["municipalite"] * 96
    prefix = {"ministere": "MIN", "organisme": "ORG", "municipalite": "MUN"}
    codes = rng.choice(np.arange(10_000, 99_999), len(kinds), replace=False)
    org_id = [
        f"{prefix[k]}-{c:05d}" if k == "municipalite" else f"{prefix[k]}-{i:03d}"
        for i, (k, c) in enumerate(zip(kinds, codes, strict=True), start=1)
    ]
    propensity = rng.normal(0, 0.6, len(kinds))
    styles = {2022: "oui", 2023: "true", 2024: "1", 2025: "oui", 2026: "true"}
    files = []
    for year in range(2022, 2027):
        step = year - 2022
        ref = [dt.date(year, 1, 1) if k == "municipalite" else dt.date(year, 4, 1) for k in kinds]
        ref64 = np.array(ref, dtype="datetime64[D]")
        on_time = rng.random(len(kinds)) < 0.37 + 0.03 * step + 0.1 * propensity
        lag = np.where(
            on_time, rng.integers(-90, 182, len(kinds)), rng.integers(185, 330, len(kinds))
        )
        adopted = ref64 + lag.astype("timedelta64[D]")
        missing = (rng.random(len(kinds)) < 0.05) | (adopted > np.datetime64(sp.PRESENT, "D"))
        consult = rng.random(len(kinds)) < 0.52 + 0.025 * step + 0.08 * propensity
        df = pd.DataFrame(
            {
                "organisation_id": org_id,
                "organisation_type": kinds,
                "reference_start": sp.iso(ref64),
                "adopted_date": sp.iso_where(adopted, ~missing),
                "consultation": sp.bools(consult, styles[year]),
            }
        )
        writer = sp.EXCEL_FR if year == 2023 else sp.PLAIN
        files.append((f"plans_action_{year}.csv", df, writer))
    return files
