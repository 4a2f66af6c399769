"""Builders of staged frames (the exact shape staging writes) and measure contexts for tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from plan_indicators.fiscal import FiscalYear
from plan_indicators.measures import MeasureContext, MeasureResult, compute
from plan_indicators.sources.contracts import CONTRACTS
from plan_indicators.staging import ParquetStagedData

_DATES = {"date", "timestamp_us", "mdy_hm", "yyyymmdd"}
_NUMBERS = {"int", "float"}


def staged_frame(source: str, rows: list[dict]) -> pd.DataFrame:
    """Rows typed as staging types them: dates datetime64[ns], booleans "boolean", numbers
    float64, the rest text; every contract column present, plus `_file` and `_line`."""
    contract = CONTRACTS[source]
    data: dict[str, pd.Series] = {}
    for col in contract.columns:
        values = [row.get(col.name) for row in rows]
        if col.type in _DATES:
            series = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        elif col.type == "bool":
            series = pd.Series(values, dtype="boolean")
        elif col.type in _NUMBERS:
            series = pd.Series(values, dtype="float64")
        else:
            series = pd.Series(values, dtype="object")
        data[col.name] = series
    df = pd.DataFrame(data)
    if source == "facebook_posts":
        df["publish_date"] = df["publish_time"].dt.normalize()
    df["_file"] = f"{source}.csv"
    df["_line"] = range(2, len(df) + 2)
    return df


def stage(root: Path, source: str, rows: list[dict]) -> ParquetStagedData:
    data = ParquetStagedData(root)
    data.write(source, staged_frame(source, rows))
    return data


def stage_web(
    root: Path, fiscal_year: str, pairs: list[tuple[str, str]], pages: list[str] | None = None
) -> Path:
    """A staged web file as staging writes it: one row per user, bit i of `pages_0` set when
    the user viewed page i of the sorted staged `pages` (recorded in the Parquet metadata).
    `pages` defaults to those of the pairs; pairs on other pages are left out, as staging does."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    pages = sorted(set(pages) if pages is not None else {page for page, _user in pairs})
    masks: dict[str, int] = {}
    for page, user in pairs:
        if page in pages:
            masks[user] = masks.get(user, 0) | 1 << pages.index(page)
    table = pa.table(
        {
            "user_pseudo_id": pa.array(list(masks), pa.string()),
            "pages_0": pa.array(list(masks.values()), pa.uint64()),
        }
    ).replace_schema_metadata({"plan_indicators_pages": json.dumps(pages)})
    path = ParquetStagedData(root).web_path(fiscal_year)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def context(
    root: Path,
    fiscal_year: str = "2024-2025",
    as_of: dt.date = dt.date(2026, 1, 1),
    plan_id: str = "plan-a",
    indicator_id: str = "1.1",
    business_days=None,
    plan_start: str | None = None,
) -> MeasureContext:
    return MeasureContext(
        plan_id=plan_id,
        indicator_id=indicator_id,
        fiscal_year=FiscalYear.parse(fiscal_year),
        as_of=as_of,
        data=ParquetStagedData(root),
        business_days=business_days,
        plan_start=FiscalYear.parse(plan_start) if plan_start else None,
    )


def run(name: str, root: Path, params: dict | None = None, **ctx) -> MeasureResult:
    """Compute a measure through the registry, as the pipeline does."""
    return compute(name, context(root, **ctx), params or {})
