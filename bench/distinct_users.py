"""`plan-indicators bench`: the `distinct_users` indicator through Dagster vs bare DuckDB.

For each N, GA4-shaped events are generated once (daily Parquet files over two fiscal years,
returning users), then, in the same process, timed side by side: (a) the Dagster materialisation,
from a cold start, of `raw/web_analytics`, `staging/web_analytics` and OPHQ indicator 1.1.1 for
2024-2025 with their blocking checks, and (b) the equivalent hand-written DuckDB query on the
same files, and (c) the same materialisation on the same events written in the BigQuery
export's nested schema, twice: a first read (staging writes the flattened copies) and with the
copies an earlier run kept (every run after a file first lands). The sides alternate five
times after a warm-up scan; the faster run of each counts. Then the incremental refresh: every
web partition recomputed from cold, against the daily schedule's run after one more day of
events. One JSON line per N; `--out` writes a
Markdown table and an SVG plot."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import tempfile
import time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from plan_indicators.sources.declaration import WEB
from plan_indicators.staging import web_cache_dir

FIRST_DAY = dt.date(2023, 4, 1)
DAYS = 731  # 2023-04-01 .. 2025-03-31: fiscal years 2023-2024 and 2024-2025
FISCAL_YEAR = "2024-2025"
PLAN_ID = "ophq-2024-2028"
INDICATOR_ID = "1.1.1"
OTHER_PAGES = [f"/fr/sante/page-{i}" for i in range(40)] + ["/", "/fr", "/en/services"]


@cache
def _plan():
    """The benchmarked plan, read once: catalog parsing is not what either side is timed on."""
    from plan_indicators.catalog import load_catalog

    return next(p for p in load_catalog() if p.id == PLAN_ID)


def _target_pages() -> list[str]:
    return list(_plan().indicator(INDICATOR_ID).measure.params["pages"])


def generate_events(folder: Path, n_events: int, seed: int = 1, nested: bool = False) -> Path:
    """Daily Parquet files of GA4-shaped events; skipped when already there for this N.
    `nested` writes the same events in the BigQuery export's own schema (page inside
    `event_params`, device, geo and traffic-source structs beside it)."""
    from plan_indicators.sources.declared.web_analytics import bigquery_export

    marker = folder / f".complete-{n_events}"
    web = folder / WEB
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    web.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    targets = _target_pages()
    urls = np.array(
        [f"https://www.quebec.ca{p}" for p in targets]
        + [f"https://www.quebec.ca{p}/" for p in targets]
        + [f"https://www.quebec.ca{p}?utm_source=fb" for p in targets]
        + [f"https://www.quebec.ca{p}" for p in OTHER_PAGES]
    )
    weights = np.concatenate([np.full(3 * len(targets), 2.0), np.full(len(OTHER_PAGES), 1.0)])
    weights /= weights.sum()
    names = np.array(["page_view", "scroll", "click", "session_start"])
    users = max(1000, n_events // 12)
    day_weight = 1 + 0.3 * np.sin(np.arange(DAYS) * 2 * np.pi / 365) + rng.random(DAYS) * 0.2
    per_day = rng.multinomial(n_events, day_weight / day_weight.sum())
    for d, count in enumerate(per_day):
        day = FIRST_DAY + dt.timedelta(days=d)
        # Returning users: a Pareto-weighted pick from one pool shared by every day.
        user_idx = np.minimum((rng.pareto(1.2, count) * users / 20).astype(np.int64), users - 1)
        midnight = int(dt.datetime(day.year, day.month, day.day, 5).timestamp() * 1_000_000)
        table = pa.table(
            {
                "event_date": pa.array(np.full(count, day.strftime("%Y%m%d"))),
                "event_timestamp": midnight + rng.integers(0, 86_400_000_000, count),
                "event_name": pa.array(names[rng.choice(4, count, p=[0.6, 0.2, 0.15, 0.05])]),
                "user_pseudo_id": pa.array(
                    np.char.add((user_idx + 10**9).astype(str), ".1700000000")
                ),
                "page_location": pa.array(urls[rng.choice(len(urls), count, p=weights)]),
            }
        )
        pq.write_table(
            bigquery_export(table) if nested else table, web / f"events_{day:%Y%m%d}.parquet"
        )
    marker.write_text("ok")
    return folder


def duckdb_baseline(landing: Path) -> int:
    """The bare query for indicator 1.1.1 of 2024-2025, written by hand over the same files.

    Same URL normalisation as the pipeline (scheme and host, query and fragment, trailing
    slash dropped), so both count the same users on any data, not only on the bench's.
    """
    import duckdb

    pages = [p.rstrip("/") for p in _target_pages()]
    con = duckdb.connect()
    con.execute("SET threads=2")
    sql = f"""
        SELECT COUNT(DISTINCT user_pseudo_id) FROM read_parquet('{landing}/{WEB}/*.parquet')
        WHERE event_name = 'page_view' AND event_date BETWEEN '20240401' AND '20250331'
          AND rtrim(regexp_extract(page_location,
                                   '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), '/')
              IN (SELECT unnest(?::VARCHAR[]))
    """
    return int(con.execute(sql, [pages]).fetchone()[0])


def _definitions(landing: Path, work: Path):
    """The code location pointed at one landing zone and a fresh warehouse; loaded once, as a
    deployment would, so only materialisation is timed (loading is measured on its own)."""
    from orchestration.definitions import build_definitions
    from plan_indicators import warehouse as wh

    work.mkdir(parents=True, exist_ok=True)
    defs = build_definitions(
        None,
        landing=str(landing),
        warehouse_url=f"sqlite:///{work / 'w.sqlite'}",
        staging=str(work / "staging"),
        as_of="2026-11-01",
    )
    defs.get_repository_def()  # resolve jobs now, as loading a code location does
    wh.engine_for(defs.resources["warehouse"].url)  # a deployment's warehouse already exists
    return defs


def pipeline(defs, instance) -> float | None:
    """Materialise staging and indicator 1.1.1 for one fiscal year through Dagster."""
    from assets.keys import raw_key, result_key, staging_key
    from orchestration.jobs import DIGITAL_JOB, plan_job_name
    from plan_indicators import warehouse as wh

    plan = _plan()
    web = WEB
    r1 = defs.resolve_job_def(DIGITAL_JOB).execute_in_process(
        instance=instance,
        partition_key=FISCAL_YEAR,
        asset_selection=[raw_key(web), staging_key(web)],
    )
    r2 = defs.resolve_job_def(plan_job_name(plan)).execute_in_process(
        instance=instance,
        partition_key=FISCAL_YEAR,
        asset_selection=[result_key(plan, plan.indicator(INDICATOR_ID))],
    )
    assert r1.success and r2.success
    url = defs.resources["warehouse"].url
    [row] = wh.read_rows(
        wh.engine_for(url),
        wh.indicator_result,
        plan_id=PLAN_ID,
        indicator_id=INDICATOR_ID,
        fiscal_year=FISCAL_YEAR,
    )
    return row["value"]


def _web_metadata(result) -> dict:
    """files_inspected (raw) and files_scanned (staging) of a run, from its materialisations."""
    from assets.keys import raw_key, staging_key

    out = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        meta = {k: v.value for k, v in mat.metadata.items()}
        if mat.asset_key == raw_key(WEB):
            out["files_inspected"] = meta["files_inspected"]
        elif mat.asset_key == staging_key(WEB):
            out["files_scanned"] = max(y["files_scanned"] for y in meta["per_year"].values())
    return out


def incremental(landing: Path, work: Path) -> dict:
    """Full recomputation of the web partitions from cold, then one new day and the daily
    schedule's run: seconds of each and what the refresh read."""
    import dagster as dg

    from orchestration.jobs import DIGITAL_JOB
    from orchestration.runner import range_tags

    files = sorted((landing / WEB).glob("*.parquet"))
    partial = work / "landing"
    (partial / WEB).mkdir(parents=True)
    for f in files[:-1]:
        (partial / WEB / f.name).symlink_to(f)
    defs = _definitions(partial, work / "warehouse")
    instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def(DIGITAL_JOB)
    t = time.perf_counter()
    full = job.execute_in_process(instance=instance, tags=range_tags(["2023-2024", FISCAL_YEAR]))
    seconds_full = time.perf_counter() - t
    (partial / WEB / files[-1].name).symlink_to(files[-1])
    last_day = dt.datetime.strptime(files[-1].stem[-8:], "%Y%m%d")
    tick = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=last_day.replace(hour=6, tzinfo=ZoneInfo("America/Toronto")),
        repository_def=defs.get_repository_def(),
    )
    [request] = defs.get_schedule_def("daily_digital_refresh").evaluate_tick(tick).run_requests
    t = time.perf_counter()
    daily = job.execute_in_process(instance=instance, partition_key=request.partition_key)
    seconds_daily = time.perf_counter() - t
    assert full.success and daily.success
    return {
        "seconds_full_refresh": round(seconds_full, 3),
        "seconds_daily_refresh": round(seconds_daily, 3),
        "daily_partition": request.partition_key,
        "daily": _web_metadata(daily),
        "full": _web_metadata(full),
    }


def _timed(fn):
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def measure(n_events: int, data_dir: Path, repeat: int = 5) -> dict:
    """Best of `repeat` for each side, the two sides alternating so both meet the same machine
    (page cache, other load); every pipeline repetition starts cold."""
    import dagster as dg

    landing = generate_events(data_dir / f"events_{n_events}", n_events)
    nested = generate_events(data_dir / f"events_{n_events}_nested", n_events, nested=True)
    duckdb_baseline(landing)  # warm-up: both sides then read from the page cache
    duck, pipe, pipe_nested, pipe_kept = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        # Each repetition has its own warehouse, staging and raw manifest.
        runs = [
            (_definitions(landing, Path(tmp) / f"run{i}"),
             _definitions(nested, Path(tmp) / f"nested{i}"),
             _definitions(nested, Path(tmp) / f"kept{i}"))
            for i in range(repeat)
        ]  # fmt: skip
        instance = dg.DagsterInstance.ephemeral()
        # The flattened copies one earlier run wrote (not timed): every later run finds them.
        pipeline(_definitions(nested, Path(tmp) / "prime"), instance)
        copies = web_cache_dir(Path(tmp) / "prime" / "staging")
        for i in range(repeat):
            shutil.copytree(copies, web_cache_dir(Path(tmp) / f"kept{i}" / "staging"))
        for defs, defs_nested, defs_kept in runs:
            duck.append(_timed(lambda: duckdb_baseline(landing)))
            pipe.append(_timed(lambda defs=defs: pipeline(defs, instance)))
            pipe_nested.append(_timed(lambda defs=defs_nested: pipeline(defs, instance)))
            pipe_kept.append(_timed(lambda defs=defs_kept: pipeline(defs, instance)))
        refresh = incremental(landing, Path(tmp) / "incremental")
    (s_duck, v_duck), (s_pipe, v_pipe) = min(duck), min(pipe)
    (s_nested, v_nested), (s_kept, v_kept) = min(pipe_nested), min(pipe_kept)
    if {int(v_pipe), int(v_nested), int(v_kept)} != {v_duck}:
        raise AssertionError(
            f"pipeline found {v_pipe} (nested {v_nested}, {v_kept}) users, DuckDB {v_duck}"
        )
    return {
        "events": n_events,
        "load_average": round(os.getloadavg()[0], 1),
        "seconds_pipeline": round(s_pipe, 3),
        "seconds_duckdb": round(s_duck, 3),
        "ratio": round(s_pipe / s_duck, 3),
        "seconds_pipeline_nested": round(s_nested, 3),
        "ratio_nested_flat": round(s_nested / s_pipe, 3),
        "seconds_pipeline_nested_kept": round(s_kept, 3),
        "ratio_nested_kept_flat": round(s_kept / s_pipe, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "distinct_users": v_duck,
        **refresh,
    }


def _svg(rows: list[dict]) -> str:
    w, h, pad = 520, 300, 50
    xmax = max(r["events"] for r in rows)
    ymax = max(max(r["seconds_pipeline"], r["seconds_duckdb"]) for r in rows) * 1.1

    def pt(r, key):
        return (pad + (w - 2 * pad) * r["events"] / xmax, h - pad - (h - 2 * pad) * r[key] / ymax)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        'font-family="sans-serif" font-size="11">',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#333"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#333"/>',
        f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">events (millions)</text>',
        f'<text x="14" y="{h / 2}" transform="rotate(-90 14 {h / 2})" '
        'text-anchor="middle">seconds</text>',
    ]
    for key, colour in (("seconds_pipeline", "#1f5fa8"), ("seconds_duckdb", "#c2571a")):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (pt(r, key) for r in rows))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for r in rows:
            x, y = pt(r, key)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    for r in rows:
        x, _ = pt(r, "seconds_duckdb")
        parts.append(
            f'<text x="{x:.1f}" y="{h - pad + 14}" text-anchor="middle">'
            f"{r['events'] / 1e6:g}</text>"
        )
    parts.append(f'<text x="{pad + 10}" y="{pad}" fill="#1f5fa8">pipeline (Dagster)</text>')
    parts.append(f'<text x="{pad + 10}" y="{pad + 14}" fill="#c2571a">bare DuckDB</text>')
    return "\n".join(parts + ["</svg>"])


def write_results(rows: list[dict], out: Path) -> None:
    import os
    import platform

    out.parent.mkdir(parents=True, exist_ok=True)
    svg = out.with_suffix(".svg")
    svg.write_text(_svg(rows))
    lines = [
        "# Benchmark: distinct_users through Dagster vs bare DuckDB",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; measured {dt.date.today().isoformat()} with "
        "`make bench`. Best of five runs each, the two sides alternating, after a warm-up scan.",
        "",
        "- **pipeline**: two in-process Dagster runs from a cold start (no raw manifest, empty "
        "staging): `raw/web_analytics` (file inventory from Parquet footers, blocking contract "
        "check), `staging/web_analytics` for 2024-2025 (one DuckDB scan of that year's files to "
        "one row per user with page masks), then OPHQ indicator 1.1.1 written to the warehouse "
        "and its blocking Great Expectations check.",
        "- **bare DuckDB**: `COUNT(DISTINCT user_pseudo_id)` over the same files, same page "
        "normalisation and date range, nothing written.",
        "- Events: daily Parquet files from 2023-04-01 to 2025-03-31, about one user per 12 "
        "events with Pareto-distributed returns, about half the events on the indicator's pages.",
        "",
        "- **pipeline, nested**: the same pipeline on the same events written in the BigQuery "
        "export's own schema (page in `event_params` among three parameters, `device`, `geo`, "
        "`traffic_source` structs beside it). **first read**: cold as above, so staging also "
        "writes the flattened copy of each nested file it needs (`cache/web_analytics/` of the "
        "staging folder, once per file version: decoding `event_params` costs several times "
        "the flattened column). **copies kept**: cold as above (no raw manifest, no staged "
        "year), but the copies an earlier run wrote are there, as for every run after a file "
        "first lands (the daily run copies only the new day). Ratios are to the flattened "
        "pipeline of the same repetitions; the inventory (from footers) is the same for both.",
        "",
        "| events | load avg | pipeline (s) | bare DuckDB (s) | ratio | peak RSS (MB) "
        "| distinct users | nested, first read (s) | first read / flattened "
        "| nested, copies kept (s) | copies kept / flattened |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['events']:,} | {r['load_average']} | {r['seconds_pipeline']} | "
        f"{r['seconds_duckdb']} | {r['ratio']} | {r['peak_rss_mb']} | {r['distinct_users']:,} "
        f"| {r['seconds_pipeline_nested']} | {r['ratio_nested_flat']} | "
        f"{r['seconds_pipeline_nested_kept']} | {r['ratio_nested_kept_flat']} |"
        for r in rows
    ]
    lines += [
        "",
        f"![seconds vs events]({svg.name})",
        "",
        "## Incremental refresh",
        "",
        "Every web partition recomputed from a cold start (no raw manifest), against the daily "
        "schedule's run for the current fiscal year after one more day of events lands.",
        "",
        "| events | full recomputation (s) | daily refresh (s) | files inspected: full / daily "
        "| files scanned: full / daily |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['events']:,} | {r['seconds_full_refresh']} | {r['seconds_daily_refresh']} | "
        f"{r['full']['files_inspected']} / {r['daily']['files_inspected']} | "
        f"{r['full']['files_scanned']} / {r['daily']['files_scanned']} |"
        for r in rows
    ]
    out.write_text("\n".join(lines + [""]))


def run_bench(events: list[int], out: str | None, data_dir: Path) -> int:
    rows = []
    for n in events:
        row = measure(n, data_dir)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if out:
        write_results(rows, Path(out))
    return 0
