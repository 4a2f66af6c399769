"""`plan-indicators bench`: the `distinct_users` indicator through Dagster vs bare DuckDB.

For each N, GA4-shaped events are generated once (daily Parquet files over two fiscal years,
returning users), then, in the same process, timed side by side: (a) the Dagster materialisation
of `raw/web_analytics`, `staging/web_analytics` and OPHQ indicator 1.1.1 for 2024-2025, and (b)
the equivalent DuckDB query on the same files. Each side runs twice after a warm-up scan; the
faster run counts. One JSON line per N; `--out` writes a Markdown table and an SVG plot.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FIRST_DAY = dt.date(2023, 4, 1)
DAYS = 731  # 2023-04-01 .. 2025-03-31: fiscal years 2023-2024 and 2024-2025
FISCAL_YEAR = "2024-2025"
PLAN_ID = "ophq-2024-2028"
INDICATOR_ID = "1.1.1"
OTHER_PAGES = [f"/fr/sante/page-{i}" for i in range(40)] + ["/", "/fr", "/en/services"]


def _target_pages() -> list[str]:
    from plan_indicators.catalog import load_catalog

    plan = next(p for p in load_catalog() if p.id == PLAN_ID)
    return list(plan.indicator(INDICATOR_ID).measure.params["pages"])


def generate_events(folder: Path, n_events: int, seed: int = 1) -> Path:
    """Daily Parquet files of GA4-shaped events; skipped when already there for this N."""
    marker = folder / f".complete-{n_events}"
    web = folder / "web_analytics"
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
        pq.write_table(table, web / f"events_{day:%Y%m%d}.parquet")
    marker.write_text("ok")
    return folder


def duckdb_baseline(landing: Path) -> int:
    """The bare query a data engineer would write for indicator 1.1.1 of 2024-2025."""
    import duckdb

    pages = [p.rstrip("/") for p in _target_pages()]
    con = duckdb.connect()
    con.execute("SET threads=2")
    sql = f"""
        SELECT COUNT(DISTINCT user_pseudo_id) FROM read_parquet('{landing}/web_analytics/*.parquet')
        WHERE event_name = 'page_view' AND event_date BETWEEN '20240401' AND '20250331'
          AND rtrim(regexp_replace(regexp_replace(page_location, '^[a-z]+://[^/]+', ''),
                                   '[?#].*$', ''), '/') IN (SELECT unnest(?::VARCHAR[]))
    """
    return int(con.execute(sql, [pages]).fetchone()[0])


def pipeline(landing: Path, work: Path) -> float | None:
    """Materialise staging and indicator 1.1.1 for one fiscal year through Dagster."""
    import dagster as dg

    from assets.keys import raw_key, result_key, staging_key
    from orchestration.definitions import build_definitions
    from orchestration.jobs import DIGITAL_JOB, plan_job_name
    from plan_indicators import warehouse as wh
    from plan_indicators.catalog import load_catalog

    plan = next(p for p in load_catalog() if p.id == PLAN_ID)
    url = f"sqlite:///{work / 'w.sqlite'}"
    defs = build_definitions(
        None,
        landing=str(landing),
        warehouse_url=url,
        staging=str(work / "staging"),
        as_of="2026-11-01",
    )
    instance = dg.DagsterInstance.ephemeral()
    web = "web_analytics"
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
    [row] = wh.read_rows(
        wh.engine_for(url),
        wh.indicator_result,
        plan_id=PLAN_ID,
        indicator_id=INDICATOR_ID,
        fiscal_year=FISCAL_YEAR,
    )
    return row["value"]


def _best_of(fn, repeat: int = 2):
    best, value = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    return best, value


def measure(n_events: int, data_dir: Path) -> dict:
    landing = generate_events(data_dir / f"events_{n_events}", n_events)
    duckdb_baseline(landing)  # warm-up: both sides then read from the page cache
    with tempfile.TemporaryDirectory() as tmp:
        runs = iter(range(10))

        def run_pipeline():
            work = Path(tmp) / f"run{next(runs)}"
            work.mkdir()
            return pipeline(landing, work)

        s_duck, v_duck = _best_of(lambda: duckdb_baseline(landing))
        s_pipe, v_pipe = _best_of(run_pipeline)
    if int(v_pipe) != v_duck:
        raise AssertionError(f"pipeline found {v_pipe} users, DuckDB {v_duck}")
    return {
        "events": n_events,
        "seconds_pipeline": round(s_pipe, 3),
        "seconds_duckdb": round(s_duck, 3),
        "ratio": round(s_pipe / s_duck, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "distinct_users": v_duck,
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
        "`make bench`. Best of two runs each, after a warm-up scan.",
        "",
        "| events | pipeline (s) | bare DuckDB (s) | ratio | peak RSS (MB) | distinct users |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['events']:,} | {r['seconds_pipeline']} | {r['seconds_duckdb']} | {r['ratio']} | "
        f"{r['peak_rss_mb']} | {r['distinct_users']:,} |"
        for r in rows
    ]
    lines += ["", f"![seconds vs events]({svg.name})", ""]
    out.write_text("\n".join(lines))


def run_bench(events: list[int], out: str | None, data_dir: Path) -> int:
    rows = []
    for n in events:
        row = measure(n, data_dir)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if out:
        write_results(rows, Path(out))
    return 0
