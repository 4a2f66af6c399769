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
    """All files as one relation of varchar columns: one multi-file scan per format, so
    DuckDB plans a single read and prunes Parquet row groups on `event_date`."""
    cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in _REQUIRED)
    parquet = [p for p in files if p.name.lower().endswith(".parquet")]
    csv = [p for p in files if p not in parquet]
    scans = []
    if parquet:
        scans.append(f"read_parquet([{', '.join(_lit(p) for p in parquet)}], union_by_name=true)")
    if csv:
        scans.append(
            f"read_csv([{', '.join(_lit(p) for p in csv)}], all_varchar=true, header=true, "
            "union_by_name=true)"
        )
    return " UNION ALL ".join(f"SELECT {cols} FROM {scan}" for scan in scans)


def stage_web_analytics(landing_dir: Path, fiscal_year: str, out_path: Path) -> dict:
    """Write the distinct (page_path, user_pseudo_id) pairs of the year; stats for metadata."""
    return stage_web_analytics_years(landing_dir, {fiscal_year: Path(out_path)})[fiscal_year]


def stage_web_analytics_years(landing_dir: Path, outputs: dict[str, Path]) -> dict[str, dict]:
    """Stage several fiscal years in one scan of the files: {year: out_path} -> {year: stats}."""
    files = list_files(Path(landing_dir), WEB)
    empty = {"files": len(files), "rows_scanned": 0, "page_views_in_year": 0, "distinct_pairs": 0}
    if not files:
        return {fy: dict(empty) for fy in outputs}
    years = sorted(FiscalYear.parse(fy) for fy in outputs)
    lo, hi = years[0].start.strftime("%Y%m%d"), years[-1].end.strftime("%Y%m%d")
    day = "replace(event_date, '-', '')"
    # Fiscal year of a YYYYMMDD day: its year if the month is April or later, else the year before.
    fy_start = (
        f"CAST(substr({day}, 1, 4) AS INTEGER) - "
        f"CASE WHEN substr({day}, 5, 2) < '04' THEN 1 ELSE 0 END"
    )
    keep = (
        f"event_name = 'page_view' AND length({day}) = 8 AND {day} BETWEEN '{lo}' AND '{hi}' "
        "AND page_location IS NOT NULL AND user_pseudo_id IS NOT NULL AND user_pseudo_id <> ''"
    )
    wanted = ", ".join(str(fy.start_year) for fy in years)
    con = _connect()
    stats: dict[str, dict] = {}
    try:
        con.execute(f"CREATE TEMP VIEW ev AS {_events_sql(files)}")
        (scanned,) = con.execute("SELECT count(*) FROM ev").fetchone()
        con.execute(
            f"CREATE TEMP TABLE pairs AS SELECT {fy_start} AS fy, {PAGE_PATH_SQL} AS page_path, "
            f"user_pseudo_id, count(*) AS views FROM ev WHERE {keep} GROUP BY ALL"
        )
        con.execute(f"DELETE FROM pairs WHERE fy NOT IN ({wanted})")
        for fy in years:
            out_path = Path(outputs[fy.key])
            out_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = out_path.with_name(out_path.name + ".tmp")
            con.execute(
                f"COPY (SELECT page_path, user_pseudo_id FROM pairs WHERE fy = {fy.start_year} "
                f"ORDER BY 1, 2) TO {_lit(tmp)} (FORMAT PARQUET)"
            )
            views, pairs = con.execute(
                f"SELECT coalesce(sum(views), 0), count(*) FROM pairs WHERE fy = {fy.start_year}"
            ).fetchone()
            tmp.replace(out_path)
            stats[fy.key] = {
                "files": len(files),
                "rows_scanned": int(scanned),
                "page_views_in_year": int(views),
                "distinct_pairs": int(pairs),
            }
    finally:
        con.close()
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
