"""Requests to a regional coordination (docs/contracts.md §4.7.7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.fiscal import FiscalYear
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import REGIONS, Column, SourceContract

CONTRACT = SourceContract(
    "coordination_requests",
    "request to a regional coordination",
    (
        Column("request_id"),
        Column("region_code", allowed=REGIONS),
        Column("received_date", "date"),
        Column("eligible", "bool"),
        Column("processed_date", "date", required=False),
    ),
    key=("request_id",),
    filters=("region_code",),
    date_column="received_date",
    coverage="month",
    section="4.7.7",
)

SAMPLE_STREAM = 6


def sample(ctx: SampleContext) -> list[SampleFile]:
    """Requests to the 17 regional coordinations; processed share rising ~78 % → ~90 %."""
    rng = ctx.rng()
    days = sp.workdays(sp.START, sp.PRESENT)
    day = np.repeat(days, rng.poisson(1200 * ctx.small / 250, days.size))
    n = day.size
    eligible = rng.random(n) < 0.86
    processed = rng.random(n) < np.where(eligible, 0.78 + 0.12 * sp.frac(day), 0.1)
    done = day + rng.integers(3, 45, n).astype("timedelta64[D]")
    processed &= done <= np.datetime64(sp.PRESENT, "D")
    fy = sp.fiscal_starts(day)
    styles = {2022: "oui", 2023: "1", 2024: "true", 2025: "yes", 2026: "true"}
    formats = {2022: sp.EXCEL_FR, 2025: sp.BOM}
    ids = np.array([f"CR-{i:06d}" for i in range(1, n + 1)], dtype=object)
    region = np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)]
    files = []
    for y in sorted(set(fy.tolist())):
        m = fy == y
        df = pd.DataFrame(
            {
                "request_id": ids[m],
                "region_code": region[m],
                "received_date": sp.iso(day[m]),
                "eligible": sp.bools(eligible[m], styles[y]),
                "processed_date": sp.iso_where(done[m], processed[m]),
            }
        )
        files.append((f"coordination_{FiscalYear(y).key}.csv", df, formats.get(y, sp.PLAIN)))
    return files
