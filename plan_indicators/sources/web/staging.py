"""The staging layer of web analytics: per fiscal year, one row per user who viewed one of the
catalog's pages, with a bit per page, written by one DuckDB scan of the files that hold the
year (the inventory says which), so a year of events never enters pandas."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.web.flat import start_copies
from plan_indicators.sources.web.inventory import WebInventory, inventory_web_files
from plan_indicators.sources.web.sql import DAY_SQL, FY_SQL, PATH_SQL, connect, events_sql, lit

PAGES_METADATA = "plan_indicators_pages"


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
    if not inventory.read:
        return {fy.key: _stats(0, 0, 0, 0, 0, 0) for fy in years}
    pages = sorted(set(pages))
    pure, mixed, _ = inventory.scan_groups(years)
    scanned = sum(map(len, pure.values())) + len(mixed)
    common = (len(inventory.read), scanned, inventory.rows, inventory.invalid_dates)
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
    inventory.raise_if_changed()
    start_copies()  # those the scan left for later (`flat.copies_in_background`)
    return {fy.key: stats[fy.key] for fy in years}


def _write_years(
    inventory: WebInventory, years: list[FiscalYear], pages: list[str], outputs: dict[str, Path]
) -> dict[str, tuple[int, int]]:
    """One scan written straight to Parquet in a scratch folder beside the outputs (split by
    year when there are several), then each year's file moved into place:
    {year: (page views, users)}."""
    import os
    import shutil

    meta = f"KV_METADATA {{{PAGES_METADATA}: {lit(json.dumps(pages, ensure_ascii=False))}}}"
    parents = [Path(p).parent for p in outputs.values()]
    for parent in parents:
        parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".web-staging-", dir=os.path.commonpath(parents)))
    con = connect()
    counts: dict[str, tuple[int, int]] = {}
    try:
        users_sql = _users_sql(inventory, years, pages)
        if len(years) == 1:  # the daily case: no partitioning to pay for
            folder = scratch / "y" / f"fy={years[0].start_year}"
            folder.mkdir(parents=True)
            con.execute(
                f"COPY (SELECT * EXCLUDE (fy) FROM ({users_sql})) TO "
                f"{lit(folder / 'data_0.parquet')} (FORMAT PARQUET, {meta})"
            )
        else:
            con.execute(
                f"COPY ({users_sql}) TO {lit(scratch / 'y')} "
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
                    source = f"SELECT * FROM read_parquet([{', '.join(map(lit, parts))}])"
                con.execute(f"COPY ({source}) TO {lit(single)} (FORMAT PARQUET, {meta})")
            views, users = con.execute(
                f"SELECT coalesce(sum(views), 0), count(*) FROM read_parquet({lit(single)})"
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
    table of (path, bit): the root answers to the empty path `PATH_SQL` gives it and a bare host.
    """
    blocks = mask_columns(len(pages))
    if not pages:
        return f"SELECT NULL::INTEGER AS fy, * FROM ({_empty_users(pages)})"
    pure, mixed, superseded = inventory.scan_groups(years)
    scans = [f"SELECT {start} AS fy, * FROM ({events_sql(paths)})" for start, paths in pure.items()]
    in_years = ", ".join(str(fy.start_year) for fy in years)
    plain = [f for f in mixed if f[0] not in superseded]
    if plain:
        scans.append(
            f"SELECT * FROM (SELECT {FY_SQL} AS fy, * FROM ({events_sql(plain)})) "
            f"WHERE fy IN ({in_years})"
        )
    for file in (f for f in mixed if f[0] in superseded):  # an intraday table, days left out
        days = ", ".join(lit(d) for d in superseded[file[0]])
        scans.append(
            f"SELECT * FROM (SELECT {FY_SQL} AS fy, * FROM ({events_sql([file])}) "
            f"WHERE strftime({DAY_SQL}, '%Y%m%d') NOT IN ({days})) WHERE fy IN ({in_years})"
        )
    bits = [(p, i) for i, p in enumerate(pages)]
    if "/" in pages:
        bits.append(("", pages.index("/")))
    catalog = ", ".join(f"({lit(p)}, {i})" for p, i in bits)
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
        f"SELECT fy, {PATH_SQL} AS page, user_pseudo_id FROM ({' UNION ALL '.join(scans)}) "
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
