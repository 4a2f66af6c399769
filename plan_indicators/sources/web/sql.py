"""The SQL every web-analytics step shares: one bounded DuckDB connection, the scan of a set of
files of any shape (flattened CSV or Parquet, the BigQuery export's nested Parquet or
newline-delimited JSON) as one relation of text columns, and the expressions that read a page's
path, an event's day and its fiscal year the same way in the inventory and in staging."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import duckdb

from plan_indicators.sources.contracts import CONTRACTS, WEB

# page_location -> path: an optional scheme://host dropped, the path up to ?query or #fragment
# kept, trailing slashes trimmed; a bare host and the root both give ''. A greedy expression
# then `rtrim`: 8% faster over 50 M events than one expression that also drops the slashes
# (whose lazy group makes RE2 try each position), for the same paths (bench/results.md).
PATH_SQL = (
    "rtrim(regexp_extract(CAST(page_location AS VARCHAR), "
    "'^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), '/')"
)

PAGE_PATH_SQL = f"coalesce(nullif({PATH_SQL}, ''), '/')"

# The event's day, NULL when event_date is not a real YYYYMMDD (or YYYY-MM-DD) day.
DAY_SQL = (
    "CAST(try_strptime(replace(trim(CAST(event_date AS VARCHAR)), '-', ''), '%Y%m%d') AS DATE)"
)

# Fiscal year (start year) of that day: April onwards belongs to the year that starts then.
FY_SQL = f"(year({DAY_SQL}) - CASE WHEN month({DAY_SQL}) < 4 THEN 1 ELSE 0 END)"

REQUIRED = [c.name for c in CONTRACTS[WEB].columns if c.required]


_DATABASE: dict[int, duckdb.DuckDBPyConnection] = {}
"""This process's in-memory DuckDB database, by process id. A forked child keeps its parent's
untouched (never used, never closed: closing it would wait for threads the fork did not copy)."""
_lock = threading.Lock()
"""Held while the database is opened, so that two threads open one."""


def _free_lock() -> None:
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_free_lock)  # a thread of the parent's may have held it


def connect() -> duckdb.DuckDBPyConnection:
    """A connection of its own to this process's in-memory DuckDB database: bounded memory,
    spills to the system temp folder, not the working directory. Close it after use.

    Opening a database took 29 ms on this machine and a connection to an open one 0.01 ms: every
    step, measure and check that scans web files asks for one (each year of each web indicator,
    and its projection's backtest). Nothing is stored in the database (every query reads files),
    so the connections share nothing but its settings and memory limit. A forked process opens
    its own: a database's threads do not cross a fork."""
    with _lock:
        database = _DATABASE.get(os.getpid())
        if database is None:
            database = duckdb.connect()
            database.execute("SET threads=2")
            database.execute("SET memory_limit='1GB'")
            database.execute("SET preserve_insertion_order=false")
            spill = Path(tempfile.gettempdir()) / "plan_indicators_duckdb"
            database.execute(f"SET temp_directory={lit(spill)}")
            _DATABASE[os.getpid()] = database
        return database.cursor()


def lit(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def is_json(path: Path) -> bool:
    return path.name.lower().endswith((".json", ".json.gz"))


# The shapes a web file can have, decided when it is inspected: flattened CSV or Parquet
# (a `page_location` column), the BigQuery export's own Parquet (`event_params`, no
# `page_location`), or newline-delimited JSON, where each row may be either.
CSV, PARQUET, PARQUET_NESTED, JSON = "csv", "parquet", "parquet_nested", "json"
# The page of a nested event: the string value of its first `page_location` parameter.
# `list_filter` then one element: about half the time of a list comprehension, which builds
# the projected list of every parameter before filtering it (bench/results.md).
NESTED_PAGE_SQL = (
    "list_filter(event_params, lambda p: p.key = 'page_location')[1].value.string_value"
)
_PARAM_SQL = (
    "STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value VARCHAR, "
    "float_value VARCHAR, double_value VARCHAR))[]"
)
# What a JSON scan reads, typed by us: DuckDB infers nothing, other keys (device, geo,
# traffic_source, items...) are skipped, and BigQuery's INT64-as-string values are read as text.
_JSON_COLUMNS = (
    "{"
    + ", ".join(f"'{c}': 'VARCHAR'" for c in REQUIRED)
    + f", 'event_params': '{_PARAM_SQL}'"
    + "}"
)
WebPath = tuple[Path, str]  # a file and its shape


def _column_sql(column: str, shape: str) -> str:
    if column != "page_location" or shape in (CSV, PARQUET):
        return f"CAST({column} AS VARCHAR) AS {column}"
    if shape == PARQUET_NESTED:
        return f"{NESTED_PAGE_SQL} AS page_location"
    return f"coalesce(page_location, {NESTED_PAGE_SQL}) AS page_location"


def scan_sql(paths: list[Path], shape: str, filename: bool = False) -> str:
    """One multi-file scan; with `filename`, each row also says which file it came from."""
    files = f"[{', '.join(lit(p) for p in paths)}]"
    extra = ", filename=true" if filename else ""
    if shape in (PARQUET, PARQUET_NESTED):
        return f"read_parquet({files}, union_by_name=true{extra})"
    if shape == JSON:
        return f"read_json({files}, format='newline_delimited', columns={_JSON_COLUMNS}{extra})"
    return f"read_csv({files}, all_varchar=true, header=true, union_by_name=true{extra})"


def events_sql(
    files: list[WebPath], columns: list[str] | None = None, filename: bool = False
) -> str:
    """All files as one relation of varchar columns, the page taken from `event_params`
    where the export nests it: one multi-file scan per shape (with `filename`, a column
    `filename` naming each row's file)."""
    by_shape: dict[str, list[Path]] = {}
    for path, shape in files:
        by_shape.setdefault(shape, []).append(path)
    names = [*(columns or REQUIRED), *(["filename"] if filename else [])]
    return " UNION ALL ".join(
        f"SELECT {', '.join(_column_sql(c, shape) for c in names)} "
        f"FROM {scan_sql(paths, shape, filename)}"
        for shape, paths in by_shape.items()
    )
