"""Benchmark of the whole run (issue 14): `plan-indicators run` against its floor.

- **pipeline**: `plan-indicators run` in a fresh interpreter on a persistent Dagster instance
  (a `dagster_home` of its own, as `make demo` has), from nothing staged and an empty
  warehouse: ingestion with its checks and Great Expectations suites, each plan's results,
  evaluations and projection, the report.
- **floor**: the same work done by the project's own library called directly, in a fresh
  interpreter that imports neither Dagster nor Great Expectations (the floor refuses to count
  if either was imported): the readers, the references and the DuckDB web staging write the
  staged Parquet and the quarantine, the measure library computes every indicator and fiscal
  year of every plan, the target engine evaluates them, the warehouse functions write the
  catalog, results, targets, evaluations and projections, and the report is rendered. What the
  floor leaves out is what Dagster and GX add: the suites, step and run bookkeeping, the
  landing reports, source coverage and input fingerprints.

Both sides read the same landing zone (`plan-indicators sample-data`) and the same catalog:
the seed plans, or `--plan-copies N` copies of them under distinct plan ids in a temporary
plans folder. The sides alternate (pipeline first, then floor first, ...); the bench refuses a
floor that computed another number of results or evaluations than the pipeline, and says in
`same_values` whether every value and status matched. Prints one JSON line per plan count;
`--out FILE` also writes the "Whole run" section of `bench/results.md`, with the machine and
the load average measured during the run.

    plan-indicators bench --end-to-end --plan-copies 1 --plan-copies 8 --out bench/results.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.plan_steps import plan_copies, write_section

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Whole run"
KEY = "bench-key-not-secret"
KEY_ENV = "PLAN_INDICATORS_PSEUDONYM_KEY"
AS_OF = "2026-11-01"
FLOOR_RUN_ID = "floor"


def seed_copies(copies: int, dest: Path) -> Path:
    """`copies` copies of the seed plans (the first keeps their ids), same indicators and
    sources, in a plans folder of their own."""
    seeds = len(list((ROOT / "data" / "plans").glob("*.yaml")))
    return plan_copies(copies * seeds, dest)


# --- the floor: the library called directly -------------------------------------------------


def _pages(plans) -> list[str]:
    """The pages the catalog's `distinct_users` indicators count, as the web staging keeps them."""
    from plan_indicators.measures.web import normalise_path

    return sorted(
        {
            normalise_path(page)
            for plan in plans
            for ind in plan.indicators
            if ind.measure.name == "distinct_users"
            for page in ind.measure.params.get("pages", [])
        }
    )


def _ingest(landing: Path, staging: Path, engine, plans, key: bytes) -> None:
    """Raw reads, references and staging of every source, quarantine included."""
    from plan_indicators import warehouse as wh
    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.sources.contracts import CONTRACTS, SOURCES, WEB
    from plan_indicators.sources.readers import read_source
    from plan_indicators.sources.references import enforce_references
    from plan_indicators.sources.web import inventory_web_files, stage_web_analytics_years
    from plan_indicators.staging import ParquetStagedData

    raw_store, store = ParquetStagedData(staging / "raw"), ParquetStagedData(staging)
    reads = {}
    for source in [s for s in SOURCES if s != WEB]:
        read = read_source(landing, source, pseudonym_key=key)
        if read.errors:
            raise RuntimeError(f"floor: {source}: a file is refused: {read.errors[0]}")
        checksums = {f.file: f.checksum for f in read.files}
        raw_store.write(source, read.frame)
        rows = wh.quarantine_rows(read.quarantine, FLOOR_RUN_ID, checksums)
        wh.replace_rows(engine, wh.quarantine, {"source": source}, rows)
        reads[source] = (read.frame, checksums)
    for source, (frame, checksums) in reads.items():
        parents = {ref.source for ref in CONTRACTS[source].references.values()}
        kept, rejected, _ = enforce_references(
            source, frame, {p: reads[p][0] for p in sorted(parents)}
        )
        if rejected:
            with engine.begin() as conn:
                rows = wh.quarantine_rows(rejected, FLOOR_RUN_ID, checksums)
                conn.execute(wh.quarantine.insert(), rows)
        store.write(source, kept)
    years = sorted({y for p in plans for y in p.partition_years()})
    first, last = FiscalYear.parse(years[0]), FiscalYear.parse(years[-1])
    web_years = [FiscalYear(y).key for y in range(first.start_year, last.start_year + 1)]
    stage_web_analytics_years(
        landing,
        {fy: store.web_path(fy) for fy in web_years},
        _pages(plans),
        inventory=inventory_web_files(landing),
    )


def _results(plan, engine, data, as_of: dt.date, business_days) -> int:
    from plan_indicators import warehouse as wh
    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.measures import for_indicator
    from plan_indicators.regions import suppress

    written = 0
    for ind in plan.indicators:
        result_at = for_indicator(plan, ind, data, business_days)
        computed = [(fy, result_at(FiscalYear.parse(fy), as_of)) for fy in plan.partition_years()]
        published = []
        for fy, res in computed:
            row = wh.result_row(
                plan.id, ind, fy, res, is_final=False, run_id=FLOOR_RUN_ID, computed_at=wh.utcnow()
            )
            published.append((row, suppress(res.regions) if res.regions else []))
            written += 1
        # As the results step writes: an indicator's years in one transaction.
        wh.publish_results(engine, published)
    return written


def _evaluations(plan, engine, as_of: dt.date) -> int:
    from plan_indicators import warehouse as wh
    from plan_indicators.catalog_rows import target_rows
    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.seasons import DEFAULT_SEASONS
    from plan_indicators.statuses import NO_DATA, STATUS_FR
    from plan_indicators.targets import Observed, evaluate

    def observed(r: dict) -> Observed:
        periods = json.loads(r["periods"]) if r.get("periods") else {}
        return Observed(
            value=r.get("value"),
            achieved_on=r.get("achieved_on"),
            periods=periods,
            numerator=r.get("numerator"),
            denominator=r.get("denominator"),
        )

    written = 0
    for ind in plan.indicators:
        results = {
            r["fiscal_year"]: r
            for r in wh.read_rows(engine, wh.indicator_result, plan_id=plan.id, indicator_id=ind.id)
        }
        one = plan.model_copy(update={"indicators": [ind]})
        thresholds = {r["fiscal_year"]: r for r in target_rows(one, engine)}
        writes = []
        for fy in plan.partition_years():
            target, where = ind.targets.get(fy), {"plan_id": plan.id, "indicator_id": ind.id}
            where["fiscal_year"] = fy
            if target is None:
                writes.append((wh.indicator_evaluation, where, []))
                continue
            res = results.get(fy) or {}
            baseline_year = getattr(target, "baseline_year", None)
            ev = evaluate(
                target,
                observed(res),
                FiscalYear.parse(fy),
                as_of,
                direction=ind.direction,
                baseline=(results.get(baseline_year) or {}).get("value") if baseline_year else None,
                previous=(results.get(FiscalYear.parse(fy).previous.key) or {}).get("value"),
                seasons=DEFAULT_SEASONS,
                results={year: observed(r) for year, r in results.items()},
                plan_start=min(plan.plan.fiscal_years),
                unit=ind.unit,
            )
            row = {
                **where,
                "value": ev.value if ev.value is not None else res.get("value"),
                "threshold": ev.threshold,
                "status": ev.status,
                "status_fr": STATUS_FR[ev.status],
                "gap": ev.gap,
                "note": ev.note or (res.get("reason") if ev.status == NO_DATA else None),
                "evaluated_at": wh.utcnow(),
                "run_id": FLOOR_RUN_ID,
            }
            writes += [
                (wh.indicator_evaluation, where, [row]),
                (wh.indicator_target, where, [thresholds[fy]]),
            ]
            written += 1
        # As the evaluations step writes: an indicator's years in one transaction.
        with engine.begin() as conn:
            for table, where, rows in writes:
                wh.delete_insert(conn, table, where, rows)
    return written


def _projections(plan, engine, data, as_of: dt.date, business_days) -> int:
    from plan_indicators import warehouse as wh
    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.projection import running_projections

    running = FiscalYear.of(as_of).key
    if running not in plan.partition_years():
        return 0
    evaluations = {
        r["indicator_id"]: r
        for r in wh.read_rows(engine, wh.indicator_evaluation, plan_id=plan.id, fiscal_year=running)
    }
    projections = running_projections(plan, data, as_of, evaluations, business_days)
    rows = [wh.projection_row(plan.id, i, p, FLOOR_RUN_ID) for i, p in projections]
    where = {"plan_id": plan.id, "fiscal_year": running, "as_of": as_of}
    return wh.replace_rows(engine, wh.indicator_projection, where, rows)


def floor(
    landing: Path, plans_dir: Path | None, warehouse_url: str, staging: Path, as_of: dt.date,
    report: Path,
) -> dict:  # fmt: skip
    """Everything `run` publishes for the catalog, without Dagster or GX; what it wrote."""
    from plan_indicators import warehouse as wh
    from plan_indicators.business_days import BusinessCalendar
    from plan_indicators.catalog import load_catalog
    from plan_indicators.catalog_rows import write_catalog
    from plan_indicators.report import write_report
    from plan_indicators.staging import ParquetStagedData

    plans = load_catalog(str(plans_dir) if plans_dir else None)
    engine = wh.engine_for(warehouse_url)
    _ingest(landing, staging, engine, plans, os.environ[KEY_ENV].encode())
    with engine.begin() as conn:
        for plan in plans:
            write_catalog(conn, plan, engine)
    data, business_days = ParquetStagedData(staging), BusinessCalendar().business_days_between
    counts = {"results": 0, "evaluations": 0, "projections": 0}
    for plan in plans:
        counts["results"] += _results(plan, engine, data, as_of, business_days)
        counts["evaluations"] += _evaluations(plan, engine, as_of)
        counts["projections"] += _projections(plan, engine, data, as_of, business_days)
    write_report(engine, report, as_of=as_of)
    return counts


# --- the two sides, timed in fresh interpreters ------------------------------------------------


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        KEY_ENV: os.environ.get(KEY_ENV) or KEY,
        "PLAN_INDICATORS_HOME": str(work),
    }


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, output) of a child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    return seconds, usage.ru_maxrss / 1024, proc.returncode, text


def _fresh(work: Path) -> Path:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work


def run_pipeline_side(landing: Path, plans: Path, work: Path) -> dict:
    """`plan-indicators run` on a persistent instance of its own, from nothing."""
    _fresh(work)
    (work / "dagster_home").mkdir()
    (work / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    argv = [
        "run", "--landing", str(landing), "--plans", str(plans),
        "--warehouse", f"sqlite:///{work / 'warehouse.sqlite'}",
        "--staging", str(work / "staging"), "--as-of", AS_OF,
        "--report", str(work / "report.html"),
    ]  # fmt: skip
    code = f"from orchestration.cli import entry\nentry({argv!r})\n"  # as `plan-indicators`
    env = {**_env(work), "DAGSTER_HOME": str(work / "dagster_home")}
    seconds, rss, rc, text = _timed([sys.executable, "-c", code], env)
    if rc not in (0, 1) or "split:" not in text:
        raise RuntimeError(f"plan-indicators run failed ({rc}):\n{text[-3000:]}")
    split = next((ln for ln in text.splitlines() if ln.startswith("split:")), "")
    return {"seconds": seconds, "rss": rss, "ok": rc == 0, "split": split.removeprefix("split: ")}


def run_floor_side(landing: Path, plans: Path, work: Path) -> dict:
    _fresh(work)
    argv = [
        sys.executable, "-m", "bench.end_to_end", "floor", "--landing", str(landing),
        "--plans", str(plans), "--warehouse", f"sqlite:///{work / 'warehouse.sqlite'}",
        "--staging", str(work / "staging"), "--as-of", AS_OF, "--report", str(work / "report.html"),
    ]  # fmt: skip
    seconds, rss, rc, text = _timed(argv, _env(work))
    if rc != 0:
        raise RuntimeError(f"floor failed ({rc}):\n{text[-3000:]}")
    return {"seconds": seconds, "rss": rss, "counts": json.loads(text.strip().splitlines()[-1])}


def published(work: Path) -> tuple[dict, dict]:
    """What a side published: results {(plan, indicator, year): value} and evaluations
    {(plan, indicator, year): (status, value, threshold)}."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{work / 'warehouse.sqlite'}")
    try:
        with engine.connect() as conn:
            results = {
                (r.plan_id, r.indicator_id, r.fiscal_year): r.value
                for r in conn.execute(sa.text("SELECT * FROM indicator_result"))
            }
            evaluations = {
                (r.plan_id, r.indicator_id, r.fiscal_year): (r.status, r.value, r.threshold)
                for r in conn.execute(sa.text("SELECT * FROM indicator_evaluation"))
            }
    finally:
        engine.dispose()
    return results, evaluations


def _same(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def differences(pipeline: dict, floor_: dict) -> list[str]:
    keys = sorted(set(pipeline) | set(floor_))
    return [
        f"{k}: pipeline {pipeline.get(k)!r}, floor {floor_.get(k)!r}"
        for k in keys
        if not _same(pipeline.get(k), floor_.get(k))
    ]


class LoadSampler:
    """The 1-minute load average, sampled every few seconds while the bench runs."""

    def __init__(self, every: float = 5.0):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._every = every
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self._every)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def measure(copies: int, landing: Path, tmp: Path, rounds: int) -> dict:
    """Both sides `rounds` times each, alternating, on `copies` copies of the seed plans."""
    plans = seed_copies(copies, tmp / f"plans-{copies}")
    sides = {
        "pipeline": lambda: run_pipeline_side(landing, plans, tmp / "pipeline"),
        "floor": lambda: run_floor_side(landing, plans, tmp / "floor"),
    }
    times: dict[str, list[dict]] = {"pipeline": [], "floor": []}
    mismatch: list[str] = []
    with LoadSampler() as load:
        for i in range(rounds):
            for name in ("pipeline", "floor") if i % 2 == 0 else ("floor", "pipeline"):
                times[name].append(sides[name]())
            results, evaluations = published(tmp / "pipeline")
            floor_results, floor_evaluations = published(tmp / "floor")
            counts = times["floor"][-1]["counts"]
            if (len(results), len(evaluations)) != (counts["results"], counts["evaluations"]):
                raise RuntimeError(
                    f"the floor computed {counts['results']} results and "
                    f"{counts['evaluations']} evaluations, the pipeline published "
                    f"{len(results)} and {len(evaluations)}"
                )
            mismatch = differences(results, floor_results) + differences(
                evaluations, floor_evaluations
            )
    med = statistics.median
    pipeline, floor_ = (
        med(t["seconds"] for t in times["pipeline"]),
        med(t["seconds"] for t in times["floor"]),
    )
    n_plans = len(list(plans.glob("*.yaml")))
    return {
        "plan_copies": copies,
        "plans": n_plans,
        "seconds_pipeline": round(pipeline, 3),
        "seconds_floor": round(floor_, 3),
        "ratio": round(pipeline / floor_, 3),
        "peak_rss_mb": round(max(t["rss"] for t in times["pipeline"]), 1),
        "peak_rss_mb_floor": round(max(t["rss"] for t in times["floor"]), 1),
        "results": len(results),
        "evaluations": len(evaluations),
        "same_values": not mismatch,
        "differences": mismatch[:10],
        "pipeline_ok": all(t["ok"] for t in times["pipeline"]),
        "split": times["pipeline"][-1]["split"],
        "rounds": rounds,
        "load_average": round(statistics.fmean(load.samples), 2) if load.samples else None,
        "load_average_max": round(max(load.samples), 2) if load.samples else None,
    }


def _added(row: dict) -> str:
    if "seconds_per_added_plan_pipeline" not in row:
        return "—"
    return (
        f"{row['seconds_per_added_plan_pipeline']:.2f} / {row['seconds_per_added_plan_floor']:.2f}"
    )


def markdown(rows: list[dict], scale: float) -> str:
    loads = [r["load_average"] for r in rows if r["load_average"] is not None]
    lines = [
        SECTION,
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')} with "
        "`plan-indicators bench --end-to-end` (`make bench`), sample data at scale "
        f"{scale:g}, as of {AS_OF}; load average during the run "
        f"{statistics.fmean(loads) if loads else float('nan'):.1f} (1-minute, mean of samples; "
        "the machine is shared, so the ratio, measured side by side, is what counts).",
        "",
        "- **pipeline**: `plan-indicators run` in a fresh interpreter, persistent Dagster "
        "instance of its own (as `make demo`), from nothing staged: ingestion and its suites, "
        "each plan's results, evaluations and projection, the report.",
        "- **floor**: the project's readers, staging, measure library, target engine, "
        "warehouse writes and report called directly in a fresh interpreter, without Dagster "
        "or Great Expectations, on the same landing zone and catalog; it computes the same "
        "results and evaluations (the bench refuses otherwise; `same values` compares every "
        "value, threshold and status).",
        "- Sides alternate, median of the rounds; `--plan-copies N` copies the seed plans "
        "under distinct ids; each added plan costs (seconds − seconds of the first row) / "
        "(plans − plans of the first row).",
        "",
        "| plan copies | plans | pipeline (s) | floor (s) | ratio | each added plan: "
        "pipeline / floor (s) | "
        "peak RSS pipeline / floor (MB) | results | evaluations | same values | rounds | "
        "load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['plan_copies']} | {r['plans']} | {r['seconds_pipeline']:.1f} | "
            f"{r['seconds_floor']:.1f} | {r['ratio']:.2f} | {_added(r)} | "
            f"{r['peak_rss_mb']:.0f} / {r['peak_rss_mb_floor']:.0f} | {r['results']} | "
            f"{r['evaluations']} | {'yes' if r['same_values'] else 'no'} | {r['rounds']} | "
            f"{r['load_average']:.1f} |"
        )
    lines += ["", "Split printed by `run` (last pipeline round):", ""]
    lines += [f"- {r['plans']} plans: {r['split']}" for r in rows]
    return "\n".join(lines) + "\n"


def run_end_to_end(
    copies: list[int],
    *,
    out: str | None = None,
    rounds: int = 1,
    scale: float = 1.0,
    landing: str | None = None,
    echo=print,
) -> int:
    """`plan-indicators bench --end-to-end`: one JSON line per plan count."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-end-to-end-"))
    try:
        zone = Path(landing) if landing else tmp / "landing"
        if not landing:
            from plan_indicators.sampledata import generate

            generate(zone, seed=42, scale=scale)
        rows = []
        for n in copies:
            row = measure(n, zone.resolve(), tmp, rounds)
            if rows and row["plans"] > rows[0]["plans"]:
                added = row["plans"] - rows[0]["plans"]
                for side in ("pipeline", "floor"):
                    more = row[f"seconds_{side}"] - rows[0][f"seconds_{side}"]
                    row[f"seconds_per_added_plan_{side}"] = round(more / added, 3)
            rows.append(row)
            echo(json.dumps(row))
        if out:
            write_section(Path(out), markdown(rows, scale), SECTION)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _floor_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="bench.end_to_end floor")
    for name in ("--landing", "--plans", "--warehouse", "--staging", "--as-of", "--report"):
        ap.add_argument(name, required=True)
    args = ap.parse_args(argv)
    counts = floor(
        Path(args.landing), Path(args.plans), args.warehouse, Path(args.staging),
        dt.date.fromisoformat(args.as_of), Path(args.report),
    )  # fmt: skip
    imported = sorted({"dagster", "great_expectations"} & set(sys.modules))
    if imported:
        raise SystemExit(f"the floor imported {', '.join(imported)}: it must not")
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["floor"]:
        raise SystemExit(_floor_main(sys.argv[2:]))
    raise SystemExit("usage: plan-indicators bench --end-to-end [--plan-copies N]")
