"""GA4 events staged with DuckDB (docs/contracts.md §4.7.1): a year of events never enters pandas.

`distinct_users` only needs, per fiscal year, which users viewed which of the catalog's
pages, so that is all we write: one row per user with a bit per page. Page paths are
normalised the way the catalog lists pages: scheme and host dropped (so the host's case does
not matter), query and fragment dropped, trailing slash ignored except for the root; the
path's own case is kept, since web servers may treat it as significant. `event_date` is
GA4's local day (America/Toronto), read as text so that string, integer and DATE columns
all work.

Cost grows with new data, not with history: an inventory of the files (rows, events per
fiscal year, days that are not days) is read from Parquet footers where they settle it and
kept in the raw manifest keyed by each file's size and modification time, so a refresh
inspects only new or changed files and staging a year scans only the files that hold it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import CONTRACTS, WEB
from plan_indicators.sources.csvio import checksum
from plan_indicators.sources.folders import IgnoredEntry, scan_folder
from plan_indicators.sources.readers import FileError, FileReport

_REQUIRED = [c.name for c in CONTRACTS[WEB].columns if c.required]

# page_location -> path in one regular expression (every extra pass over the text costs as
# much as the scan): an optional scheme://host, then the path up to ?query or #fragment,
# trailing slashes left out; a bare host gives '' and the root '/'.
_PATH_SQL = (
    "regexp_extract(CAST(page_location AS VARCHAR), "
    "'^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?(/?[^?#]*?)/*(?:[?#].*)?$', 1)"
)
PAGE_PATH_SQL = f"coalesce(nullif({_PATH_SQL}, ''), '/')"
PAGES_METADATA = "plan_indicators_pages"
# The event's day, NULL when event_date is not a real YYYYMMDD (or YYYY-MM-DD) day.
DAY_SQL = (
    "CAST(try_strptime(replace(trim(CAST(event_date AS VARCHAR)), '-', ''), '%Y%m%d') AS DATE)"
)
# Fiscal year (start year) of that day: April onwards belongs to the year that starts then.
FY_SQL = f"(year({DAY_SQL}) - CASE WHEN month({DAY_SQL}) < 4 THEN 1 ELSE 0 END)"
_CANONICAL_DAY = re.compile(r"\d{8}")


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


@dataclass
class WebFile:
    """One landing file as the inventory knows it; `size` and `mtime_ns` say it is unchanged."""

    file: str
    size: int
    mtime_ns: int
    rows: int = 0
    invalid_dates: int = 0
    events_per_year: dict[str, int] = field(default_factory=dict)
    first_day: str | None = None
    last_day: str | None = None
    errors: list[dict] = field(default_factory=list)
    day_counts: dict[str, int] = field(default_factory=dict)
    """Events per day (ISO date): what the coverage check counts days with data from."""


@dataclass
class WebInventory:
    """Every web file of a landing zone; `inspected` of them were read this time."""

    root: Path
    files: list[WebFile]
    inspected: int
    ignored: list[IgnoredEntry] = field(default_factory=list)

    @property
    def errors(self) -> list[FileError]:
        """Files refused, and workbooks, which web analytics does not read (their events
        would be missing from the counts)."""
        refused = [FileError(**e) for f in self.files for e in f.errors]
        return refused + [
            FileError(e.file, None, None, e.rule, e.message)
            for e in self.ignored
            if e.rule == "unsupported_format"
        ]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def invalid_dates(self) -> int:
        return sum(f.invalid_dates for f in self.files)

    def events(self, fiscal_year: str) -> int:
        return sum(f.events_per_year.get(fiscal_year, 0) for f in self.files)

    @property
    def fiscal_years(self) -> list[str]:
        return sorted({fy for f in self.files for fy in f.events_per_year})

    def day_counts(self) -> dict[dt.date, int]:
        """Events per day over every valid file."""
        out: dict[dt.date, int] = {}
        for f in self.files:
            for day, n in f.day_counts.items():
                d = dt.date.fromisoformat(day)
                out[d] = out.get(d, 0) + n
        return out

    @property
    def last_day(self) -> dt.date | None:
        days = [f.last_day for f in self.files if f.last_day]
        return dt.date.fromisoformat(max(days)) if days else None

    def scan_groups(self, years: list[FiscalYear]) -> tuple[dict[int, list[Path]], list[Path]]:
        """The files with at least one event in one of `years`, all staging must scan: those
        whose days all fall in one fiscal year, by its start year, and the others (mixed years
        or days that are not days), which must parse `event_date` row by row."""
        wanted = {fy.key: fy.start_year for fy in years}
        pure: dict[int, list[Path]] = {}
        mixed: list[Path] = []
        for f in self.files:
            held = set(f.events_per_year) & set(wanted)
            if not held:
                continue
            if len(f.events_per_year) == 1 and not f.invalid_dates:
                pure.setdefault(wanted[held.pop()], []).append(self.root / f.file)
            else:
                mixed.append(self.root / f.file)
        return pure, mixed

    def raise_for_errors(self) -> None:
        errors = self.errors
        if errors:
            raise ValueError(
                "web analytics files refused: "
                + "; ".join(f"{e.file}:{e.column or '-'}: {e.rule}: {e.message}" for e in errors)
            )

    def records(self) -> list[dict]:
        """For the raw manifest; `inventory_web_files(cached=...)` reads them back."""
        return [{**vars(f), "events_per_year": dict(f.events_per_year)} for f in self.files]


def inventory_web_files(landing_dir: Path, cached: list[dict] | None = None) -> WebInventory:
    """Inspect each web file, reusing `cached` records of files whose size and mtime match."""
    landing_dir = Path(landing_dir)
    known = {r["file"]: r for r in cached or [] if "size" in r}
    files: list[WebFile] = []
    inspected = 0
    con: list[duckdb.DuckDBPyConnection] = []

    def connection() -> duckdb.DuckDBPyConnection:
        """One DuckDB connection, opened when a file first needs one (CSV, unsettled footer)."""
        if not con:
            con.append(_connect())
        return con[0]

    paths, ignored = scan_folder(landing_dir, WEB)
    try:
        for path in paths:
            rel = path.relative_to(landing_dir).as_posix()
            st = path.stat()
            record = known.get(rel)
            same = record and (record["size"], record["mtime_ns"]) == (st.st_size, st.st_mtime_ns)
            if same and "day_counts" in record:  # records of older manifests lack day counts
                files.append(WebFile(**record))
            else:
                files.append(_inspect(connection, path, WebFile(rel, st.st_size, st.st_mtime_ns)))
                inspected += 1
    finally:
        for c in con:
            c.close()
    return WebInventory(landing_dir, files, inspected, ignored)


def _inspect(connection, path: Path, entry: WebFile) -> WebFile:
    """Columns checked, then counts from the Parquet footer or, failing that, one scan."""
    rel = entry.file
    if entry.size == 0:
        entry.errors.append(_error(rel, None, None, "empty_file", "fichier vide (0 octet)"))
        return entry
    footer = None
    try:
        if _is_parquet(path):
            import pyarrow.parquet as pq

            footer = pq.read_metadata(path)
            names = {name.casefold() for name in footer.schema.names}
        else:
            names = _csv_column_names(connection(), path)
    except (duckdb.Error, OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0]
        entry.errors.append(
            _quote_fault(path, rel) or _error(rel, None, None, "unreadable", f"illisible : {msg}")
        )
        return entry
    entry.errors.extend(
        _error(rel, 1, c, "missing_column", f"colonne obligatoire absente : {c}")
        for c in _REQUIRED
        if c.casefold() not in names
    )
    if entry.errors and footer is None:
        fault = _quote_fault(path, rel)
        entry.errors = [fault] if fault else entry.errors
    if entry.errors:
        return entry
    counted = _footer_counts(footer) if footer is not None else None
    if counted is None:
        counted = _scan_counts(connection(), path)
    rows, invalid, per_year, first, last, per_day = counted
    entry.rows, entry.invalid_dates, entry.events_per_year = rows, invalid, per_year
    entry.first_day, entry.last_day, entry.day_counts = first, last, per_day
    return entry


def _quote_fault(path: Path, rel: str) -> dict | None:
    """Why DuckDB's CSV sniffer found no header, when a quote that never closes is the cause:
    the line where it opened and its column, as the other sources report it."""
    from plan_indicators.sources.csvio import CsvError, read_csv

    try:
        read_csv(path, free_text=lambda header: ())
    except CsvError as exc:
        if exc.rule in ("unclosed_quote", "malformed_quote"):
            header = exc.header or []
            field = len(header) if exc.field is None else exc.field
            column = header[field] if field < len(header) else None
            return _error(rel, exc.line, column, exc.rule, exc.message)
    return None


def _error(file, line, column, rule, message) -> dict:
    return dataclasses.asdict(FileError(file, line, column, rule, message))


def _canonical_day(value) -> dt.date | None:
    """A footer's event_date value as a day, only when DuckDB would read it the same way."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | str):
        text = str(value).replace("-", "") if isinstance(value, str) else str(value)
        if _CANONICAL_DAY.fullmatch(text):
            try:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                return None
    return None


def _footer_counts(meta):
    """Counts from the footer when every row group holds one and the same valid day."""
    if meta.num_rows == 0:
        return 0, 0, {}, None, None, {}
    index = [name.casefold() for name in meta.schema.names].index("event_date")
    values = set()
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or not stats.has_min_max or stats.null_count != 0:
            return None
        values |= {stats.min, stats.max}
    day = _canonical_day(values.pop()) if len(values) == 1 else None
    if day is None:
        return None
    rows, iso = meta.num_rows, day.isoformat()
    return rows, 0, {FiscalYear.of(day).key: rows}, iso, iso, {iso: rows}


def _scan_counts(con: duckdb.DuckDBPyConnection, path: Path):
    """One scan of the `event_date` column: events per day, per fiscal year, invalid days."""
    rows = con.execute(
        f"SELECT {DAY_SQL} AS day, count(*) FROM ({_events_sql([path], ['event_date'])}) "
        "GROUP BY ALL"
    ).fetchall()
    per_day = {day.isoformat(): int(n) for day, n in sorted(rows, key=str) if day is not None}
    per_year: dict[str, int] = {}
    for day, n in rows:
        if day is not None:
            key = FiscalYear.of(day).key
            per_year[key] = per_year.get(key, 0) + int(n)
    invalid = sum(int(n) for day, n in rows if day is None)
    first = min(per_day) if per_day else None
    last = max(per_day) if per_day else None
    return sum(int(n) for _day, n in rows), invalid, per_year, first, last, per_day


def stage_web_analytics(
    landing_dir: Path, fiscal_year: str, out_path: Path, pages: list[str]
) -> dict:
    """Stage one fiscal year; see `stage_web_analytics_years`."""
    outputs = {fiscal_year: Path(out_path)}
    return stage_web_analytics_years(landing_dir, outputs, pages)[fiscal_year]


def stage_web_analytics_years(
    landing_dir: Path,
    outputs: dict[str, Path],
    pages: list[str],
    inventory: WebInventory | None = None,
) -> dict[str, dict]:
    """Stage several fiscal years in one scan of the files: {year: out_path} -> {year: stats}.

    Each year's file holds one row per user who viewed at least one of `pages` (normalised
    paths: those the catalog's indicators count): `user_pseudo_id`; `pages_0`, `pages_1`...,
    64-bit masks where bit i (of block i // 64) says the user viewed page i of the sorted page
    list, which the file's Parquet metadata (`plan_indicators_pages`) records; and `views`,
    the user's page views on those pages. One row per user
    is the least a distinct count can read; the masks let each indicator pick its own pages.
    `inventory` (from the raw manifest) saves inspecting the files again.

    Stats: files, files_scanned (those holding the years), rows_scanned (events in the files),
    events_invalid_date (events whose event_date is not a day, left out), page_views_in_year
    (on the pages), distinct_users. With no event at all in a year nothing is written, so the
    measure reports missing data rather than zero users.

    Raises ValueError when a file is unreadable or lacks a required column.
    """
    inventory = inventory or inventory_web_files(landing_dir)
    years = sorted(FiscalYear.parse(fy) for fy in outputs)
    inventory.raise_for_errors()
    if not inventory.files:
        return {fy.key: _stats(0, 0, 0, 0, 0, 0) for fy in years}
    pages = sorted(set(pages))
    pure, mixed = inventory.scan_groups(years)
    scanned = sum(map(len, pure.values())) + len(mixed)
    common = (len(inventory.files), scanned, inventory.rows, inventory.invalid_dates)
    stats: dict[str, dict] = {}
    for fy in years:
        if not inventory.events(fy.key):
            # No event at all in that year yet: no staged file, so the measure says
            # "no data" instead of counting zero users.
            Path(outputs[fy.key]).unlink(missing_ok=True)
            stats[fy.key] = _stats(*common, 0, 0)
    held = [fy for fy in years if fy.key not in stats]
    if held:
        written = _write_years(inventory, held, pages, {fy.key: outputs[fy.key] for fy in held})
        stats.update({fy: _stats(*common, *counts) for fy, counts in written.items()})
    return {fy.key: stats[fy.key] for fy in years}


def _write_years(
    inventory: WebInventory, years: list[FiscalYear], pages: list[str], outputs: dict[str, Path]
) -> dict[str, tuple[int, int]]:
    """One scan written straight to Parquet in a scratch folder beside the outputs (split by
    year when there are several), then each year's file moved into place:
    {year: (page views, users)}."""
    import os
    import shutil

    meta = f"KV_METADATA {{{PAGES_METADATA}: {_lit(json.dumps(pages, ensure_ascii=False))}}}"
    parents = [Path(p).parent for p in outputs.values()]
    for parent in parents:
        parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".web-staging-", dir=os.path.commonpath(parents)))
    con = _connect()
    counts: dict[str, tuple[int, int]] = {}
    try:
        users_sql = _users_sql(inventory, years, pages)
        if len(years) == 1:  # the daily case: no partitioning to pay for
            folder = scratch / "y" / f"fy={years[0].start_year}"
            folder.mkdir(parents=True)
            con.execute(
                f"COPY (SELECT * EXCLUDE (fy) FROM ({users_sql})) TO "
                f"{_lit(folder / 'data_0.parquet')} (FORMAT PARQUET, {meta})"
            )
        else:
            con.execute(
                f"COPY ({users_sql}) TO {_lit(scratch / 'y')} "
                f"(FORMAT PARQUET, PARTITION_BY (fy), {meta})"
            )
        for fy in years:
            parts = sorted((scratch / "y" / f"fy={fy.start_year}").glob("*.parquet"))
            single = scratch / f"{fy.start_year}.parquet"
            if len(parts) == 1:
                parts[0].replace(single)
            else:  # no user viewed a catalog page (no part), or DuckDB split the year
                source = _empty_users(pages)
                if parts:
                    source = f"SELECT * FROM read_parquet([{', '.join(map(_lit, parts))}])"
                con.execute(f"COPY ({source}) TO {_lit(single)} (FORMAT PARQUET, {meta})")
            views, users = con.execute(
                f"SELECT coalesce(sum(views), 0), count(*) FROM read_parquet({_lit(single)})"
            ).fetchone()
            single.replace(outputs[fy.key])
            counts[fy.key] = (int(views), int(users))
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return counts


def _empty_users(pages: list[str]) -> str:
    """A relation with a staged file's columns and no row."""
    masks = ", ".join(f"0::UBIGINT AS {b}" for b in mask_columns(len(pages)))
    return f"SELECT NULL::VARCHAR AS user_pseudo_id, {masks}, 0::BIGINT AS views WHERE false"


def mask_columns(n_pages: int) -> list[str]:
    """`pages_0`, `pages_1`...: one 64-bit mask column per 64 pages, at least one."""
    return [f"pages_{j}" for j in range(max(1, -(-n_pages // 64)))]


def staged_pages(path: str | Path) -> list[str]:
    """The page list (in bit order) a staged web file was written for."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(PAGES_METADATA.encode())
    return json.loads(raw) if raw else []


def _users_sql(inventory: WebInventory, years: list[FiscalYear], pages: list[str]) -> str:
    """(fy, user, page masks, views) of the page views of `years` on `pages`.

    One multi-file scan per group: a file whose days all fall in one fiscal year (the usual
    daily export) gets that year as a constant; only files that mix years or hold days that are
    not days pay for parsing `event_date` row by row. Pages are matched by a join on a small
    table of (path, bit): the root also answers to the empty path `_PATH_SQL` gives a bare host.
    """
    blocks = mask_columns(len(pages))
    if not pages:
        return f"SELECT NULL::INTEGER AS fy, * FROM ({_empty_users(pages)})"
    pure, mixed = inventory.scan_groups(years)
    scans = [
        f"SELECT {start} AS fy, * FROM ({_events_sql(paths)})" for start, paths in pure.items()
    ]
    if mixed:
        in_years = ", ".join(str(fy.start_year) for fy in years)
        scans.append(
            f"SELECT * FROM (SELECT {FY_SQL} AS fy, * FROM ({_events_sql(mixed)})) "
            f"WHERE fy IN ({in_years})"
        )
    bits = [(p, i) for i, p in enumerate(pages)]
    if "/" in pages:
        bits.append(("", pages.index("/")))
    catalog = ", ".join(f"({_lit(p)}, {i})" for p, i in bits)
    if len(blocks) == 1:
        masks = "bit_or(1::UBIGINT << bit::UBIGINT) AS pages_0"
    else:
        masks = ", ".join(
            f"bit_or(CASE WHEN bit // 64 = {j} THEN 1::UBIGINT << (bit % 64)::UBIGINT "
            f"ELSE 0::UBIGINT END) AS {b}"
            for j, b in enumerate(blocks)
        )
    # One year: every kept row has it, so the year need not be part of the grouping key.
    fy, group = (
        (f"{years[0].start_year} AS fy", "user_pseudo_id")
        if len(years) == 1
        else (
            "fy",
            "fy, user_pseudo_id",
        )
    )
    return (
        f"SELECT {fy}, user_pseudo_id, {masks}, count(*) AS views FROM ("
        f"SELECT fy, {_PATH_SQL} AS page, user_pseudo_id FROM ({' UNION ALL '.join(scans)}) "
        "WHERE event_name = 'page_view' AND page_location IS NOT NULL "
        "AND user_pseudo_id IS NOT NULL AND user_pseudo_id <> '') AS e "
        f"JOIN (VALUES {catalog}) AS catalog(path, bit) ON e.page = catalog.path "
        f"GROUP BY {group}"
    )


def _stats(files, files_scanned, rows, invalid, views, users) -> dict:
    return {
        "files": files,
        "files_scanned": files_scanned,
        "rows_scanned": rows,
        "events_invalid_date": invalid,
        "page_views_in_year": views,
        "distinct_users": users,
    }


def web_fiscal_years(landing_dir: Path) -> list[str]:
    """Fiscal years that hold at least one event."""
    inventory = inventory_web_files(landing_dir)
    inventory.raise_for_errors()
    return inventory.fiscal_years


def _csv_column_names(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """Column names from DuckDB's CSV sniffer."""
    sql = f"DESCRIBE SELECT * FROM read_csv({_lit(path)}, all_varchar=true, header=true)"
    described = con.execute(sql).fetchall()
    return {str(row[0]).casefold() for row in described}


def validate_web_files(landing_dir: Path) -> list[FileError]:
    """Each file readable and holding the required columns."""
    return inventory_web_files(landing_dir).errors


def web_file_reports(
    landing_dir: Path, inventory: WebInventory | None = None, checksums: bool = True
) -> list[FileReport]:
    """Per valid file: events counted and those whose event_date is not a day (which staging
    leaves out), as FileReports where such events count as quarantined. The raw step passes
    `checksums=False`: its inventory already keys files by size and modification time."""
    inventory = inventory or inventory_web_files(landing_dir)
    reports: list[FileReport] = []
    for f in inventory.files:
        if f.errors:
            continue
        path = inventory.root / f.file
        report = FileReport(
            f.file,
            checksum(path) if checksums else "",
            f.rows,
            f.rows - f.invalid_dates,
            f.invalid_dates,
            "parquet" if _is_parquet(path) else "utf-8",
            "" if _is_parquet(path) else "auto",
        )
        if f.invalid_dates:
            report.warnings.append(
                f"{f.invalid_dates} événement(s) dont event_date n'est pas une date AAAAMMJJ : "
                "ignorés"
            )
        reports.append(report)
    return reports
