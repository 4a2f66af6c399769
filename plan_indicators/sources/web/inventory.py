"""The raw layer of web analytics: an inventory of the landing files (rows, events per fiscal
year and per day, days that are not days), read from Parquet footers where they settle it and
kept in the raw manifest keyed by each file's size and modification time, so a refresh inspects
only new or changed files; the files it refuses and the per-file reports `check-landing` prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import WEB
from plan_indicators.sources.csvio import checksum
from plan_indicators.sources.folders import IgnoredEntry, scan_folder
from plan_indicators.sources.readers import FileError, FileReport
from plan_indicators.sources.web.flat import FLATTENED_SHAPES, FlatCache
from plan_indicators.sources.web.sql import (
    CSV,
    DAY_SQL,
    JSON,
    PARQUET,
    PARQUET_NESTED,
    REQUIRED,
    WebPath,
    connect,
    events_sql,
    is_json,
    is_parquet,
    lit,
    scan_sql,
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
    shape: str = CSV
    last_event_us: int | None = None
    """The latest `event_timestamp`: which of two intraday snapshots of a day is the later."""
    superseded: dict[str, int] = field(default_factory=dict)
    """(intraday tables) Events per day left out because a daily table or a later intraday
    snapshot holds that day."""
    superseded_by: dict[str, str] = field(default_factory=dict)
    """(intraday tables) Per day left out, the file read for it instead."""

    @property
    def intraday(self) -> bool:
        return bool(_INTRADAY.search(Path(self.file).name))


# GA4 names the day's streaming table `events_intraday_YYYYMMDD` and the complete one
# `events_YYYYMMDD`; exported files keep those names (sharded exports add a suffix).
_INTRADAY = re.compile(r"events_intraday_\d{8}", re.IGNORECASE)
# BigQuery replaces the `*` of a sharded export's URI by a 12-digit shard number.
_SHARD = re.compile(r"[_-]?\d{12}$")
_EXTENSIONS = re.compile(r"(\.parquet|\.json|\.json\.gz|\.csv|\.csv\.gz)$", re.IGNORECASE)


def snapshot_of(file: str) -> str:
    """The export a file belongs to: its path with a shard number replaced by `*`, so the
    shards of one export are one snapshot and another export of the day (another name or
    format, or one sharded and one not) another."""
    ext = _EXTENSIONS.search(file)
    stem, suffix = (file[: ext.start()], ext.group(0)) if ext else (file, "")
    shard = _SHARD.search(stem)
    return (stem[: shard.start()] + "*" if shard else stem) + suffix


def _replacements(files: list[WebFile]) -> dict[str, dict[str, str]]:
    """{intraday file: {day left out: the file read for that day instead}}.

    A daily table (any file not named `events_intraday_…`) replaces every intraday table of
    its days, since GA4 rewrites the day in full there. Of the intraday snapshots of a day no
    daily table holds, the latest is read: the one whose last event is the latest, then the
    one written last, then the last by name; its shards are read together."""
    valid = [f for f in files if not f.errors]
    daily: dict[str, str] = {}
    for f in sorted((f for f in valid if not f.intraday), key=lambda f: f.file):
        for d in f.day_counts:
            daily.setdefault(d, f.file)
    snapshots: dict[str, list[WebFile]] = {}
    for f in valid:
        if f.intraday:
            snapshots.setdefault(snapshot_of(f.file), []).append(f)

    def recency(key: str) -> tuple:
        shards = snapshots[key]
        last = max((f.last_event_us for f in shards if f.last_event_us is not None), default=-1)
        return last, max(f.mtime_ns for f in shards), key

    per_day: dict[str, set[str]] = {}
    for key, shards in snapshots.items():
        for f in shards:
            for d in f.day_counts:
                per_day.setdefault(d, set()).add(key)
    latest = {d: max(keys, key=recency) for d, keys in per_day.items()}
    out: dict[str, dict[str, str]] = {}
    for key, shards in snapshots.items():
        for f in shards:
            for d in f.day_counts:
                if d in daily:
                    out.setdefault(f.file, {})[d] = daily[d]
                elif latest[d] != key:
                    winner = sorted(s.file for s in snapshots[latest[d]] if d in s.day_counts)
                    out.setdefault(f.file, {})[d] = winner[0]
    return out


def _replaced_by(by: dict[str, str]) -> str:
    """`le tableau quotidien X (2024-04-03)`, `l'instantané plus récent Y (…)`, per file."""
    files: dict[str, list[str]] = {}
    for d, file in sorted(by.items()):
        files.setdefault(file, []).append(d)
    return "; ".join(
        ("l'instantané intraday plus récent " if _INTRADAY.search(Path(file).name) else
         "le tableau quotidien ") + f"{Path(file).name} ({', '.join(days)})"
        for file, days in files.items()
    )  # fmt: skip


def _supersede(files: list[WebFile]) -> tuple[list[WebFile], list[IgnoredEntry]]:
    """The files as staging reads them: an intraday table's events of a day that another
    file replaces (`_replacements`) are left out; an intraday file left with no event is
    named, not read."""
    replaced = _replacements(files)
    read: list[WebFile] = []
    ignored: list[IgnoredEntry] = []
    for f in files:
        by = replaced.get(f.file, {})
        if f.errors or not by:
            read.append(f)
            continue
        gone = {d: n for d, n in f.day_counts.items() if d in by}
        kept = {d: n for d, n in f.day_counts.items() if d not in gone}
        if not kept and not f.invalid_dates:
            ignored.append(
                IgnoredEntry(
                    f.file,
                    "superseded_intraday",
                    f"table intraday non lue : remplacée par {_replaced_by(by)}",
                )
            )
            continue
        per_year: dict[str, int] = {}
        for d, n in kept.items():
            key = FiscalYear.of(dt.date.fromisoformat(d)).key
            per_year[key] = per_year.get(key, 0) + n
        read.append(
            dataclasses.replace(
                f,
                rows=f.rows - sum(gone.values()),
                events_per_year=per_year,
                day_counts=kept,
                first_day=min(kept) if kept else None,
                last_day=max(kept) if kept else None,
                superseded=gone,
                superseded_by=by,
            )
        )
    return read, ignored


@dataclass
class WebInventory:
    """Every web file of a landing zone; `inspected` of them were read this time. `files`
    are the files as inspected (what the manifest keeps), `read` what staging reads of them
    once daily tables supersede intraday ones. With a `cache`, staging scans the flattened
    copies of export-shaped files (plan_indicators/sources/web/flat.py)."""

    root: Path
    files: list[WebFile]
    inspected: int
    ignored: list[IgnoredEntry] = field(default_factory=list)
    cache: FlatCache | None = None
    read: list[WebFile] = field(init=False)

    def __post_init__(self) -> None:
        self.read, superseded = _supersede(self.files)
        self._inspected_rows = {f.file: f.rows for f in self.files}
        self._scan_paths: dict[str, WebPath] = {}
        self._deferred: list[WebFile] = []
        self._pruned = False
        self.ignored = [*self.ignored, *superseded]

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
        return sum(f.rows for f in self.read)

    @property
    def invalid_dates(self) -> int:
        return sum(f.invalid_dates for f in self.read)

    def events(self, fiscal_year: str) -> int:
        return sum(f.events_per_year.get(fiscal_year, 0) for f in self.read)

    @property
    def fiscal_years(self) -> list[str]:
        return sorted({fy for f in self.read for fy in f.events_per_year})

    def day_counts(self) -> dict[dt.date, int]:
        """Events per day over every valid file."""
        out: dict[dt.date, int] = {}
        for f in self.read:
            for day, n in f.day_counts.items():
                d = dt.date.fromisoformat(day)
                out[d] = out.get(d, 0) + n
        return out

    @property
    def last_day(self) -> dt.date | None:
        days = [f.last_day for f in self.read if f.last_day]
        return dt.date.fromisoformat(max(days)) if days else None

    def scan_groups(
        self, years: list[FiscalYear]
    ) -> tuple[dict[int, list[WebPath]], list[WebPath], dict[Path, list[str]]]:
        """The files with at least one event in one of `years`, all staging must scan: those
        whose days all fall in one fiscal year, by its start year; the others (mixed years or
        days that are not days), which must parse `event_date` row by row; and, among those,
        the intraday files with the days (YYYYMMDD) a daily table supersedes. With a cache,
        an export-shaped file is given as its flattened copy, written when missing."""
        wanted = {fy.key: fy.start_year for fy in years}
        pure: dict[int, list[WebPath]] = {}
        mixed: list[WebPath] = []
        skip: dict[Path, list[str]] = {}
        held = [f for f in self.read if set(f.events_per_year) & set(wanted)]
        try:
            if self.cache is not None:
                later = self.cache.prepare(
                    [self._copy_of(f) for f in held if f.file not in self._scan_paths]
                )
                for f in held:
                    if f.file in later:  # its copy is being written: the file itself, this time
                        self._scan_paths[f.file] = (self.root / f.file, f.shape)
                        self._deferred.append(f)
            for f in held:
                self._group(f, wanted, pure, mixed, skip)
        finally:
            if self.cache is not None:
                self.cache.close()
                if not self._pruned:
                    self.cache.prune([f.file for f in self.files if f.shape in FLATTENED_SHAPES])
                    self._pruned = True
        return pure, mixed, skip

    def _copy_of(self, f: WebFile) -> tuple[WebPath, str, int, int, int]:
        """What the cache needs of `f`: its path and shape, file, size, mtime and rows (the
        whole file's, before superseding)."""
        rows = self._inspected_rows[f.file]
        return (self.root / f.file, f.shape), f.file, f.size, f.mtime_ns, rows

    def _scan_path(self, f: WebFile) -> WebPath:
        """The file staging scans for `f`: its flattened copy when there is a cache."""
        if self.cache is None:
            return self.root / f.file, f.shape
        if f.file not in self._scan_paths:
            self._scan_paths[f.file] = self.cache.path(*self._copy_of(f))
        return self._scan_paths[f.file]

    def _group(self, f: WebFile, wanted: dict[str, int], pure, mixed, skip) -> None:
        held = set(f.events_per_year) & set(wanted)
        path = self._scan_path(f)
        if f.superseded:
            skip[path[0]] = sorted(d.replace("-", "") for d in f.superseded)
            mixed.append(path)
        elif len(f.events_per_year) == 1 and not f.invalid_dates:
            pure.setdefault(wanted[held.pop()], []).append(path)
        else:
            mixed.append(path)

    def raise_if_changed(self) -> None:
        """The files scanned as they are (their copies written later) are still the versions
        the inventory counted: what a copy's row count checks otherwise."""
        for f in self._deferred:
            st = (self.root / f.file).stat()
            if (st.st_size, st.st_mtime_ns) != (f.size, f.mtime_ns):
                raise ValueError(
                    f"{f.file}: changed since the inventory counted its events: the file "
                    "changed while it was read"
                )

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


def inventory_web_files(
    landing_dir: Path, cached: list[dict] | None = None, cache_dir: Path | None = None
) -> WebInventory:
    """Inspect each web file, reusing `cached` records of files whose size and mtime match;
    with `cache_dir`, staging scans export-shaped files through their flattened copies there."""
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
            if same and "last_event_us" in record:  # older manifests: inspected again
                files.append(WebFile(**record))
            else:
                files.append(_inspect(connection, path, WebFile(rel, st.st_size, st.st_mtime_ns)))
                inspected += 1
    finally:
        for c in con:
            c.close()
    cache = FlatCache(cache_dir) if cache_dir is not None else None
    return WebInventory(landing_dir, files, inspected, ignored, cache)


def _inspect(connection, path: Path, entry: WebFile) -> WebFile:
    """Columns and shape checked, then counts from the Parquet footer or, failing that, one
    scan."""
    rel = entry.file
    if entry.size == 0:
        entry.errors.append(_error(rel, None, None, "empty_file", "fichier vide (0 octet)"))
        return entry
    if is_json(path):
        return _inspect_json(connection(), path, entry)
    footer = None
    try:
        if is_parquet(path):
            import pyarrow.parquet as pq

            footer = pq.read_metadata(path)
            schema = footer.schema.to_arrow_schema()
            names = {name.casefold() for name in schema.names}
            entry.shape = PARQUET
            if "page_location" not in names and "event_params" in names:
                entry.shape = PARQUET_NESTED
                entry.errors.extend(_nested_faults(rel, schema))
        else:
            names = _csv_column_names(connection(), path)
    except (duckdb.Error, OSError, ValueError) as exc:
        msg = str(exc).splitlines()[0]
        entry.errors.append(
            _quote_fault(path, rel) or _error(rel, None, None, "unreadable", f"illisible : {msg}")
        )
        return entry
    entry.errors.extend(
        _missing(rel, c)
        for c in REQUIRED
        if c.casefold() not in names and (c != "page_location" or entry.shape != PARQUET_NESTED)
    )
    if entry.errors and footer is None:
        fault = _quote_fault(path, rel)
        entry.errors = [fault] if fault else entry.errors
    if entry.errors:
        return entry
    paths = _paths(footer) if footer is not None else []
    counted = _footer_counts(footer, paths) if footer is not None else None
    if counted is None:
        counted, entry.last_event_us = _scan_counts(connection(), (path, entry.shape))
    else:
        entry.last_event_us = _footer_last_event(footer, paths)
    return _counted(entry, counted)


def _counted(entry: WebFile, counted) -> WebFile:
    rows, invalid, per_year, first, last, per_day = counted
    entry.rows, entry.invalid_dates, entry.events_per_year = rows, invalid, per_year
    entry.first_day, entry.last_day, entry.day_counts = first, last, per_day
    return entry


def _missing(rel: str, column: str) -> dict:
    what = f"colonne obligatoire absente : {column}"
    if column == "page_location":
        what += " (ni colonne page_location, ni liste event_params de l'export BigQuery GA4)"
    return _error(rel, 1, column, "missing_column", what)


def _nested_faults(rel: str, schema) -> list[dict]:
    """`event_params` must be the export's list of {key, value: {string_value, ...}}."""
    import pyarrow as pa

    kind = schema.field("event_params").type
    item = kind.value_type if pa.types.is_list(kind) or pa.types.is_large_list(kind) else None
    names = (
        {item.field(i).name for i in range(item.num_fields)}
        if pa.types.is_struct(item or pa.null())
        else set()
    )
    value = item.field("value").type if "value" in names else None
    inner = (
        {value.field(i).name for i in range(value.num_fields)}
        if value is not None and pa.types.is_struct(value)
        else set()
    )
    if {"key", "value"} <= names and "string_value" in inner:
        return []
    return [
        _error(
            rel,
            1,
            "event_params",
            "missing_column",
            f"event_params n'a pas la forme de l'export GA4 (liste de {{key, value: "
            f"{{string_value, int_value, float_value, double_value}}}}) : type {kind}",
        )
    ]


def _inspect_json(con: duckdb.DuckDBPyConnection, path: Path, entry: WebFile) -> WebFile:
    """Newline-delimited JSON has no header: a required key absent from every row is a
    missing column, and the page is either `page_location` or an `event_params` entry. One
    scan counts them with the events per day."""
    rel = entry.file
    entry.shape = JSON
    present = ", ".join(f"count({c})" for c in [*REQUIRED, "event_params"])
    try:
        rows = con.execute(
            f"SELECT {DAY_SQL} AS day, count(*), {present}, {_LAST_EVENT_SQL} "
            f"FROM {scan_sql([path], JSON)} GROUP BY ALL"
        ).fetchall()
    except duckdb.Error as exc:
        entry.errors.append(_json_fault(path, rel, exc))
        return entry
    totals = [sum(int(r[i]) for r in rows) for i in range(2, 3 + len(REQUIRED))]
    seen = dict(zip([*REQUIRED, "event_params"], totals, strict=True))
    if not rows:
        entry.errors.append(_error(rel, None, None, "empty_file", "aucun événement"))
    for c in REQUIRED:
        if not seen[c] and not (c == "page_location" and seen["event_params"]):
            entry.errors.append(_missing(rel, c))
    if entry.errors:
        return entry
    entry.last_event_us = max((r[-1] for r in rows if r[-1] is not None), default=None)
    return _counted(entry, _day_counts([(r[0], r[1]) for r in rows]))


def _json_fault(path: Path, rel: str, exc: Exception) -> dict:
    """The first line that is not one JSON object, found by reading the file again: DuckDB's
    own line numbers count from its read buffers."""
    from plan_indicators.sources.csvio import CsvError, read_bytes

    try:
        text = read_bytes(path).decode("utf-8-sig")
    except (CsvError, UnicodeDecodeError) as err:
        return _error(rel, None, None, "unreadable", f"illisible : {err}")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as err:
            return _error(rel, number, None, "unreadable", f"ligne JSON illisible : {err}")
        if not isinstance(value, dict):
            return _error(
                rel, number, None, "unreadable", "une ligne doit être un objet JSON (un événement)"
            )
    msg = str(exc).splitlines()[0]
    return _error(rel, None, None, "unreadable", f"illisible : {msg}")


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


def _paths(meta) -> list[str]:
    """The footer's column paths (by path: nested columns have leaves of other names)."""
    return [meta.schema.column(i).path.casefold() for i in range(meta.num_columns)]


def _footer_counts(meta, paths: list[str] | None = None):
    """Counts from the footer when every row group holds one and the same valid day."""
    if meta.num_rows == 0:
        return 0, 0, {}, None, None, {}
    index = (paths or _paths(meta)).index("event_date")
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


def _footer_last_event(meta, paths: list[str]) -> int | None:
    """The latest `event_timestamp` the footer's statistics give, or None."""
    if meta.num_rows == 0 or "event_timestamp" not in paths:
        return None
    index = paths.index("event_timestamp")
    last = None
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or not stats.has_min_max:
            return None
        try:
            value = int(stats.max)
        except (TypeError, ValueError):
            return None
        last = value if last is None else max(last, value)
    return last


# The latest event's time of a scan, for the order of intraday snapshots.
_LAST_EVENT_SQL = "max(TRY_CAST(event_timestamp AS BIGINT))"


def _scan_counts(con: duckdb.DuckDBPyConnection, file: WebPath):
    """One scan of `event_date` (events per day, per fiscal year, invalid days) and of the
    latest `event_timestamp`."""
    columns = ["event_date", "event_timestamp"]
    rows = con.execute(
        f"SELECT {DAY_SQL} AS day, count(*), {_LAST_EVENT_SQL} "
        f"FROM ({events_sql([file], columns)}) GROUP BY ALL"
    ).fetchall()
    last = max((r[2] for r in rows if r[2] is not None), default=None)
    return _day_counts([(r[0], r[1]) for r in rows]), last


def _day_counts(rows: list[tuple]):
    """(day or None, events) pairs as the inventory keeps them."""
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
    for f in inventory.read:
        if f.errors:
            continue
        path = inventory.root / f.file
        report = FileReport(
            f.file,
            checksum(path) if checksums else "",
            f.rows,
            f.rows - f.invalid_dates,
            f.invalid_dates,
            f.shape if f.shape.startswith(PARQUET) else "utf-8",
            f.shape if f.shape == JSON else "" if f.shape != CSV else "auto",
        )
        if f.invalid_dates:
            report.warnings.append(
                f"{f.invalid_dates} événement(s) dont event_date n'est pas une date AAAAMMJJ : "
                "ignorés"
            )
        if f.superseded:
            report.warnings.append(
                f"{sum(f.superseded.values())} événement(s) de table intraday non lus : "
                f"remplacés par {_replaced_by(f.superseded_by)}"
            )
        reports.append(report)
    return reports
