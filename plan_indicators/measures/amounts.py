"""Amounts in dollars (unit `currency`) from the activity register: an investment, a grant, an
expenditure is a record whose `quantity` is its amount in CAD.

A record without an amount is left out and counted (`MeasureResult.exclude`), never read as
1 $ as a count reads an empty quantity.
"""

from __future__ import annotations

import pandas as pd

from plan_indicators.measures import MeasureContext, MeasureResult, measure
from plan_indicators.measures.register import kept_year


@measure(
    "register_amount",
    sources=("activity_register",),
    units=("currency",),
    label_fr="Montant (investissements, subventions, dépenses) inscrit au registre, en dollars",
)
def register_amount(ctx: MeasureContext) -> MeasureResult:
    """Sum of `quantity` (the amount in CAD) of the year's records; a record without one is left
    out and counted. Years kept as `register_count` keeps them."""
    year, missing = kept_year(ctx)
    if missing:
        return missing
    amount = year["quantity"].astype("float64")
    month = pd.to_datetime(year["event_date"]).dt.month
    first_half = month.between(4, 9)
    known = amount.notna()
    total = float(amount[known].sum())
    result = MeasureResult(
        value=total,
        numerator=total,
        rows_used=int(known.sum()),
        periods={
            "H1": float(amount[known & first_half].sum()),
            "H2": float(amount[known & ~first_half].sum()),
        },
    )
    missing = int((~known).sum())
    return result.exclude(
        "no_amount", missing, f"{missing} enregistrement(s) sans montant laissé(s) de côté"
    )
