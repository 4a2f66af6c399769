"""The SQL every web-analytics step shares: one bounded DuckDB connection, the scan of a set of
files as one relation of text columns, and the expressions that read a page's path, an event's
day and its fiscal year the same way in the inventory and in staging."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from plan_indicators.sources.contracts import CONTRACTS, WEB

# page_location -> path in one regular expression (every extra pass over the text costs as
# much as the scan): an optional scheme://host, then the path up to ?query or #fragment,
# trailing slashes left out; a bare host gives '' and the root '/'.
PATH_SQL = (
    "regexp_extract(CAST(page_location AS VARCHAR), "
    "'^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?(/?[^?#]*?)/*(?:[?#].*)?$', 1)"
)

PAGE_PATH_SQL = f"coalesce(nullif({PATH_SQL}, ''), '/')"

# The event's day, NULL when event_date is not a real YYYYMMDD (or YYYY-MM-DD) day.
DAY_SQL = (
    "CAST(try_strptime(replace(trim(CAST(event_date AS VARCHAR)), '-', ''), '%Y%m%d') AS DATE)"
)

# Fiscal year (start year) of that day: April onwards belongs to the year that starts then.
FY_SQL = f"(year({DAY_SQL}) - CASE WHEN month({DAY_SQL}) < 4 THEN 1 ELSE 0 END)"

REQUIRED = [c.name for c in CONTRACTS[WEB].columns if c.required]


def connect() -> duckdb.DuckDBPyConnection:
    """Bounded memory; spills go to the system temp folder, not the working directory."""
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute("SET memory_limit='1GB'")
    con.execute("SET preserve_insertion_order=false")
    con.execute(f"SET temp_directory={lit(Path(tempfile.gettempdir()) / 'plan_indicators_duckdb')}")
    return con


def lit(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def events_sql(files: list[Path], columns: list[str] | None = None) -> str:
    """All files as one relation of varchar columns: one multi-file scan per format."""
    cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in (columns or REQUIRED))
    parquet = [p for p in files if is_parquet(p)]
    csv = [p for p in files if not is_parquet(p)]
    scans = []
    if parquet:
        scans.append(f"read_parquet([{', '.join(lit(p) for p in parquet)}], union_by_name=true)")
    if csv:
        scans.append(
            f"read_csv([{', '.join(lit(p) for p in csv)}], all_varchar=true, header=true, "
            "union_by_name=true)"
        )
    return " UNION ALL ".join(f"SELECT {cols} FROM {scan}" for scan in scans)
