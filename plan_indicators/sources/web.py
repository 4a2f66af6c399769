"""GA4 events staged with DuckDB (SPEC §3): a year of events never enters pandas.

`distinct_users` only needs the distinct (page path, user) pairs of `page_view` events in the
fiscal year, so that is all we write; page paths are normalised the way the catalog lists
pages (no scheme, host, query or fragment; trailing slash ignored).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import CONTRACTS
from plan_indicators.sources.readers import FileError, list_files

WEB = "web_analytics"
_REQUIRED = [c.name for c in CONTRACTS[WEB].columns if c.required]

# page_location -> path: drop scheme://host, then ?query and #fragment, then trailing slashes.
_PATH = (
    "regexp_replace(regexp_replace(CAST(page_location AS VARCHAR), "
    "'^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''), '[?#].*$', '')"
)
PAGE_PATH_SQL = f"coalesce(nullif(rtrim({_PATH}, '/'), ''), '/')"


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute("SET memory_limit='2GB'")
    return con


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _scan(path: Path) -> str:
    if path.name.lower().endswith(".parquet"):
        return f"read_parquet({_lit(path)})"
    return f"read_csv({_lit(path)}, all_varchar=true, header=true)"


def _events_sql(files: list[Path]) -> str:
    """All files as one relation of varchar columns, whatever each file's own types."""
    cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in _REQUIRED)
    return " UNION ALL ".join(f"SELECT {cols} FROM {_scan(p)}" for p in files)


def stage_web_analytics(landing_dir: Path, fiscal_year: str, out_path: Path) -> dict:
    """Write the distinct (page_path, user_pseudo_id) pairs of the year; stats for metadata."""
    fy = FiscalYear.parse(fiscal_year)
    files = list_files(Path(landing_dir), WEB)
    stats = {"files": len(files), "rows_scanned": 0, "page_views_in_year": 0, "distinct_pairs": 0}
    if not files:
        return stats
    lo, hi = fy.start.strftime("%Y%m%d"), fy.end.strftime("%Y%m%d")
    day = "replace(event_date, '-', '')"
    in_year = (
        f"event_name = 'page_view' AND length({day}) = 8 AND {day} BETWEEN '{lo}' AND '{hi}' "
        "AND page_location IS NOT NULL AND user_pseudo_id IS NOT NULL AND user_pseudo_id <> ''"
    )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    con = _connect()
    try:
        con.execute(f"CREATE TEMP VIEW ev AS {_events_sql(files)}")
        scanned, views = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {in_year}) FROM ev"
        ).fetchone()
        con.execute(
            f"COPY (SELECT DISTINCT {PAGE_PATH_SQL} AS page_path, user_pseudo_id FROM ev "
            f"WHERE {in_year} ORDER BY 1, 2) TO {_lit(tmp)} (FORMAT PARQUET)"
        )
        (pairs,) = con.execute(f"SELECT count(*) FROM read_parquet({_lit(tmp)})").fetchone()
    finally:
        con.close()
    tmp.replace(out_path)
    stats.update(
        rows_scanned=int(scanned), page_views_in_year=int(views), distinct_pairs=int(pairs)
    )
    return stats


def validate_web_files(landing_dir: Path) -> list[FileError]:
    """Each file readable and holding the required columns, checked by DESCRIBE only."""
    landing_dir = Path(landing_dir)
    errors: list[FileError] = []
    con = _connect()
    try:
        for path in list_files(landing_dir, WEB):
            rel = path.relative_to(landing_dir).as_posix()
            if path.stat().st_size == 0:
                errors.append(FileError(rel, None, None, "empty_file", "file is empty (0 bytes)"))
                continue
            try:
                described = con.execute(f"DESCRIBE SELECT * FROM {_scan(path)}").fetchall()
            except duckdb.Error as exc:
                msg = str(exc).splitlines()[0]
                errors.append(FileError(rel, None, None, "unreadable", msg))
                continue
            names = {str(row[0]).casefold() for row in described}
            errors.extend(
                FileError(rel, 1, c, "missing_column", f"colonne obligatoire absente : {c}")
                for c in _REQUIRED
                if c.casefold() not in names
            )
    finally:
        con.close()
    return errors
