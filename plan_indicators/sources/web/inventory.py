"""The raw layer of web analytics: an inventory of the landing files (rows, events per fiscal
year and per day, days that are not days), read from Parquet footers where they settle it and
kept in the raw manifest keyed by each file's size and modification time, so a refresh inspects
only new or changed files; the files it refuses and the per-file reports `check-landing` prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import WEB
from plan_indicators.sources.csvio import checksum
from plan_indicators.sources.folders import IgnoredEntry, scan_folder
from plan_indicators.sources.readers import FileError, FileReport
from plan_indicators.sources.web.sql import (
    DAY_SQL,
    REQUIRED,
    connect,
    events_sql,
    is_parquet,
    lit,
)

_CANONICAL_DAY = re.compile(r"\d{8}")


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
            con.append(connect())
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
        if is_parquet(path):
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
        for c in REQUIRED
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
        f"SELECT {DAY_SQL} AS day, count(*) FROM ({events_sql([path], ['event_date'])}) "
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


def web_fiscal_years(landing_dir: Path) -> list[str]:
    """Fiscal years that hold at least one event."""
    inventory = inventory_web_files(landing_dir)
    inventory.raise_for_errors()
    return inventory.fiscal_years


def _csv_column_names(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """Column names from DuckDB's CSV sniffer."""
    sql = f"DESCRIBE SELECT * FROM read_csv({lit(path)}, all_varchar=true, header=true)"
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
            "parquet" if is_parquet(path) else "utf-8",
            "" if is_parquet(path) else "auto",
        )
        if f.invalid_dates:
            report.warnings.append(
                f"{f.invalid_dates} événement(s) dont event_date n'est pas une date AAAAMMJJ : "
                "ignorés"
            )
        reports.append(report)
    return reports
