"""Offers of service made to a client (docs/contracts.md §4.7.5).

Every `request_id` must be a request of `service_requests`: staging quarantines the others
under `unknown_request`. The sample answers the drawn requests, so it follows them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import Column, Reference, SourceContract

CONTRACT = SourceContract(
    "service_offers",
    "offer of service made to a client",
    (
        Column("offer_id"),
        Column("request_id", identifier=True),
        Column("offer_date", "date"),
        Column("offer_kind", allowed=("initial", "follow_up")),
        Column("response", allowed=("accepted", "refused", "no_response", "pending")),
        Column("response_date", "date", required=False),
        Column("programme", required=False),
    ),
    key=("offer_id",),
    filters=("programme",),
    date_column="offer_date",
    coverage="month",
    references={"request_id": Reference("service_requests", "request_id", "unknown_request")},
    section="4.7.5",
)

SAMPLE_STREAM = 4

_FORMATS = {2023: sp.EXCEL_FR, 2025: sp.BOM}


def sample(ctx: SampleContext) -> list[SampleFile]:
    """Initial offers for most requests, follow-ups for some; acceptance rising ~40 % → ~75 %."""
    requests = ctx.upstream("service_requests")
    received = requests.received
    rng = ctx.rng()
    present = np.datetime64(sp.PRESENT, "D")
    n = received.size
    has = rng.random(n) < 0.62
    initial = received + rng.integers(1, 21, n).astype("timedelta64[D]")
    follow = has & (rng.random(n) < 0.2)
    follow_date = initial + rng.integers(30, 90, n).astype("timedelta64[D]")
    req = np.r_[np.flatnonzero(has), np.flatnonzero(follow)]
    date = np.r_[initial[has], follow_date[follow]]
    kind = np.r_[np.zeros(has.sum(), bool), np.ones(follow.sum(), bool)]
    keep = date <= present
    req, date, kind = req[keep], date[keep], kind[keep]
    order = np.lexsort((kind, req, date))
    req, date, kind = req[order], date[order], kind[order]
    m = date.size
    accept_p = 0.40 + 0.35 * sp.frac(date)
    u = rng.random(m)
    response = np.where(u < accept_p, 0, np.where(u < accept_p + (1 - accept_p) * 0.6, 1, 2))
    answered = date + rng.integers(1, 30, m).astype("timedelta64[D]")
    pending = (answered > present) | (rng.random(m) < 0.02)
    response = np.where(pending, 3, response)
    labels = np.array(("accepted", "refused", "no_response", "pending"), dtype=object)
    df = pd.DataFrame(
        {
            "offer_id": [f"OFF-{i:06d}" for i in range(1, m + 1)],
            "request_id": requests.frame["request_id"].to_numpy()[req],
            "offer_date": sp.iso(date),
            "offer_kind": np.where(kind, "follow_up", "initial"),
            "response": labels[response],
            "response_date": sp.iso_where(answered, response < 2),
        }
    )
    return sp.by_fiscal_year(df, date, "offres", _FORMATS)
