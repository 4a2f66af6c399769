"""What every source's sample generator shares: the fixed present, the export habits it writes
with, calendar helpers, and the context a generator receives.

Nothing here reads the clock or the measure library: the "present" is `PRESENT`, and every
draw comes from `numpy.random.default_rng([seed, stream])`, one stream per source, so the same
seed gives byte-identical files (gzip headers carry no time, Parquet no pandas metadata).
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from plan_indicators.catalog import Plan
from plan_indicators.fiscal import FiscalYear

PRESENT = dt.date(2026, 10, 31)
START = dt.date(2022, 4, 1)

BOOLS = {"oui": ("oui", "non"), "true": ("true", "false"), "1": ("1", "0"), "yes": ("yes", "no")}


# ── writing ───────────────────────────────────────────────────────────────────────────────────


class Writer(Protocol):
    def write(self, path: Path, data: Any) -> None: ...


@dataclass(frozen=True)
class Csv:
    """One export's CSV habits; gzip with mtime 0 keeps the bytes reproducible."""

    encoding: str = "utf-8"
    sep: str = ","
    decimal: str = "."
    gz: bool = False
    crlf: bool = False

    @property
    def suffix(self) -> str:
        return ".csv.gz" if self.gz else ".csv"

    def write(self, path: Path, df: pd.DataFrame) -> None:
        out = df.copy()
        for col in out.columns:
            if pd.api.types.is_float_dtype(out[col]):
                out[col] = [_num(v, self.decimal) for v in out[col]]
        text = out.to_csv(index=False, sep=self.sep, lineterminator="\r\n" if self.crlf else "\n")
        data = text.encode(self.encoding)
        path.write_bytes(gzip.compress(data, mtime=0) if self.gz else data)


@dataclass(frozen=True)
class Parquet:
    """A `pyarrow.Table` as written by BigQuery extracts: no pandas metadata."""

    suffix: str = ".parquet"

    def write(self, path: Path, table: Any) -> None:
        pq.write_table(table, path)


EXCEL_FR = Csv("cp1252", ";", ",", crlf=True)
BOM = Csv("utf-8-sig")
PLAIN = Csv()
SampleFile = tuple[str, Any, Writer]
"""(file name in the source's folder, a DataFrame or Arrow table, how to write it)."""


def _num(value: float, decimal: str) -> str:
    if pd.isna(value):
        return ""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", decimal)


def bools(values: Iterable[bool], style: str) -> list[str]:
    yes, no = BOOLS[style]
    return [yes if v else no for v in values]


def iso(dates: Iterable[Any]) -> list[str]:
    """ISO dates, empty for missing (NaT or None)."""
    return ["" if pd.isna(d) else pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates]


def iso_where(dates: np.ndarray, present: np.ndarray) -> list[str]:
    """ISO dates where `present`, empty cells elsewhere (not processed, not adopted…)."""
    return ["" if not keep else d for d, keep in zip(iso(dates), present, strict=True)]


def fiscal_starts(days: np.ndarray) -> np.ndarray:
    """Start year of the fiscal year of each datetime64 day."""
    months = days.astype("datetime64[M]").astype(np.int64)
    return 1970 + (months - 3) // 12


def by_fiscal_year(
    df: pd.DataFrame, days: np.ndarray, prefix: str, formats: dict[int, Csv]
) -> list[SampleFile]:
    """One file per fiscal year, as the services export them, each year with its own habits."""
    years = fiscal_starts(days)
    return [
        (
            f"{prefix}_{FiscalYear(y).key}{formats.get(y, PLAIN).suffix}",
            df[years == y].reset_index(drop=True),
            formats.get(y, PLAIN),
        )
        for y in sorted(set(years.tolist()))
    ]


# ── calendar ──────────────────────────────────────────────────────────────────────────────────


def days(start: dt.date, end: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)


def frac(day: np.ndarray) -> np.ndarray:
    """Position of each day between START (0) and PRESENT (1): drives the rising trends."""
    span = (np.datetime64(PRESENT, "D") - np.datetime64(START, "D")).astype(float)
    return (day - np.datetime64(START, "D")).astype(float) / span


_FIXED_HOLIDAYS = ((1, 1), (1, 2), (6, 24), (7, 1), (12, 24), (12, 25), (12, 26), (12, 31))


def _holidays(first_year: int, last_year: int) -> np.ndarray:
    """Fixed-date public-service holidays only: enough to make plausible working dates."""
    return np.array(
        [
            np.datetime64(dt.date(y, m, d), "D")
            for y in range(first_year, last_year + 1)
            for m, d in _FIXED_HOLIDAYS
        ]
    )


HOLIDAYS = _holidays(2017, 2029)


def workdays(start: dt.date, end: dt.date) -> np.ndarray:
    day = days(start, end)
    return day[np.is_busday(day, holidays=HOLIDAYS)]


def data_years(plan: Plan) -> list[FiscalYear]:
    """Plan and baseline years that have started by PRESENT."""
    years = [FiscalYear.parse(k) for k in plan.partition_years()]
    return [y for y in years if y.start <= PRESENT]


def spread(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    """`n` working days between `start` and `end`, dropping those after PRESENT."""
    pool = workdays(start, end)
    if n <= 0 or pool.size == 0:
        return []
    chosen = np.sort(pool[rng.integers(0, pool.size, n)])
    return [d for d in chosen.astype(dt.date).tolist() if d <= PRESENT]


# ── the context a generator receives ──────────────────────────────────────────────────────────


@dataclass
class SampleRun:
    """One `generate` call: its seed, scale and plans, and what generators share."""

    seed: int
    scale: float
    plans: list[Plan]
    _drawn: dict[str, Any] = field(default_factory=dict)

    def context(self, source: str) -> SampleContext:
        from plan_indicators.sources.declared import declared

        return SampleContext(self, source, declared()[source].stream)


@dataclass(frozen=True)
class SampleContext:
    """What a source's `sample(ctx)` and `draw(ctx)` get: its random stream, the scale, the
    plans, and `upstream(source)` for a source whose rows it follows (offers answer requests)."""

    run: SampleRun
    source: str
    stream: int | None

    @property
    def scale(self) -> float:
        return self.run.scale

    @property
    def small(self) -> float:
        """The scale of transactional sources: the square root of `scale`."""
        return float(np.sqrt(self.run.scale))

    @property
    def plans(self) -> list[Plan]:
        return self.run.plans

    def rng(self) -> np.random.Generator:
        if self.stream is None:
            raise ValueError(
                f"source {self.source} declares SAMPLE_STREAM = None: it draws from the "
                "source it follows (ctx.upstream), not from a stream of its own"
            )
        return np.random.default_rng([self.run.seed, self.stream])

    def upstream(self, source: str) -> Any:
        """What `source`'s module `draw(ctx)` returned, drawn once per run from its stream."""
        from plan_indicators.sources.declared import declared

        if source not in self.run._drawn:
            draw = declared()[source].draw
            if draw is None:
                raise ValueError(f"source {source} has no draw(ctx) for {self.source} to follow")
            self.run._drawn[source] = draw(self.run.context(source))
        return self.run._drawn[source]
