"""Staff or population counts on given dates (docs/contracts.md §4.7.12): the denominator of a
turnover or participation rate ("Taux de roulement du personnel").

The human-resources extract lists, per count date, the headcount of each unit (a team, a
direction, or a population such as a programme's eligible clients); the rows of one date add up
to the organisation's headcount, and `register_share_of_headcount` divides a register count by
the mean of the year's count dates. A zone that holds several organisations' or populations'
counts tells them apart by `unit`, which a catalog filters on.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, SourceContract

CONTRACT = SourceContract(
    "headcounts",
    "headcount of a unit on a count date",
    (
        Column("count_date", "date", aliases=("date_denombrement",)),
        Column("headcount", "float", minimum=0, aliases=("effectif",)),
        Column("unit", aliases=("unite",)),
        Column("note", required=False, free_text=True),
    ),
    key=("count_date", "unit"),
    filters=("unit",),
    date_column="count_date",
    section="4.7.12",
)

SAMPLE_STREAM = 12

UNITS = {"direction-generale": 38, "services-aux-citoyens": 104, "soutien": 58}
"""The sample organisation's units and their headcounts at the start: 200 people in all."""
SAMPLE_TOTAL = sum(UNITS.values())


def _quarter_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """30 June, 30 September, 31 December and 31 March between `start` and `end`."""
    out = []
    for year in range(start.year, end.year + 1):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            d = dt.date(year, month, day)
            if start <= d <= end:
                out.append(d)
    return out


def sample(ctx: SampleContext) -> list[SampleFile]:
    """A quarterly HR extract from the sample's start: each unit's headcount drifts by a few
    people a quarter around its level, never below a third of it."""
    rng = ctx.rng()
    now = dict(UNITS)
    rows = []
    for when in _quarter_ends(sp.START, sp.PRESENT):
        for unit, level in UNITS.items():
            now[unit] = max(level // 3, now[unit] + int(rng.integers(-3, 4)))
            rows.append({"count_date": when.isoformat(), "headcount": now[unit],
                         "unit": unit, "note": ""})  # fmt: skip
    df = pd.DataFrame(rows, columns=["count_date", "headcount", "unit", "note"])
    return [("effectifs_trimestriels.csv", df, sp.EXCEL_FR)]
