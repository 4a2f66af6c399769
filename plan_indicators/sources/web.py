"""GA4 events staged with DuckDB (SPEC §3): a year of events never enters pandas.

`distinct_users` only needs the distinct (page path, user) pairs of `page_view` events in the
fiscal year, so that is all we write. Page paths are normalised the way the catalog lists
pages: scheme and host dropped (so the host's case does not matter), query and fragment
dropped, trailing slash ignored except for the root; the path's own case is kept, since web
servers may treat it as significant. `event_date` is GA4's local day (America/Toronto), read
as text so that string, integer and DATE columns all work.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import CONTRACTS
from plan_indicators.sources.csvio import checksum
from plan_indicators.sources.readers import FileError, FileReport, list_files

WEB = "web_analytics"
_REQUIRED = [c.name for c in CONTRACTS[WEB].columns if c.required]

# page_location -> path: drop scheme://host, then ?query and #fragment, then trailing slashes.
_PATH = (
    "regexp_replace(regexp_replace(CAST(page_location AS VARCHAR), "
    "'^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''), '[?#].*$', '')"
)
PAGE_PATH_SQL = f"coalesce(nullif(rtrim({_PATH}, '/'), ''), '/')"
# The event's day, NULL when event_date is not a real YYYYMMDD (or YYYY-MM-DD) day.
DAY_SQL = "CAST(try_strptime(replace(trim(event_date), '-', ''), '%Y%m%d') AS DATE)"
# Fiscal year (start year) of that day: April onwards belongs to the year that starts then.
FY_SQL = f"(year({DAY_SQL}) - CASE WHEN month({DAY_SQL}) < 4 THEN 1 ELSE 0 END)"


def _connect() -> duckdb.DuckDBPyConnection:
    """Bounded memory; spills go to the system temp folder, not the working directory."""
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute("SET memory_limit='1GB'")
    con.execute("SET preserve_insertion_order=false")
    con.execute(
        f"SET temp_directory={_lit(Path(tempfile.gettempdir()) / 'plan_indicators_duckdb')}"
    )
    return con


def _lit(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def _scan(path: Path) -> str:
    if _is_parquet(path):
        return f"read_parquet({_lit(path)})"
    return f"read_csv({_lit(path)}, all_varchar=true, header=true)"


def _events_sql(files: list[Path], columns: list[str] | None = None) -> str:
    """All files as one relation of varchar columns: one multi-file scan per format."""
    cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in (columns or _REQUIRED))
    parquet = [p for p in files if _is_parquet(p)]
    csv = [p for p in files if not _is_parquet(p)]
    scans = []
    if parquet:
        scans.append(f"read_parquet([{', '.join(_lit(p) for p in parquet)}], union_by_name=true)")
    if csv:
        scans.append(
            f"read_csv([{', '.join(_lit(p) for p in csv)}], all_varchar=true, header=true, "
            "union_by_name=true)"
        )
    return " UNION ALL ".join(f"SELECT {cols} FROM {scan}" for scan in scans)


def _refuse_invalid(landing_dir: Path) -> None:
    errors = validate_web_files(landing_dir)
    if errors:
        raise ValueError(
            "web analytics files refused: "
            + "; ".join(f"{e.file}:{e.column or '-'}: {e.rule}: {e.message}" for e in errors)
        )


def stage_web_analytics(
    landing_dir: Path, fiscal_year: str, out_path: Path, pages: list[str] | None = None
) -> dict:
    """Write the distinct (page_path, user_pseudo_id) pairs of the year; stats for metadata.

    Stats: files, rows_scanned (events in the files), events_invalid_date (events whose
    event_date is not a day, left out), page_views_in_year, distinct_pairs. With no file at
    all nothing is written, so the measure reports missing data rather than zero users.
    """
    outputs = {fiscal_year: Path(out_path)}
    return stage_web_analytics_years(landing_dir, outputs, pages)[fiscal_year]


def stage_web_analytics_years(
    landing_dir: Path, outputs: dict[str, Path], pages: list[str] | None = None
) -> dict[str, dict]:
    """Stage several fiscal years in one scan of the files: {year: out_path} -> {year: stats}.

    `pages` (normalised paths) keeps only the pages some indicator of the catalog counts;
    None keeps every page.

    Raises ValueError when a file is unreadable or lacks a required column.
    """
    landing_dir = Path(landing_dir)
    files = list_files(landing_dir, WEB)
    empty = {
        "files": 0,
        "rows_scanned": 0,
        "events_invalid_date": 0,
        "page_views_in_year": 0,
        "distinct_pairs": 0,
    }
    years = sorted(FiscalYear.parse(fy) for fy in outputs)
    if not files:
        return {fy.key: dict(empty) for fy in years}
    _refuse_invalid(landing_dir)
    wanted = ", ".join(str(fy.start_year) for fy in years)
    keep = (
        f"event_name = 'page_view' AND {FY_SQL} IN ({wanted}) "
        "AND page_location IS NOT NULL AND user_pseudo_id IS NOT NULL AND user_pseudo_id <> ''"
    )
    if pages is not None:
        listed = ", ".join(_lit(p) for p in sorted(set(pages))) or "NULL"
        keep += f" AND {PAGE_PATH_SQL} IN ({listed})"
    con = _connect()
    stats: dict[str, dict] = {}
    try:
        con.execute(f"CREATE TEMP VIEW ev AS {_events_sql(files)}")
        per_year = con.execute(
            f"SELECT {FY_SQL} AS fy, count(*) FROM ({_events_sql(files, ['event_date'])}) "
            "GROUP BY ALL"
        ).fetchall()
        events = {fy: int(n) for fy, n in per_year if fy is not None}
        scanned = sum(int(n) for _fy, n in per_year)
        invalid = sum(int(n) for fy, n in per_year if fy is None)
        con.execute(
            f"CREATE TEMP TABLE pairs AS SELECT {FY_SQL} AS fy, {PAGE_PATH_SQL} AS page_path, "
            f"user_pseudo_id, count(*) AS views FROM ev WHERE {keep} GROUP BY ALL"
        )
        for fy in years:
            out_path = Path(outputs[fy.key])
            if not events.get(fy.start_year):
                # No event at all in that year yet: no staged file, so the measure says
                # "no data" instead of counting zero users.
                out_path.unlink(missing_ok=True)
                stats[fy.key] = {
                    **empty,
                    "files": len(files),
                    "rows_scanned": int(scanned),
                    "events_invalid_date": int(invalid),
                }
                continue
            out_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = out_path.with_name(out_path.name + ".tmp")
            con.execute(
                f"COPY (SELECT page_path, user_pseudo_id FROM pairs WHERE fy = {fy.start_year}) "
                f"TO {_lit(tmp)} (FORMAT PARQUET)"
            )
            views, pairs = con.execute(
                f"SELECT coalesce(sum(views), 0), count(*) FROM pairs WHERE fy = {fy.start_year}"
            ).fetchone()
            tmp.replace(out_path)
            stats[fy.key] = {
                "files": len(files),
                "rows_scanned": int(scanned),
                "events_invalid_date": int(invalid),
                "page_views_in_year": int(views),
                "distinct_pairs": int(pairs),
            }
    finally:
        con.close()
    return stats


def web_fiscal_years(landing_dir: Path) -> list[str]:
    """Fiscal years that hold at least one event, reading only the `event_date` column."""
    landing_dir = Path(landing_dir)
    files = list_files(landing_dir, WEB)
    if not files:
        return []
    _refuse_invalid(landing_dir)
    con = _connect()
    try:
        rows = con.execute(
            f"SELECT DISTINCT {FY_SQL} AS fy FROM ({_events_sql(files, ['event_date'])}) "
            "WHERE fy IS NOT NULL ORDER BY fy"
        ).fetchall()
    finally:
        con.close()
    return [FiscalYear(int(fy)).key for (fy,) in rows]


def _column_names(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """Column names from a Parquet footer (no data read), or from DuckDB's CSV sniffer."""
    if _is_parquet(path):
        import pyarrow.parquet as pq

        return {name.casefold() for name in pq.read_schema(path).names}
    described = con.execute(f"DESCRIBE SELECT * FROM {_scan(path)}").fetchall()
    return {str(row[0]).casefold() for row in described}


def validate_web_files(landing_dir: Path) -> list[FileError]:
    """Each file readable and holding the required columns, checked by DESCRIBE only."""
    landing_dir = Path(landing_dir)
    errors: list[FileError] = []
    con = _connect()
    try:
        for path in list_files(landing_dir, WEB):
            rel = path.relative_to(landing_dir).as_posix()
            if path.stat().st_size == 0:
                errors.append(FileError(rel, None, None, "empty_file", "fichier vide (0 octet)"))
                continue
            try:
                names = _column_names(con, path)
            except (duckdb.Error, OSError, ValueError) as exc:
                msg = str(exc).splitlines()[0]
                errors.append(FileError(rel, None, None, "unreadable", f"illisible : {msg}"))
                continue
            errors.extend(
                FileError(rel, 1, c, "missing_column", f"colonne obligatoire absente : {c}")
                for c in _REQUIRED
                if c.casefold() not in names
            )
    finally:
        con.close()
    return errors


def web_file_reports(landing_dir: Path, refused: set[str] | None = None) -> list[FileReport]:
    """Per valid file: events counted and those whose event_date is not a day (which staging
    leaves out), as FileReports where such events count as quarantined. One scan per file;
    `refused` (files with a FileError) saves validating the files again."""
    landing_dir = Path(landing_dir)
    if refused is None:
        refused = {e.file for e in validate_web_files(landing_dir)}
    reports: list[FileReport] = []
    con = _connect()
    try:
        for path in list_files(landing_dir, WEB):
            rel = path.relative_to(landing_dir).as_posix()
            if rel in refused:
                continue
            rows, invalid = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {DAY_SQL} IS NULL) "
                f"FROM ({_events_sql([path], ['event_date'])})"
            ).fetchone()
            report = FileReport(
                rel,
                checksum(path),
                int(rows),
                int(rows) - int(invalid),
                int(invalid),
                "parquet" if _is_parquet(path) else "utf-8",
                "" if _is_parquet(path) else "auto",
            )
            if invalid:
                report.warnings.append(
                    f"{invalid} événement(s) dont event_date n'est pas une date AAAAMMJJ : ignorés"
                )
            reports.append(report)
    finally:
        con.close()
    return reports
