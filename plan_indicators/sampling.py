"""What every source's sample generator shares: the fixed present, the export habits it writes
with, calendar helpers, and the context a generator receives.

Nothing here reads the clock or the measure library: the "present" is `PRESENT`, and every
draw comes from `numpy.random.default_rng([seed, stream])`, one stream per source, so the same
seed gives byte-identical files (gzip headers carry no time, Parquet no pandas metadata).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
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


@dataclass(frozen=True)
class Ndjson:
    """A `pyarrow.Table` as BigQuery's JSON export writes it: one object a line, INT64 as
    strings, null fields left out, gzip with mtime 0."""

    suffix: str = ".json.gz"

    def write(self, path: Path, table: Any) -> None:
        import json

        def clean(value):
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items() if v is not None}
            if isinstance(value, list):
                return [clean(v) for v in value]
            return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

        lines = [json.dumps(clean(row), ensure_ascii=False) for row in table.to_pylist()]
        path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))


@dataclass(frozen=True)
class Workbook:
    """An export saved as `.xlsx`: ISO text of the `dates` columns as date cells, `flags`
    columns as boolean cells, numbers as numbers, the rest as text. The archive's times are
    fixed so that the same seed gives the same bytes."""

    sheet: str = "Feuil1"
    dates: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    suffix: str = ".xlsx"

    def write(self, path: Path, df: pd.DataFrame) -> None:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = self.sheet
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([self._cell(c, v) for c, v in zip(df.columns, row, strict=True)])
        for col in self.dates:
            letter = openpyxl.utils.get_column_letter(list(df.columns).index(col) + 1)
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
        stamp = dt.datetime.combine(PRESENT, dt.time())
        wb.properties.creator = "plan-indicators sample-data"
        wb.properties.created = stamp
        buffer = io.BytesIO()
        wb.save(buffer)
        path.write_bytes(_fixed_zip_times(buffer.getvalue(), stamp))

    def _cell(self, column: str, value: Any) -> Any:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            return None
        if column in self.dates:
            return dt.date.fromisoformat(str(value))
        if column in self.flags:
            return str(value).casefold() in ("oui", "true", "1", "yes")
        if isinstance(value, np.integer | np.floating):
            return value.item()
        return value


def _fixed_zip_times(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook's parts with one fixed time: openpyxl stamps the save time in the core
    properties and zip headers."""
    import re
    import zipfile

    out = io.BytesIO()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + iso.encode(), body)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


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
