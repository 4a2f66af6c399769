"""`plan-indicators`: run the pipeline through Dagster, generate sample data, check a landing zone,
list the measures, validate a plan, draft a plan catalog from its text, render the report, run
the demo."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ENV = {
    "landing": "PLAN_INDICATORS_LANDING_DIR",
    "warehouse": "PLAN_INDICATORS_WAREHOUSE_URL",
    "plans": "PLAN_INDICATORS_PLANS_DIR",
    "key": "PLAN_INDICATORS_PSEUDONYM_KEY",
}


def _opt(value: str | None, env: str) -> str | None:
    return value or os.environ.get(env) or None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="plan-indicators", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="materialise every asset through Dagster")
    _run_options(run)
    run.add_argument("--fiscal-year", action="append", default=[], dest="fiscal_years")
    run.add_argument("--plan", action="append", default=[], dest="plans_selected")
    run.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="plans run at the same time, each in a process of its own (default: the number "
        "of cores; 1 runs them one after the other)",
    )
    run.add_argument(
        "--final",
        action="append",
        default=[],
        dest="final_years",
        help="close this fiscal year: its results become final (the closing run)",
    )

    close = sub.add_parser(
        "close",
        help="the closing run of a plan's fiscal year: compute its results as final and record "
        "the closing; later runs keep them",
    )
    _run_options(close)
    close.add_argument("--plan", required=True, dest="plan_id")
    close.add_argument("--fiscal-year", required=True)

    reopen = sub.add_parser(
        "reopen",
        help="reopen a closed fiscal year of a plan: its results become provisional and the "
        "next run recomputes them",
    )
    reopen.add_argument("--warehouse", help=f"SQLAlchemy URL (env {ENV['warehouse']})")
    reopen.add_argument("--plan", required=True, dest="plan_id")
    reopen.add_argument("--fiscal-year", required=True)
    reopen.add_argument("--reason", help="why it is reopened (kept with the closing)")

    sd = sub.add_parser("sample-data", help="generate a realistic landing zone")
    sd.add_argument("--out", required=True)
    sd.add_argument("--seed", type=int, default=42)
    sd.add_argument("--scale", type=float, default=1.0)

    rep = sub.add_parser("report", help="render the annual results report (HTML)")
    _results_options(rep)

    exp = sub.add_parser("export", help="write the results table as XLSX, DOCX, CSV or JSON")
    _results_options(exp)
    exp.add_argument(
        "--format",
        dest="fmt",
        help="xlsx, docx, csv, json, or any format module of plan_indicators/report/formats "
        "(default: from the --out suffix)",
    )

    chk = sub.add_parser("check-landing", help="validate a landing zone; writes nothing")
    chk.add_argument("dir")

    ms = sub.add_parser(
        "measures",
        help="the measures a catalog can name: what each counts, its sources, units, parameters",
    )
    ms.add_argument("names", nargs="*", help="only these measures")
    ms.add_argument("--unit", help="only the measures whose value fits this catalog unit")

    vp = sub.add_parser("validate-plan", help="validate plan catalog files")
    vp.add_argument("files", nargs="+")
    vp.add_argument(
        "--landing",
        help="also report, from this landing zone, the sources a measure needs that are absent, "
        "indicators without register or survey rows, filters that select no row, and explanations "
        "(result_commentary) no evaluation would carry",
    )
    vp.add_argument("--as-of", help="date deciding which years have begun (default today)")
    vp.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when --landing prints any warning (for a CI or a pre-run check: a missing "
        "source or row then fails instead of publishing « Donnée non disponible »)",
    )

    dp = sub.add_parser("draft-plan", help="draft a plan catalog from a strategic plan's text")
    dp.add_argument("text", help="the plan's text (tableau synoptique or Indicateur/Cible layout)")
    dp.add_argument("--out", required=True, help="the catalog draft to write (YAML)")
    dp.add_argument("--period", help="the plan's years when the text gives none, e.g. 2019-2023")
    dp.add_argument("--force", action="store_true", help="overwrite --out if it exists")

    rt = sub.add_parser(
        "register-template",
        help="write a workbook for a plan's register-based indicators, read back as "
        "activity_register",
    )
    rt.add_argument("--plan", required=True, dest="plan_id")
    rt.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
    rt.add_argument("--plans", help=f"catalog folder (env {ENV['plans']})")

    demo = sub.add_parser("demo", help="sample data, full run and report in one folder")
    demo.add_argument("--dir", default="var")
    demo.add_argument("--as-of", default="2026-11-01")

    bench = sub.add_parser(
        "bench",
        help="pipeline vs bare DuckDB on GA4-shaped events (--events), or the whole run vs the "
        "library called without Dagster (--end-to-end)",
    )
    bench.add_argument("--events", type=int, action="append", default=[])
    bench.add_argument("--out")
    bench.add_argument("--data-dir", default="bench/data")
    bench.add_argument(
        "--end-to-end",
        action="store_true",
        help="time `run` against the measure library and warehouse writes called directly",
    )
    bench.add_argument(
        "--plan-copies",
        type=int,
        action="append",
        default=[],
        help="with --end-to-end: copies of the seed plans, under distinct ids (repeatable; 1)",
    )
    bench.add_argument("--rounds", type=int, default=1, help="with --end-to-end: rounds per side")
    bench.add_argument(
        "--sample-scale",
        type=float,
        default=1.0,
        help="with --end-to-end: scale of the generated landing zone",
    )
    return p


def _run_options(p: argparse.ArgumentParser) -> None:
    """What `run` and `close` share: where to read and write, and the as-of date."""
    p.add_argument("--landing", help=f"landing folder (env {ENV['landing']})")
    p.add_argument("--warehouse", help=f"SQLAlchemy URL (env {ENV['warehouse']})")
    p.add_argument("--plans", help=f"catalog folder (env {ENV['plans']})")
    p.add_argument("--staging", help="staged Parquet folder (default var/staging)")
    p.add_argument("--as-of", help="date deciding whether a year or deadline is over")
    p.add_argument("--report", help="where to write the HTML report")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="stream Dagster's event log to the terminal (it always goes to a file)",
    )


def _results_options(p: argparse.ArgumentParser) -> None:
    """What the report and the exports share: where to read, what to write, which year."""
    p.add_argument("--warehouse", help=f"SQLAlchemy URL (env {ENV['warehouse']})")
    p.add_argument("--out", required=True)
    p.add_argument("--plan", action="append", default=[], dest="plans_selected")
    p.add_argument(
        "--fiscal-year",
        help="reporting year: results up to it, later years show their target "
        "(default: the last fiscal year ended at the as-of date)",
    )
    p.add_argument("--as-of", help="date deciding which years have begun or ended (default today)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "run": cmd_run,
        "close": cmd_close,
        "reopen": cmd_reopen,
        "sample-data": cmd_sample_data,
        "report": cmd_report,
        "export": cmd_export,
        "check-landing": cmd_check_landing,
        "register-template": cmd_register_template,
        "measures": cmd_measures,
        "validate-plan": cmd_validate_plan,
        "draft-plan": cmd_draft_plan,
        "demo": cmd_demo,
        "bench": cmd_bench,
    }[args.command]
    if args.command not in RUNS_SUITES:
        return handler(args)
    from expectations import worker

    worker.start()  # GX imports on the other core while Dagster loads (expectations/worker.py)
    try:
        return handler(args)
    finally:
        worker.stop()


RUNS_SUITES = {"run", "close", "demo"}
"""Commands that run the whole pipeline, so every Great Expectations suite: GX in a worker."""


def cmd_run(args) -> int:
    from orchestration.runner import RunOptions, run_pipeline

    options = RunOptions(
        landing=_opt(args.landing, ENV["landing"]),
        warehouse=_opt(args.warehouse, ENV["warehouse"]),
        plans_dir=_opt(args.plans, ENV["plans"]),
        staging=args.staging,
        fiscal_years=tuple(args.fiscal_years),
        plans=tuple(args.plans_selected),
        as_of=args.as_of,
        final_years=tuple(args.final_years),
        report=args.report,
        progress=not args.verbose,
        verbose=args.verbose,
        jobs=args.jobs,
    )
    outcome = run_pipeline(options, echo=print)
    return 0 if outcome.ok else 1


def cmd_close(args) -> int:
    """The closing run of one plan's year (docs/contracts.md §6.1)."""
    import datetime as dt

    from orchestration.runner import RunOptions, run_pipeline
    from plan_indicators import warehouse as wh
    from plan_indicators.closing import closed_years
    from plan_indicators.fiscal import FiscalYear
    from resources.settings import default_warehouse_url

    try:
        fy = FiscalYear.parse(args.fiscal_year)
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except ValueError as exc:
        print(f"close: {exc}", file=sys.stderr)
        return 2
    if not fy.is_over(as_of):
        print(f"close: {fy} is not over at {as_of}: a fiscal year closes once ended",
              file=sys.stderr)  # fmt: skip
        return 2
    url = _opt(args.warehouse, ENV["warehouse"]) or default_warehouse_url()
    engine = wh.engine_for(url)
    done = closed_years(engine, args.plan_id).get(fy.key)
    if done is not None:
        print(f"close: {args.plan_id} {fy} is already closed (on {done['closed_at']:%Y-%m-%d}, "
              f"run {done['run_id']}); reopen it first to close it again")  # fmt: skip
        return 0
    options = RunOptions(
        landing=_opt(args.landing, ENV["landing"]),
        warehouse=url,
        plans_dir=_opt(args.plans, ENV["plans"]),
        staging=args.staging,
        fiscal_years=(fy.key,),
        plans=(args.plan_id,),
        as_of=as_of.isoformat(),
        final_years=(fy.key,),
        report=args.report,
        progress=not args.verbose,
        verbose=args.verbose,
    )
    outcome = run_pipeline(options, echo=print)
    closed = closed_years(engine, args.plan_id).get(fy.key)
    if closed is None:
        print(f"close: {args.plan_id} {fy} was NOT closed: see the ERROR lines above",
              file=sys.stderr)  # fmt: skip
        return 1
    print(f"close: {args.plan_id} {fy} closed by run {closed['run_id']}: "
          f"{closed['results_closed']} final results")  # fmt: skip
    return 0 if outcome.ok else 1


def cmd_reopen(args) -> int:
    from plan_indicators import warehouse as wh
    from plan_indicators.closing import reopen
    from plan_indicators.fiscal import FiscalYear
    from resources.settings import default_warehouse_url

    try:
        fy = FiscalYear.parse(args.fiscal_year).key
        url = _opt(args.warehouse, ENV["warehouse"]) or default_warehouse_url()
        done = reopen(wh.engine_for(url), args.plan_id, fy, args.reason)
    except ValueError as exc:
        print(f"reopen: {exc}", file=sys.stderr)
        return 2
    print(f"reopen: {args.plan_id} {fy} reopened (closing {done['closing']} of "
          f"{done['closed_at']:%Y-%m-%d} kept); {done['results']} results provisional again, "
          "recomputed by the next run")  # fmt: skip
    return 0


def cmd_sample_data(args) -> int:
    from plan_indicators.sampledata import generate

    started = time.perf_counter()
    counts = generate(Path(args.out), seed=args.seed, scale=args.scale)
    for source, n in sorted(counts.items()):
        print(f"{source:24} {n:>10}")
    print(f"sample landing zone written to {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _write_results(args, fmt: str) -> int:
    import datetime as dt

    from plan_indicators import warehouse as wh
    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.report import write_report

    url = _opt(args.warehouse, ENV["warehouse"])
    if not url:
        print(f"{args.command}: give --warehouse URL or set {ENV['warehouse']}", file=sys.stderr)
        return 2
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
        if args.fiscal_year:
            FiscalYear.parse(args.fiscal_year)
        out = write_report(
            wh.engine_for(url),
            Path(args.out),
            plan_ids=args.plans_selected or None,
            as_of=as_of,
            fiscal_year=args.fiscal_year,
            fmt=fmt,
        )
    except ValueError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 2
    print(f"{args.command} written to {out}")
    return 0


def cmd_report(args) -> int:
    return _write_results(args, "html")


def cmd_export(args) -> int:
    from plan_indicators.report import renderers

    known = renderers()
    by_suffix = {r.suffix: name for name, r in known.items()}
    fmt = args.fmt or by_suffix.get(Path(args.out).suffix.lower())
    if fmt not in known:
        print(f"export: give --format, one of {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    return _write_results(args, fmt)


def cmd_check_landing(args) -> int:
    from plan_indicators.sources.landing import check_landing

    report = check_landing(Path(args.dir))
    for line in report.problems():
        print(line)
    print()
    print(report.counts_table())
    print(report.summary())
    return 0 if report.ok else 1


def cmd_measures(args) -> int:
    from plan_indicators.measure_reference import text
    from plan_indicators.measures import registry

    unknown = sorted(set(args.names) - set(registry()))
    if unknown:
        known = ", ".join(sorted(registry()))
        print(f"measures: unknown {', '.join(unknown)}; known: {known}", file=sys.stderr)
        return 2
    out = text(args.names or None, args.unit)
    if not out:
        print(f"measures: no measure fits unit {args.unit!r}", file=sys.stderr)
        return 1
    print(out, end="")
    return 0


def cmd_register_template(args) -> int:
    from plan_indicators.catalog import CatalogError, load_catalog
    from plan_indicators.register_template import write_register_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"register-template: {out} must end in .xlsx", file=sys.stderr)
        return 2
    try:
        plans = {p.id: p for p in load_catalog(_opt(args.plans, ENV["plans"]))}
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.plan_id not in plans:
        print(
            f"register-template: unknown plan {args.plan_id!r} (plans: {', '.join(sorted(plans))})",
            file=sys.stderr,
        )
        return 2
    try:
        n = write_register_template(plans[args.plan_id], out)
    except ValueError as exc:
        print(f"register-template: {exc}", file=sys.stderr)
        return 1
    print(f"{out}: {n} register-based indicators of {args.plan_id}; fill sheet 'Saisie', then "
          "drop the workbook in <landing>/activity_register/")  # fmt: skip
    return 0


def cmd_validate_plan(args) -> int:
    from orchestration.validation import check_plan, check_together
    from plan_indicators.catalog import CatalogError

    if args.landing and not Path(args.landing).is_dir():
        print(f"validate-plan: landing zone {args.landing} is not a folder", file=sys.stderr)
        return 2
    if args.strict and not args.landing:
        print("validate-plan: --strict applies to the --landing warnings; give --landing DIR",
              file=sys.stderr)  # fmt: skip
        return 2
    status, valid = 0, []
    for f in args.files:
        if not Path(f).is_file():
            print(f"{f}: no such file", file=sys.stderr)
            status = 1
            continue
        try:
            plan = check_plan(f)
            valid.append((f, plan))
            left = f"; {len(plan.open_questions)} open questions" if plan.open_questions else ""
            print(f"{f}: OK ({plan.id}, {len(plan.indicators)} indicators{left})")
            if args.landing and _print_landing_findings(f, plan, args) and args.strict:
                status = 1
        except CatalogError as exc:
            print(exc, file=sys.stderr)
            status = 1
    if args.landing and valid and _print_unknown_plans([p for _, p in valid], args):
        status = 1 if args.strict else status
    try:
        check_together([f for f, _ in valid], [p for _, p in valid])
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        status = 1
    return status


def _print_unknown_plans(plans, args) -> int:
    """Explanations of the zone whose plan_id none of the validated plans has, once for the
    zone; returns how many were printed."""
    from plan_indicators.plan_landing import unknown_plan_findings

    findings = unknown_plan_findings(plans, args.landing)
    for finding in findings:
        print(finding.line(args.landing))
    if findings:
        verdict = f"{len(findings)} warning(s): explanations of no plan validated here"
        if args.strict:
            verdict += "; --strict: refused"
        print(f"{args.landing}: {verdict}")
    return len(findings)


def _print_landing_findings(file: str, plan, args) -> int:
    """What the run would publish as `no_data` for lack of data: warnings, not refusals (unless
    `--strict`); returns how many were printed."""
    import datetime as dt

    from plan_indicators.plan_landing import landing_findings

    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    findings = landing_findings(plan, args.landing, as_of)
    for finding in findings:
        print(finding.line(file))
    verdict = (
        "every source and row it needs is there"
        if not findings
        else (f"{len(findings)} warning(s): those indicators would be « Donnée non disponible »")
    )
    if findings and args.strict:
        verdict += "; --strict: refused"
    print(f"{file}: landing zone {args.landing}: {verdict}")
    return len(findings)


def cmd_draft_plan(args) -> int:
    from plan_indicators.drafting import DraftError, draft_plan, render

    source, out = Path(args.text), Path(args.out)
    if out.exists() and not args.force:
        print(f"draft-plan: {out} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    try:
        raw = source.read_bytes()
    except OSError as exc:
        print(f"draft-plan: cannot read {source}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        draft = draft_plan(text, source=source.name, period=args.period)
    except DraftError as exc:
        print(f"draft-plan: {source}: {exc}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(draft), encoding="utf-8")
    print(
        f"draft written to {out}: plan {draft.plan['id']} ({draft.layout}), "
        f"{len(draft.indicators)} indicators, {draft.target_count} targets; "
        f"{len(draft.measures_to_choose)} measures to choose, "
        f"{len(draft.open_questions)} open questions"
    )
    print(f"next: read its open_questions, choose the measures, then validate-plan {out}")
    return 0


def cmd_demo(args) -> int:
    """Everything on generated data, into the embedded warehouse under one folder."""
    from orchestration.runner import RunOptions, run_pipeline
    from plan_indicators.sampledata import generate

    root = Path(args.dir).resolve()
    key_file = root / "pseudonym.key"
    root.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    os.environ.setdefault(ENV["key"], key_file.read_text().strip())
    print(f"pseudonymisation key: generated locally in {key_file} (set {ENV['key']} in production)")
    plans = demo_plans(root / "plans")
    print(f"plan catalogs: {plans} (data/plans/ and the example of data/examples/)")
    generate(root / "landing", seed=42, scale=1.0, plans_dir=plans)
    print(f"sample landing zone: {root / 'landing'}")
    outcome = run_pipeline(
        RunOptions(
            landing=str(root / "landing"),
            plans_dir=str(plans),
            warehouse=f"sqlite:///{root / 'warehouse.sqlite'}",
            staging=str(root / "staging"),
            as_of=args.as_of,
            final_years=_ended_years(args.as_of, plans),
            report=str(root / "reports" / "rapport-annuel.html"),
            dagster_home=str(root / "dagster_home"),
            progress=True,
            jobs=os.cpu_count() or 1,
        ),
        echo=print,
    )
    running = _running_year_report(root, args.as_of)
    print()
    print(f"warehouse: sqlite:///{root / 'warehouse.sqlite'}")
    print(f"report:    {root / 'reports' / 'rapport-annuel.html'}")
    print(f"running:   {running}  (year in progress, with projections)")
    print(f"runs:      Dagster instance {os.environ.get('DAGSTER_HOME') or root / 'dagster_home'}")
    print("UI:        make dev   (then open http://127.0.0.1:3000)")
    return 0 if outcome.ok else 1


EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "examples"
"""Example catalogs the demo runs beside the seed plans (a cumulative target, amounts in
dollars, a turnover rate), kept out of data/plans/ so deployments and tests never load them."""


def demo_plans(folder: Path) -> Path:
    """The demo's catalog folder: the plans of data/plans/ and the examples, copied afresh."""
    import shutil

    from plan_indicators.catalog import default_plans_dir

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    for source in (default_plans_dir(), EXAMPLES_DIR):
        for f in sorted(source.glob("*.yaml")):
            shutil.copy(f, folder / f.name)
    return folder


def _ended_years(as_of: str | None, plans_dir: Path) -> tuple[str, ...]:
    """The catalog's fiscal years ended at `as_of`: the demo closes them, as the yearly closing
    would have done each 15 May."""
    import datetime as dt

    from plan_indicators.catalog import load_catalog
    from plan_indicators.fiscal import FiscalYear

    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    years = {fy for plan in load_catalog(plans_dir) for fy in plan.partition_years()}
    return tuple(sorted(fy for fy in years if FiscalYear.parse(fy).is_over(day)))


def _running_year_report(root: Path, as_of: str | None) -> Path:
    """The demo's second report: the fiscal year in progress, partial results and projections."""
    import datetime as dt

    from plan_indicators import warehouse as wh
    from plan_indicators.fiscal import FiscalYear
    from plan_indicators.report import write_report

    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    engine = wh.engine_for(f"sqlite:///{root / 'warehouse.sqlite'}")
    out = root / "reports" / "rapport-annee-en-cours.html"
    return write_report(engine, out, as_of=day, fiscal_year=FiscalYear.of(day).key)


def cmd_bench(args) -> int:
    if args.end_to_end:
        from bench.end_to_end import run_end_to_end

        return run_end_to_end(
            args.plan_copies or [1], out=args.out, rounds=args.rounds, scale=args.sample_scale
        )
    if not args.events:
        print("bench: give --events N (repeatable) or --end-to-end", file=sys.stderr)
        return 2
    from bench.distinct_users import run_bench

    return run_bench(args.events, out=args.out, data_dir=Path(args.data_dir))


def entry(argv: list[str] | None = None) -> None:
    """The `plan-indicators` program: `main`, its exit functions, then the process ends without
    tearing down every module and object one by one, which took 1.2 s after a `run` (what a
    program that leaves nothing open has no use for). A thread still running gets the usual
    exit, which waits for it."""
    import atexit
    import contextlib
    import threading

    code = main(argv)
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()[1:]):
        sys.exit(code)
    atexit._run_exitfuncs()  # what `sys.exit` would run: logging's flush, finalizers
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader gone (`| head`): nothing left to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
