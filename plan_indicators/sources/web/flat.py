"""Flattened copies of the export-shaped web files (docs/contracts.md §4.7.1), so that staging
reads the BigQuery export at the speed of the flattened form.

Finding the page of a nested event means decoding the whole `event_params` list (a key and
four values per parameter, with their repetition levels), which costs several times the one
string of a flattened file, and a JSON line must be parsed in full. So the first time staging
needs such a file, one DuckDB `COPY` writes its five contract columns (`event_date`,
`event_timestamp`, `event_name`, `user_pseudo_id`, `page_location`, as text) to a Parquet file
of the staging folder's `cache/web_analytics/`, named after the landing file's path, size and
modification time (as the raw manifest keys it); every later scan reads that copy instead.
A changed file gets a new copy and the old one is deleted; the landing file is never touched.
The copy keeps every event, one row per event, so its row count is checked against the
inventory's (a mismatch raises).

A first read (a new landing zone, or months of exports arriving at once) writes its copies in
one statement per shape (`prepare`): one multi-file scan partitioned by file, then each part
moved into place, instead of a `COPY` per file (about 5 ms each, 4.7 s for the sample data's
579 nested files, four times the whole staging scan).

Within `copies_in_background()` (what `plan-indicators run` does), that first read scans the
landing files themselves, as it would without a cache, and a thread then writes their copies
for the next reads (`start_copies`, once the scan is done, not to share the cores with it):
writing them first, then scanning them, made a first staging take twice as long (1.7 s against
0.9 s on the sample data), and the thread's DuckDB works on the second core while the command
reads the other sources.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from plan_indicators.sources.web.sql import (
    JSON,
    PARQUET,
    PARQUET_NESTED,
    REQUIRED,
    WebPath,
    connect,
    events_sql,
    lit,
)

FLATTENED_SHAPES = (PARQUET_NESTED, JSON)
log = logging.getLogger(__name__)
_background: dict = {"on": False, "pending": [], "threads": []}


@contextmanager
def copies_in_background() -> Iterator[None]:
    """First-read copies written by a thread while staging scans the landing files; on exit,
    every copy begun is in place."""
    _background["on"] = True
    try:
        yield
    finally:
        _background["on"] = False
        wait_for_copies()


def start_copies() -> None:
    """Begin writing the copies the scans just made have left for later: after the scan, not
    during it, where both would share the cores."""
    while _background["pending"]:
        cache, missing = _background["pending"].pop(0)
        thread = threading.Thread(target=cache._write_later, args=(missing,), name="copies")
        thread.start()
        _background["threads"].append(thread)


def wait_for_copies() -> None:
    """Write the copies left for later and wait for them (before a fork too: a child must not
    inherit DuckDB in the middle of a statement)."""
    start_copies()
    while _background["threads"]:
        _background["threads"].pop().join()


def path_tag(file: str) -> str:
    """What every copy of a landing file's versions starts with: a hash of its path."""
    return hashlib.sha1(file.encode()).hexdigest()[:16]


def copy_name(file: str, size: int, mtime_ns: int) -> str:
    """The copy of one version of a landing file: `<hash of its path>-<size>-<mtime>`."""
    return f"{path_tag(file)}-{size}-{mtime_ns}.parquet"


class FlatCache:
    """A folder of flattened copies; `path(...)` gives one, writing it when missing."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.written = 0
        self._con = None

    def path(self, source: WebPath, file: str, size: int, mtime_ns: int, rows: int) -> WebPath:
        """The file to scan for `source` (a landing file and its shape): the flattened copy
        for an export-shaped file, `source` itself otherwise."""
        path, shape = source
        if shape not in FLATTENED_SHAPES:
            return source
        name = copy_name(file, size, mtime_ns)
        target = self.folder / name
        if not target.exists():
            self._write_alone(source, file, target, rows)
        return target, PARQUET

    def prepare(self, wanted: list[tuple[WebPath, str, int, int, int]]) -> set[str]:
        """Write the missing copies of `wanted` (source, file, size, mtime_ns, rows) at once,
        one scan per shape; `path` then finds them (and writes alone any this left out). In
        `copies_in_background()`, a thread writes them instead: the files returned are to be
        scanned as they are this time."""
        missing: dict[str, list[tuple[WebPath, str, Path, int]]] = {}
        for source, file, size, mtime_ns, rows in wanted:
            target = self.folder / copy_name(file, size, mtime_ns)
            if source[1] in FLATTENED_SHAPES and not target.exists():
                missing.setdefault(source[1], []).append((source, file, target, rows))
        if _background["on"] and missing:
            self.folder.mkdir(parents=True, exist_ok=True)
            _background["pending"].append((self, missing))
            return {file for items in missing.values() for _s, file, _t, _r in items}
        for shape, items in missing.items():
            if len(items) > 1:
                self._write_many(shape, items, self._connection())
        return set()

    def _write_later(self, missing: dict[str, list[tuple[WebPath, str, Path, int]]]) -> None:
        """The thread's copies, on a connection of its own; one that fails is left for a later
        read (this one scanned its landing file)."""
        try:
            con = connect()
        except duckdb.Error as exc:
            log.warning("no flattened copy this time: %s", exc)
            return
        try:
            for shape, items in missing.items():
                try:
                    if len(items) > 1:
                        self._write_many(shape, items, con)
                except Exception as exc:  # each file alone below
                    log.warning("flattened copies of %s files, one by one: %s", shape, exc)
                for source, file, target, rows in items:
                    if target.exists():
                        continue
                    try:
                        self._write_alone(source, file, target, rows, con)
                    except Exception as exc:  # the next read copies it again
                        log.warning("%s: no flattened copy this time: %s", file, exc)
        finally:
            con.close()

    def _write_many(self, shape: str, items: list[tuple[WebPath, str, Path, int]], con) -> None:
        scratch = self.folder / f".batch-{os.getpid()}-{uuid.uuid4().hex}"
        parts = ", ".join(f"({lit(src[0])}, {i})" for i, (src, *_rest) in enumerate(items))
        columns = ", ".join(f"e.{c}" for c in REQUIRED)
        one = events_sql([source for source, *_rest in items], REQUIRED, filename=True)
        try:
            try:
                con.execute(
                    f"COPY (SELECT {columns}, p.part FROM ({one}) e "
                    f"JOIN (VALUES {parts}) p(name, part) ON e.filename = p.name) "
                    f"TO {lit(scratch)} (FORMAT PARQUET, PARTITION_BY (part))"
                )
            except duckdb.Error:
                return  # one file DuckDB cannot read: `path` copies them alone, naming it
            placed: dict[str, Path] = {}
            for i, (_source, file, target, rows) in enumerate(items):
                written = sorted((scratch / f"part={i}").glob("*.parquet"))
                if len(written) != 1 or _rows(written[0]) != rows:
                    continue  # no event, or split in several files: `path` writes it alone
                written[0].replace(target)
                placed[path_tag(file)] = target
                self.written += 1
            self._drop_stale_of(placed)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _connection(self):
        """The cache's DuckDB connection, its folder made, both at the first copy."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._con is None:
            self._con = connect()
        return self._con

    def _drop_stale(self, file: str, target: Path) -> None:
        """Delete the copies of earlier versions of `file`, now that `target` is in place."""
        for stale in self.folder.glob(f"{path_tag(file)}-*.parquet"):
            if stale != target:
                stale.unlink(missing_ok=True)

    def _drop_stale_of(self, placed: dict[str, Path]) -> None:
        """`_drop_stale` for many files ({path tag: copy now in place}) in one listing of the
        folder, not one per file."""
        for copy in self.folder.glob("*.parquet"):
            target = placed.get(copy.name.split("-", 1)[0])
            if target is not None and copy != target:
                copy.unlink(missing_ok=True)

    def _write_alone(self, source: WebPath, file: str, target: Path, rows: int, con=None) -> None:
        """One file's copy, what a batch left out; its earlier versions' copies go."""
        self._write(source, target, rows, con)
        self._drop_stale(file, target)

    def _write(self, source: WebPath, target: Path, rows: int, con=None) -> None:
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        try:
            [(written,)] = (
                (con or self._connection())
                .execute(f"COPY ({events_sql([source], REQUIRED)}) TO {lit(tmp)} (FORMAT PARQUET)")
                .fetchall()
            )
            if int(written) != rows:
                raise ValueError(
                    f"{source[0]}: {written} events copied, the inventory counted {rows}: "
                    "the file changed while it was read"
                )
            tmp.replace(target)
            self.written += 1
        finally:
            tmp.unlink(missing_ok=True)

    def prune(self, files: list[str]) -> None:
        """Delete the copies of landing files that are gone (`files`: those still there)."""
        tags = {path_tag(f) for f in files}
        for copy in self.folder.glob("*.parquet"):
            if copy.name.split("-", 1)[0] not in tags:
                copy.unlink(missing_ok=True)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(path).num_rows
