"""`plan-indicators run`: the whole graph, through Dagster, in dependency order.

Ingestion runs first (one run, every staged fiscal year), then each plan's job over its fiscal
years in a single run (so baselines are computed before the years that compare to them), then the
report. Assets downstream of any ingestion failure (a failed step, a step skipped because its
input failed, a failed blocking check) are left out, so their published results stay as they
were; the command then exits non-zero, naming the cause. Without the pseudonymisation key
nothing runs at all.

Every run goes through the persistent Dagster instance (`DAGSTER_HOME`, else `dagster_home/`
under the data folder; PostgreSQL in production through its `dagster.yaml`), so `dagster dev`
shows it. The console shows a progress line per stage, then the status table and the landing
report; the DEBUG event log goes to a file under the instance (`--verbose` streams it too).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from assets.coverage import COVERAGE_CHECK
from assets.ingestion import FILE_CONTRACT_CHECK
from assets.keys import ANNUAL_REPORT, raw_key, result_key, staging_key
from orchestration.console import RunConsole
from orchestration.definitions import build_definitions
from orchestration.jobs import INGEST_JOB, REPORT_JOB, ingest_selection, plan_job_name
from orchestration.side_by_side import RunTask, SideBySide
from plan_indicators import warehouse as wh
from plan_indicators.catalog import load_catalog
from plan_indicators.commentary import SOURCE as COMMENTARY
from plan_indicators.sources.contracts import SOURCES
from plan_indicators.sources.landing import LandingReport, load_reads
from plan_indicators.sources.pseudonym import KEY_ENV
from plan_indicators.sources.web.flat import copies_in_background

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


@dataclass(frozen=True)
class RunOptions:
    landing: str | None = None
    warehouse: str | None = None
    plans_dir: str | None = None
    staging: str | None = None
    fiscal_years: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    as_of: str | None = None
    final_years: tuple[str, ...] = ()
    report: str | None = None
    dagster_home: str | None = None
    progress: bool = False
    verbose: bool = False
    jobs: int = 1
    """Plans run at the same time, each in a process forked from this one (1: one after the
    other, here)."""


@dataclass
class Outcome:
    ok: bool = True
    refused: bool = False
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    landing: LandingReport = field(default_factory=LandingReport)
    blocked_sources: set[str] = field(default_factory=set)
    not_run: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    split: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SPLIT, 0.0))
    run_ids: list[str] = field(default_factory=list)
    log_path: Path | None = None
    closing: list[str] = field(default_factory=list)
    """Years closed by this run, and closed years it left as they were (docs/contracts.md §6.1)."""


def instance_home(opts: RunOptions) -> Path:
    """Where the instance lives: `DAGSTER_HOME`, else the option, else under the data folder."""
    from resources.settings import DEFAULT_HOME

    home = os.environ.get("DAGSTER_HOME") or opts.dagster_home or DEFAULT_HOME / "dagster_home"
    return Path(home).resolve()


def open_instance(opts: RunOptions) -> dg.DagsterInstance:
    """The persistent instance (its `dagster.yaml` decides the storage: SQLite files by
    default, PostgreSQL in production), the one `dagster dev` reads with the same home. A default
    SQLite instance keeps its event-log connections open (orchestration/instance_storage.py)."""
    from orchestration.instance_storage import open_local_instance

    home = instance_home(opts)
    home.mkdir(parents=True, exist_ok=True)
    _unsynced_sqlite_under(home)
    return open_local_instance(home)


_UNSYNCED: set[str] = set()


def _unsynced_sqlite_under(home: Path) -> None:
    """SQLite files of a local instance are written without waiting for the disk
    (`PRAGMA synchronous=OFF`). Dagster opens a connection per event and SQLite syncs on each
    commit and close: about 25 ms an event on this machine's disk, most of a run. An operating
    system crash can lose the local run history, never the warehouse; production instances use
    PostgreSQL, which this does not touch."""
    import sqlite3

    import sqlalchemy as sa

    if not _UNSYNCED:

        @sa.event.listens_for(sa.engine.Engine, "connect")
        def _connect(dbapi_connection, _record) -> None:
            if not isinstance(dbapi_connection, sqlite3.Connection):
                return
            rows = dbapi_connection.execute("PRAGMA database_list").fetchall()
            if any(r[2] and r[2].startswith(tuple(_UNSYNCED)) for r in rows):
                dbapi_connection.execute("PRAGMA synchronous=OFF")

    _UNSYNCED.add(str(home) + os.sep)


def _logger_config(verbose: bool) -> dict:
    """The console logger streams every event with `--verbose`; otherwise only what is
    critical reaches the terminal (the log file has everything)."""
    return {"loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "CRITICAL"}}}}


def range_tags(years: list[str]) -> dict[str, str]:
    """Run tags that make one run cover the partitions from the first to the last of `years`."""
    return {RANGE_START: min(years), RANGE_END: max(years)}


SPLIT = ("dagster", "ingestion", "great_expectations", "measures", "writes", "other_steps")


def _split(instance: dg.DagsterInstance, result, wall: float, split: dict[str, float]) -> None:
    """Add a run's `wall` seconds to `split`, from the instance's step statistics: its steps
    by kind, and what no step accounts for (run start, planning, the event log) as Dagster's.
    Check-only steps are the GX suites; an indicator step reports its measure and
    warehouse-write seconds in its materialisations' metadata."""
    from assets.indicators import SECONDS_MEASURE, SECONDS_WRITE

    durations = step_durations(instance, result.run_id)
    stepped = sum(durations.values())
    if stepped > wall:
        # The steps ran one after the other inside `wall`: more means the wall clock that
        # dates the events moved against the monotonic one (a suspended machine catching up).
        durations = {step: seconds * wall / stepped for step, seconds in durations.items()}
    materialised: set[str] = set()
    accounted: dict[str, float] = {}
    for event in result.get_asset_materialization_events():
        materialised.add(event.step_key)
        meta = event.materialization.metadata
        # Each indicator's partition event carries that year's own seconds.
        if SECONDS_MEASURE in meta:
            split["measures"] += meta[SECONDS_MEASURE].value
            split["writes"] += meta[SECONDS_WRITE].value
            accounted[event.step_key] = (
                accounted.get(event.step_key, 0.0)
                + meta[SECONDS_MEASURE].value
                + meta[SECONDS_WRITE].value
            )
    for step, seconds in durations.items():
        if step not in materialised:
            split["great_expectations"] += seconds
        elif step.startswith(("raw__", "staging__")):
            split["ingestion"] += seconds
        else:
            split["other_steps"] += max(0.0, seconds - accounted.get(step, 0.0))
    split["dagster"] += max(0.0, wall - sum(durations.values()))


STEP_BOUNDS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
}


def step_durations(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's start to its end, from those events alone: the instance's step
    statistics read (and decode) every materialisation of the run as well, a second per plan of
    sixteen."""
    started: dict[str, float] = {}
    durations: dict[str, float] = {}
    records = instance.get_records_for_run(run_id, of_type=STEP_BOUNDS, limit=None).records
    for record in records:
        step, at = record.event_log_entry.step_key, record.timestamp
        if record.event_log_entry.dagster_event_type == dg.DagsterEventType.STEP_START:
            started[step] = at
        elif step in started:
            durations[step] = max(0.0, at - started[step])  # a clock set back reads no less
    return durations


def failure_cause(event) -> str:
    """The first line of what made a step fail: a `dg.Failure`'s description, else the
    innermost error (the user code's exception, not Dagster's wrapper)."""
    data = event.step_failure_data
    if data and data.user_failure_data and data.user_failure_data.description:
        return data.user_failure_data.description.strip()
    err = data.error if data else None
    while err is not None and err.cause is not None:
        err = err.cause
    text = err.message if err is not None else event.message or ""
    return (text.strip().splitlines() or ["?"])[0]


def _advice(ev) -> list[str]:
    """What to fix, for a Great Expectations failure (file-level checks name their file in
    the landing report instead)."""
    from expectations.advice import advice_for_failures, advice_fr

    if ev.check_name == COVERAGE_CHECK:
        return [advice_fr(COVERAGE_CHECK, None)]
    sample = ev.metadata.get("unexpected_sample")
    return advice_for_failures(list(sample.value)) if sample is not None else []


def _failed_by_own_check(event) -> bool:
    """A step Dagster failed because a blocking check it yields failed: that check's line
    already says why."""
    err = event.step_failure_data.error if event.step_failure_data else None
    return err is not None and err.cls_name == "DagsterAssetCheckFailedError"


def _collect(result, outcome: Outcome, stage: str) -> set[dg.AssetKey]:
    """Record failed steps and blocking checks; return every asset key that did not come out
    sound: its step failed or was skipped (targeted by the run, never materialised), or a
    blocking check on it failed."""
    blocked: set[dg.AssetKey] = set()
    for ev in result.get_asset_check_evaluations():
        if ev.passed:
            continue
        line = f"{stage}: check {ev.check_name} failed on {ev.asset_key.to_user_string()}: "
        line += (ev.description or "").strip() + "".join(
            f"\n  → à corriger : {a}" for a in _advice(ev)
        )
        if ev.severity == dg.AssetCheckSeverity.ERROR:
            blocked.add(ev.asset_key)
            outcome.failures.append(line)
        else:
            outcome.warnings.append(line)
    targeted = result.dagster_run.asset_selection or result.job_def.asset_layer.selected_asset_keys
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    for event in result.get_step_failure_events():
        if not _failed_by_own_check(event):
            outcome.failures.append(
                f"{stage}: step {event.step_key} failed: {failure_cause(event)}"
            )
    blocked |= set(targeted) - materialised
    if not result.success or blocked:
        outcome.ok = False
    outcome.run_ids.append(result.run_id)
    return blocked


def refuse_without_key(echo: Callable[[str], None]) -> Outcome | None:
    """The run refuses to start without the pseudonymisation key (docs/contracts.md §4.6):
    nothing runs, nothing is written."""
    if os.environ.get(KEY_ENV):
        return None
    from plan_indicators.sources.contracts import CONTRACTS

    personal = ", ".join(
        f"{s}.{c.name}" for s, contract in CONTRACTS.items() for c in contract.columns if c.personal
    )
    message = (
        f"{KEY_ENV} is not set: the pseudonymisation key is needed to read personal columns "
        f"({personal}). Nothing was run and nothing was changed; set the "
        "variable (the same key as before, or pseudonyms will not match) and run again."
    )
    echo(f"ERROR {message}")
    return Outcome(ok=False, refused=True, failures=[message])


def run_pipeline(opts: RunOptions, echo: Callable[[str], None] = print) -> Outcome:
    refused = refuse_without_key(echo)
    if refused is not None:
        return refused
    outcome = Outcome()
    started = time.perf_counter()
    defs = build_definitions(
        opts.plans_dir,
        landing=opts.landing,
        warehouse_url=opts.warehouse,
        staging=opts.staging,
        as_of=opts.as_of,
        report_path=opts.report,
    )
    plans = [p for p in load_catalog(opts.plans_dir) if not opts.plans or p.id in opts.plans]
    unknown = set(opts.plans) - {p.id for p in plans}
    if unknown:
        raise SystemExit(f"unknown plan(s): {sorted(unknown)}")
    years_by_plan = {p.id: _years(p, opts.fiscal_years) for p in plans}
    config = _logger_config(opts.verbose)
    if opts.final_years:
        # A resource's run config replaces its configured fields: give them all, or the
        # closing run would fall back to today as its as-of date.
        settings = defs.resources["settings"]
        config["resources"] = {
            "settings": {
                "config": {
                    "final_years": list(opts.final_years),
                    "as_of": _value(settings.as_of),
                    "report_path": _value(settings.report_path),
                }
            }
        }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    outcome.log_path = instance_home(opts) / "logs" / f"run-{stamp}-{os.getpid()}.log"
    outcome.timings["definitions"] = time.perf_counter() - started

    t = time.perf_counter()
    with open_instance(opts) as instance, RunConsole(outcome.log_path, opts.progress) as console:
        outcome.split["dagster"] += time.perf_counter() - t
        echo(f"Dagster instance: {instance_home(opts)} · event log: {outcome.log_path}")

        graph = defs.resolve_asset_graph()
        # The warehouse's schema is made here, before the runs that write it may go side by side.
        engine = wh.engine_for(_value(defs.resources["warehouse"].url))
        runs = SideBySide(opts.jobs, instance, console, defs=defs, config=config, opts=opts)
        with runs, copies_in_background():
            blocked = _ingest(runs, graph, years_by_plan, defs, outcome)
            tasks = _plan_tasks(plans, graph, blocked, years_by_plan, outcome)
            parts = dict(runs.run(tasks))
            for task in tasks:  # reported in catalog order, whichever ended first
                _merge(outcome, parts[task])
                outcome.timings[task.stage] = parts[task]["seconds"]
            report = RunTask(
                "report", "report", REPORT_JOB, str(uuid.uuid4()), (ANNUAL_REPORT,), ()
            )
            [(_task, part)] = runs.run([report])
            _merge(outcome, part)
            outcome.timings["report"] = part["seconds"]
    outcome.timings["total"] = time.perf_counter() - started

    echo(status_table(engine, [p.id for p in plans], years_by_plan))
    echo(" · ".join(f"{k} {v:.1f} s" for k, v in outcome.timings.items()))
    outcome.split["dagster"] += outcome.timings["definitions"]
    echo("split: " + " · ".join(f"{k} {v:.1f} s" for k, v in outcome.split.items()))
    echo(f"runs: {', '.join(outcome.run_ids)} (dagster dev shows them) · log: {outcome.log_path}")
    echo(closing_report(outcome))
    return outcome


def _ingest(runs: SideBySide, graph, years_by_plan: dict, defs, outcome: Outcome) -> set:
    """The ingestion run, merged into `outcome`; the asset keys that did not come out sound,
    the commentary's aside."""
    t = time.perf_counter()
    web_years = sorted({y for ys in years_by_plan.values() for y in ys})
    tags = tuple(range_tags(web_years).items())
    # One run: on two cores, its halves side by side (the web's DuckDB scans, the other
    # sources' reads and suites) took longer than one after the other, the GX worker importing.
    keys = tuple(sorted(ingest_selection().resolve(graph)))
    task = RunTask("ingestion", "ingest", INGEST_JOB, str(uuid.uuid4()), keys, tags)
    [(_task, part)] = runs.run([task])
    _merge(outcome, part)
    blocked = set(part["blocked"])
    landing = defs.resources["landing"]
    outcome.landing = load_reads(
        _value(landing.staging_path), Path(_value(landing.path)), task.run_id
    )
    outcome.blocked_sources = {s for s in SOURCES if {raw_key(s), staging_key(s)} & blocked}
    outcome.timings["ingest"] = time.perf_counter() - t
    # A refused commentary file is an ERROR of its own, but blocks no evaluation: they run and
    # keep the explanations already published (docs/contracts.md §4.7.11).
    return blocked - {raw_key(COMMENTARY), staging_key(COMMENTARY)}


def _plan_tasks(plans, graph, blocked: set, years_by_plan: dict, outcome: Outcome) -> list:
    """One run per plan of what is not downstream of a failure (the rest is named NOT RUN)."""
    tasks = []
    for plan in plans:
        group = dg.AssetSelection.groups(plan.slug)
        selection = group
        if blocked:
            selection = group - dg.AssetSelection.assets(*blocked).downstream()
            left_out = group.resolve(graph) - selection.resolve(graph)
            outcome.not_run += [
                f"{plan.id} {ind.id}"
                for ind in plan.indicators
                if result_key(plan, ind) in left_out
            ]
        keys = selection.resolve(graph)
        if not keys:
            outcome.timings[plan.id] = 0.0
            continue
        years = tuple(years_by_plan[plan.id])
        tags = tuple(range_tags(list(years)).items())
        tasks.append(
            RunTask(plan.id, plan.id, plan_job_name(plan), str(uuid.uuid4()), tuple(sorted(keys)),
                    tags, plan_years=years)
        )  # fmt: skip
    return tasks


def _merge(outcome: Outcome, part: dict) -> None:
    """Add what one run gave (`side_by_side.execute`) to the command's outcome."""
    outcome.ok = outcome.ok and part["ok"]
    outcome.failures += part["failures"]
    outcome.warnings += part["warnings"]
    outcome.run_ids += part["run_ids"]
    outcome.closing += part["closing"]
    for kind, seconds in part["split"].items():
        outcome.split[kind] += seconds


def closing_lines(
    plan_id: str, years: list[str], before: dict, after: dict, run_id: str
) -> list[str]:
    """What a plan's run did with closed years: closed some, or kept those already closed."""
    lines = []
    for fy in years:
        if fy in after and after[fy]["run_id"] == run_id:
            lines.append(f"CLOSED {plan_id} {fy}: results final, later runs keep them")
        elif fy in before:
            c = before[fy]
            lines.append(
                f"KEPT {plan_id} {fy}: closed on {c['closed_at']:%Y-%m-%d} (run {c['run_id']}), "
                "its results and evaluations were left as they are; plan-indicators reopen "
                f"--plan {plan_id} --fiscal-year {fy} to recompute it"
            )
    return lines


def _value(setting):
    """A resource field as configured: an `EnvVar` is read from the environment."""
    return setting.get_value() if isinstance(setting, dg.EnvVar) else setting


def closing_report(outcome: Outcome) -> str:
    """What `run` prints after the status table: the landing report (the same lines as
    `check-landing`), the other failures and warnings, the indicators not run, the counts per
    source, and a verdict that says OK only when nothing failed, was refused or quarantined."""
    landing = outcome.landing
    lines = landing.problems()
    # A refused file already has its ERROR line above; its blocking check adds nothing.
    lines += [
        f"ERROR {f}" for f in outcome.failures if f" check {FILE_CONTRACT_CHECK} failed " not in f
    ]
    lines += [f"WARN {w}" for w in outcome.warnings]
    lines += outcome.closing
    if outcome.not_run:
        lines.append(
            f"NOT RUN ({len(outcome.not_run)} indicators downstream of a failure; their "
            "published results are unchanged): " + ", ".join(outcome.not_run)
        )
    lines += ["", landing.counts_table(), landing.summary()]
    if not outcome.ok:
        lines.append("run FAILED: see the ERROR lines above")
    elif outcome.warnings or not landing.clean:
        lines.append("run finished with warnings: see the WARN lines above")
    else:
        lines.append("run OK")
    return "\n".join(lines)


def _years(plan, requested: tuple[str, ...]) -> list[str]:
    """Requested years plus the baseline and previous years their targets compare against."""
    years = plan.partition_years()
    if not requested:
        return years
    wanted = set(requested)
    for ind in plan.indicators:
        for fy in requested:
            target = ind.targets.get(fy)
            if target is not None and getattr(target, "baseline_year", None):
                wanted.add(target.baseline_year)
    from plan_indicators.fiscal import FiscalYear

    wanted |= {FiscalYear.parse(fy).previous.key for fy in requested}
    return sorted(wanted & set(years))


def status_table(engine, plan_ids: list[str], years_by_plan: dict[str, list[str]]) -> str:
    """Counts of each status per plan and fiscal year, as printed at the end of a run."""
    rows = wh.table_rows(engine, "indicator_evaluation")
    lines = []
    for plan_id in plan_ids:
        lines.append(f"\n{plan_id}")
        statuses = sorted({r["status_fr"] for r in rows if r["plan_id"] == plan_id})
        header = f"  {'année':10}" + "".join(f"{s[:22]:>24}" for s in statuses)
        lines.append(header)
        for fy in years_by_plan[plan_id]:
            counts = [
                sum(
                    1
                    for r in rows
                    if r["plan_id"] == plan_id and r["fiscal_year"] == fy and r["status_fr"] == s
                )
                for s in statuses
            ]
            if any(counts):
                lines.append(f"  {fy:10}" + "".join(f"{c:>24}" for c in counts))
        if not statuses:
            lines.append("  aucune évaluation publiée")
        lines += _refused_lines(rows, plan_id, years_by_plan[plan_id])
    return "\n".join(lines)


def _refused_lines(rows, plan_id: str, years: list[str]) -> list[str]:
    """The indicators evaluated `no_data` because the result suite refused their result, with
    the suite's reason (docs/contracts.md §2.8)."""
    from plan_indicators.statuses import NO_DATA, REFUSED_BY_SUITE_FR

    refused: dict[str, tuple[list[str], str]] = {}
    for r in sorted(rows, key=lambda r: (r["indicator_id"], r["fiscal_year"])):
        note = r["note"] or ""
        if (
            r["plan_id"] == plan_id
            and r["fiscal_year"] in years
            and r["status"] == NO_DATA
            and note.startswith(REFUSED_BY_SUITE_FR)
        ):
            refused.setdefault(r["indicator_id"], ([], note))[0].append(r["fiscal_year"])
    return [
        f"  {NO_DATA} {ind} ({', '.join(fys)}) : {note}" for ind, (fys, note) in refused.items()
    ]
