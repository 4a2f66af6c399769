"""Amounts in dollars (unit `currency`) from the activity register: an investment, a grant, an
expenditure is a record whose `quantity` is its amount in CAD.

A record without an amount is left out and counted (`MeasureResult.exclude`), never read as
1 $ as a count reads an empty quantity.
"""

from __future__ import annotations

import pandas as pd

from plan_indicators.fiscal import FiscalYear
from plan_indicators.measures import MeasureContext, MeasureResult, measure
from plan_indicators.measures._common import absent, in_year
from plan_indicators.measures.register import NO_ROWS, _rows


@measure(
    "register_amount",
    sources=("activity_register",),
    units=("currency",),
    label_fr="Montant (investissements, subventions, dépenses) inscrit au registre, en dollars",
)
def register_amount(ctx: MeasureContext) -> MeasureResult:
    """Sum of `quantity` (the amount in CAD) of the year's records; a record without one is left
    out and counted. Years kept as `register_count` keeps them."""
    rows = _rows(ctx)
    if rows is None:
        return absent("activity_register")
    if rows.empty:
        return MeasureResult.missing(NO_ROWS)
    first = FiscalYear.of(pd.to_datetime(rows["event_date"]).min().date())
    kept_from = min(first, ctx.plan_start) if ctx.plan_start else first
    if ctx.fiscal_year < kept_from:
        return MeasureResult.missing(
            f"Aucun enregistrement au registre avant {first.key} : l'année {ctx.fiscal_year.key} "
            "précède le registre et le plan"
        )
    year = in_year(rows, "event_date", ctx)
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
