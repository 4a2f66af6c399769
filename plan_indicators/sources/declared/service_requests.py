"""Requests to the public services (docs/contracts.md §4.7.4).

`requester_id` is personal: readers replace it with its keyed pseudonym before any check, so
no raw identifier reaches staging, quarantine or logs. The sample writes one export per fiscal
year, each with its year's habits (gzipped Windows CSV, a BOM), and people who come back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from plan_indicators import sampling as sp
from plan_indicators.sampling import SampleContext, SampleFile
from plan_indicators.sources.declaration import REGIONS, Column, SourceContract

CHANNELS = ("web_form", "email", "chat", "phone", "mail", "in_person", "fax")

CONTRACT = SourceContract(
    "service_requests",
    "request to the public services",
    (
        Column("request_id", identifier=True),
        Column("received_date", "date"),
        Column("channel", allowed=CHANNELS),
        Column("requester_id", required=False, personal=True),
        Column("region_code", required=False, allowed=REGIONS),
        Column("programme", required=False),
    ),
    key=("request_id",),
    date_column="received_date",
    coverage="month",
    filters=("channel", "programme", "region_code"),
    section="4.7.4",
)

SAMPLE_STREAM = 3

_FORMATS = {2022: sp.Csv("cp1252", ";", crlf=True, gz=True), 2023: sp.BOM}


@dataclass(frozen=True)
class Requests:
    """The drawn requests and their received days, which service offers answer."""

    frame: pd.DataFrame
    received: np.ndarray


def draw(ctx: SampleContext) -> Requests:
    """~3,000 requests a year; digital share rising from ~35 % to ~55 %; people come back."""
    rng = ctx.rng()
    days = sp.workdays(sp.START, sp.PRESENT)
    day = np.repeat(days, rng.poisson(3000 * ctx.small / 250, days.size))
    n = day.size
    digital = rng.random(n) < 0.35 + 0.20 * sp.frac(day)
    d_channel = rng.choice(3, n, p=[0.5, 0.35, 0.15])
    o_channel = 3 + rng.choice(4, n, p=[0.7, 0.12, 0.12, 0.06])
    channel = np.array(CHANNELS, dtype=object)[np.where(digital, d_channel, o_channel)]
    people = rng.permutation(1_000_000)[rng.integers(0, max(1, int(n * 0.6)), n)]
    df = pd.DataFrame(
        {
            "request_id": [f"DEM-{i:06d}" for i in range(1, n + 1)],
            "received_date": sp.iso(day),
            "channel": channel,
            "requester_id": [f"QC-{p:06d}" for p in people],
            "region_code": np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)],
        }
    )
    return Requests(df, day)


def sample(ctx: SampleContext) -> list[SampleFile]:
    requests: Requests = ctx.upstream(CONTRACT.name)
    return sp.by_fiscal_year(requests.frame, requests.received, "demandes", _FORMATS)
