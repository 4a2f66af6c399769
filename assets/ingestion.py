"""Raw and staging assets, one pair per landing-zone source (docs/contracts.md §4).

`raw/<source>` reads every file of the source's folder, types it by contract, pseudonymises
personal columns and quarantines bad rows; a file-level fault publishes nothing and fails the
blocking `file_contract` check; entries of the folder that are not read are named in its
metadata and log. `staging/<source>` enforces the contract's declared references (unknown
values quarantined, counted in the `references_known` warning check) and writes the staged
Parquet that measures read.

Each step records how it ended (`plan_indicators.source_state`): a raw read that fails or
refuses a file, and a staging whose raw input failed, leave a `failed` state that keeps later
runs from reading stale or missing staged data.
"""

import dataclasses
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.checks import hand_over_staging_suite
from assets.coverage import coverage_spec, publish_coverage
from assets.keys import EAGER, INGESTION_GROUP, raw_key, staging_key
from assets.raw_suites import hand_over_raw_suite
from assets.step_order import RAW_FIRST, STAGED_NEXT, WEB_RAW, WEB_STAGING
from plan_indicators import source_state
from plan_indicators import warehouse as wh
from plan_indicators.coverage import frame_counts
from plan_indicators.sources.contracts import CONTRACTS, SOURCES
from plan_indicators.sources.landing import location, reconciliation_faults, save_read, save_staged
from plan_indicators.sources.pseudonym import KEY_ENV
from plan_indicators.staging import (
    WEB,
    ParquetStagedData,
    read_manifest,
    web_cache_dir,
    write_manifest,
)
from resources import LandingZone, RunSettings, Warehouse

FILE_CONTRACT_CHECK = "file_contract"
RECONCILIATION_CHECK = "rows_reconciled"
REFERENCES_CHECK = "references_known"


def _md_table(rows: list[dict], limit: int = 20) -> str:
    if not rows:
        return "_none_"
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows[:limit]:
        lines.append("| " + " | ".join(str(r[c]).replace("|", "\\|") for c in cols) + " |")
    if len(rows) > limit:
        lines.append(f"\n_{len(rows) - limit} more_")
    return "\n".join(lines)


@contextmanager
def tracked(landing: LandingZone, layer: str, source: str, run_id: str):
    """Record the step as reading, then ok; failed with the cause if it raises or if the body
    sets `outcome["cause"]` (a file refused)."""
    root = landing.staging_path
    source_state.record(root, layer, source, source_state.READING, run_id)
    outcome: dict[str, str | None] = {"cause": None}
    try:
        yield outcome
    except BaseException as exc:
        cause = getattr(exc, "description", None) or f"{type(exc).__name__}: {exc}"
        source_state.record(root, layer, source, source_state.FAILED, run_id, cause.strip())
        raise
    state = source_state.FAILED if outcome["cause"] else source_state.OK
    source_state.record(root, layer, source, state, run_id, outcome["cause"])


def refuse_if_blocked(landing: LandingZone, sources, layers=(source_state.RAW,)) -> None:
    """Fail the step, before it writes anything, when an input's last step did not end ok."""
    reason = source_state.why_blocked(landing.staging_path, landing.path, sources, layers)
    if reason:
        raise dg.Failure(description=reason)


def require_key(landing: LandingZone, source: str) -> None:
    """A source with a personal column is not read without the pseudonymisation key."""
    if any(c.personal for c in CONTRACTS[source].columns) and not landing.key_bytes():
        raise dg.Failure(
            description=f"{KEY_ENV} is not set: {source} has a personal column and is not read "
            "without the pseudonymisation key; set it and run again (nothing was written)"
        )


def _file_errors_cause(errors: list[dict]) -> str:
    first = "; ".join(
        f"{e['file']}:{e['line'] or '-'}:{e['column'] or '-'}: {e['rule']}" for e in errors[:3]
    )
    more = f" (+{len(errors) - 3})" if len(errors) > 3 else ""
    return f"file(s) refused: {first}{more}"


def _schema(df: pd.DataFrame) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(name=str(c), type=str(t)) for c, t in df.dtypes.items()]
    )


def _raw_asset(source: str, suite_parameters: tuple[tuple[str, str], ...]) -> dg.AssetsDefinition:
    contract = CONTRACTS[source]
    parameters = dict(suite_parameters)

    @dg.asset(
        key=raw_key(source),
        group_name=INGESTION_GROUP,
        kinds={"csv", "pandas"},
        tags={"layer": "raw", "source": source},
        description=(
            f"Every file in the landing folder `{source}/`: one row per {contract.row}. "
            "Typed by contract; bad rows go to the `quarantine` table with file, line and reason."
        ),
        metadata={"landing_folder": source, "required_columns": ", ".join(contract.required)},
        op_tags=RAW_FIRST,
        check_specs=[
            dg.AssetCheckSpec(
                FILE_CONTRACT_CHECK,
                asset=raw_key(source),
                blocking=True,
                description="Every file is readable and has the required columns.",
            ),
            dg.AssetCheckSpec(
                RECONCILIATION_CHECK,
                asset=raw_key(source),
                blocking=True,
                description="Rows read = rows staged + rows quarantined, per file, and every "
                "physical line of the file is a header, blank, row or free-text line break.",
            ),
        ],
    )
    def _raw(context: dg.AssetExecutionContext, landing: LandingZone, warehouse: Warehouse):
        with tracked(landing, source_state.RAW, source, context.run_id) as outcome:
            yield from _read_raw(context, landing, warehouse, outcome)

    def _read_raw(context, landing: LandingZone, warehouse: Warehouse, outcome: dict):
        from expectations.incremental import carried
        from plan_indicators.sources.readers import read_source

        require_key(landing, source)
        read = read_source(Path(landing.path), source, pseudonym_key=landing.key_bytes())
        save_read(
            landing.staging_path,
            source,
            context.run_id,
            files=read.files,
            errors=read.errors,
            quarantine=read.quarantine,
            ignored=read.ignored,
        )
        store = ParquetStagedData(Path(landing.staging_path) / "raw")
        files = [dataclasses.asdict(f) for f in read.files]
        errors = [dataclasses.asdict(e) for e in read.errors]
        frame = read.frame
        reconciled = _reconcile(read)
        if not errors:
            store.write(source, frame)
            wh.replace_rows(
                warehouse.engine(),
                wh.quarantine,
                {"source": source},
                wh.quarantine_rows(
                    read.quarantine, context.run_id, {f.file: f.checksum for f in read.files}
                ),
            )
            previous = (read_manifest(landing.staging_path, source) or {}).get("validation")
            # The suite's check writes the new cache; until then, the results still valid.
            manifest = {"source": source, "files": files, "validation": carried(previous, files)}
            write_manifest(landing.staging_path, source, manifest)
            hand_over_raw_suite(context, source, frame, files, parameters, previous)
        else:
            outcome["cause"] = _file_errors_cause(errors)
        for e in errors:
            context.log.error(
                f"{location(e['file'], e['sheet'])}:{e['line'] or '-'}:{e['column'] or '-'}: "
                f"{e['rule']}: {e['message']}"
            )
        ignored = [dataclasses.asdict(e) for e in read.ignored]
        for e in ignored:
            context.log.warning(f"{e['file']}: {e['rule']}: {e['message']}")
        rows_read = sum(f["rows_read"] for f in files)
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(frame),
                "dagster/column_schema": _schema(frame),
                "rows_read": rows_read,
                "rows_quarantined": len(read.quarantine),
                "files": dg.MetadataValue.md(
                    _md_table(
                        [
                            {
                                k: f[k]
                                for k in (
                                    "file",
                                    "rows_read",
                                    "rows_staged",
                                    "rows_quarantined",
                                    "encoding",
                                    "separator",
                                    "sheet",
                                    "lines",
                                )
                            }
                            for f in files
                        ]
                    )
                ),
                "file_errors": len(errors),
                "file_notes": dg.MetadataValue.md(
                    _md_table([{"file": f["file"], "note": n} for f in files for n in f["notes"]])
                ),
                "entries_not_read": len(ignored),
                "entries_not_read_list": dg.MetadataValue.md(_md_table(ignored)),
                "published": not errors,
            }
        )
        yield dg.AssetCheckResult(
            check_name=FILE_CONTRACT_CHECK,
            passed=not errors,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "errors": dg.MetadataValue.md(_md_table(errors)),
                "files_checked": len(files),
            },
            description="; ".join(
                f"{location(e['file'], e['sheet'])} line {e['line'] or '-'} "
                f"column {e['column'] or '-'}: {e['message']}"
                for e in errors[:5]
            )
            or None,
        )
        yield dg.AssetCheckResult(
            check_name=RECONCILIATION_CHECK,
            passed=not reconciled,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"mismatches": dg.MetadataValue.md(_md_table(reconciled))},
        )

    return _raw


def _reconcile(read) -> list[dict]:
    """Files whose rows read differ from rows staged plus rows quarantined (per the frame too),
    or whose physical lines are not all a header, blank, row or free-text line break."""
    by_file = read.frame["_file"].value_counts().to_dict() if len(read.frame) else {}
    q_by_file: dict[str, int] = {}
    for q in read.quarantine:
        q_by_file[q.file] = q_by_file.get(q.file, 0) + 1
    bad = []
    for f in read.files:
        staged, quarantined = by_file.get(f.file, 0), q_by_file.get(f.file, 0)
        if f.rows_read != staged + quarantined:
            bad.append(
                {
                    "file": f.file,
                    "read": f.rows_read,
                    "staged": staged,
                    "quarantined": quarantined,
                    "why": "rows",
                }
            )
    bad += [
        {"file": e.file, "read": None, "staged": None, "quarantined": None, "why": e.message}
        for e in reconciliation_faults(read.files)
        if e.file not in {b["file"] for b in bad}
    ]
    return bad


def _checksums(landing: LandingZone, source: str) -> dict[str, str]:
    """file -> SHA-256 of the files the last raw read published (its manifest)."""
    manifest = read_manifest(landing.staging_path, source) or {}
    return {f["file"]: f["checksum"] for f in manifest.get("files", []) if f.get("checksum")}


def _staging_asset(
    source: str, suite_parameters: tuple[tuple[str, str], ...]
) -> dg.AssetsDefinition:
    contract = CONTRACTS[source]
    parameters = dict(suite_parameters)
    refs = contract.references
    parents = sorted({ref.source for ref in refs.values()})
    described = " ".join(
        f"Rows whose `{col}` is unknown in `{ref.source}.{ref.column}` are quarantined "
        f"(`{ref.rule}`)."
        for col, ref in refs.items()
    )
    specs = (
        [
            dg.AssetCheckSpec(
                REFERENCES_CHECK,
                asset=staging_key(source),
                blocking=False,
                description="Every declared reference is known; unknown rows are quarantined "
                "and counted (a warning).",
            )
        ]
        if refs
        else []
    ) + coverage_spec(source, staging_key(source))

    @dg.asset(
        key=staging_key(source),
        deps=[raw_key(source)] + [raw_key(p) for p in parents],
        group_name=INGESTION_GROUP,
        kinds={"parquet", "pandas"},
        tags={"layer": "staging", "source": source},
        description=(
            f"Staged `{source}`: typed rows ready for the measures, each with its source file and "
            "line." + (f" {described}" if described else "")
        ),
        automation_condition=EAGER,
        check_specs=specs,
        op_tags=STAGED_NEXT,
    )
    def _staging(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: Warehouse,
        settings: RunSettings,
    ):
        with tracked(landing, source_state.STAGING, source, context.run_id):
            refuse_if_blocked(landing, [source])
            yield from _stage(context, landing, warehouse)
            if contract.coverage:
                counts = frame_counts(
                    ParquetStagedData(landing.staging_path).frame(source),
                    contract.date_column,
                    contract.coverage,
                )
                yield publish_coverage(
                    context, warehouse.engine(), source, counts, settings.as_of_date()
                )

    def _stage(context, landing: LandingZone, warehouse: Warehouse):
        from plan_indicators.sources.references import enforce_references

        raw = ParquetStagedData(Path(landing.staging_path) / "raw")
        frame = raw.frame(source)
        if frame is None:
            frame = pd.DataFrame(columns=[c.name for c in contract.columns] + ["_file", "_line"])
        frame, rejected, counts = enforce_references(
            source, frame, {p: raw.frame(p) for p in parents}
        )
        if refs:
            save_staged(landing.staging_path, source, context.run_id, rejected)
            engine = warehouse.engine()
            with engine.begin() as conn:
                t = wh.quarantine
                rules = [ref.rule for ref in refs.values()]
                conn.execute(t.delete().where(t.c.source == source, t.c.rule.in_(rules)))
                if rejected:
                    conn.execute(
                        t.insert(),
                        wh.quarantine_rows(rejected, context.run_id, _checksums(landing, source)),
                    )
        for c in counts:
            if c.unknown:
                context.log.warning(
                    f"{source}.{c.column}: {c.unknown} of {c.checked} values unknown in "
                    f"{c.references} ({c.rule}), quarantined"
                )
        ParquetStagedData(landing.staging_path).write(source, frame)
        hand_over_staging_suite(context, landing.staging_path, source, parameters)
        table = [dataclasses.asdict(c) for c in counts]
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(frame),
                "dagster/column_schema": _schema(frame),
                "rows_quarantined_here": len(rejected),
                **({"references": dg.MetadataValue.md(_md_table(table))} if refs else {}),
                "preview": dg.MetadataValue.md(_md_table(frame.head(5).to_dict("records"))),
            }
        )
        if refs:
            unknown = sum(c.unknown for c in counts)
            yield dg.AssetCheckResult(
                check_name=REFERENCES_CHECK,
                passed=not unknown,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "rows_unknown_reference": unknown,
                    "references": dg.MetadataValue.md(_md_table(table)),
                    "first_rows": dg.MetadataValue.json(
                        [f"{q.file}:{q.line}" for q in rejected[:10]]
                    ),
                },
                description="; ".join(
                    f"{c.unknown} {c.column} inconnu(s) dans {c.references}"
                    for c in counts
                    if c.unknown
                )
                or None,
            )

    return _staging


def _web_inventory(landing: LandingZone):
    """The files as the last raw read left them; only new or changed files are inspected."""
    from plan_indicators.sources.web import inventory_web_files

    previous = read_manifest(landing.staging_path, WEB) or {}
    return inventory_web_files(
        Path(landing.path),
        cached=previous.get("files"),
        cache_dir=web_cache_dir(landing.staging_path),
    )


def _web_raw_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(WEB),
        group_name=INGESTION_GROUP,
        kinds={"parquet", "duckdb"},
        tags={"layer": "raw", "source": WEB},
        description=(
            "GA4 events, the BigQuery export as it comes (nested `event_params`, Parquet or "
            "newline-delimited JSON, daily and intraday tables) or flattened (Parquet or CSV): "
            "an inventory of the files (shape, columns, events per fiscal year, days that are "
            "not days, intraday tables a daily one or a later snapshot supersedes) from Parquet "
            "footers where they "
            "settle it, without loading the events. Files unchanged since the last read (same "
            "size and modification time) are not read again."
        ),
        check_specs=[dg.AssetCheckSpec(FILE_CONTRACT_CHECK, asset=raw_key(WEB), blocking=True)],
        op_tags=WEB_RAW,
    )
    def _raw_web(context: dg.AssetExecutionContext, landing: LandingZone):
        with tracked(landing, source_state.RAW, WEB, context.run_id) as outcome:
            yield from _inventory_web(context, landing, outcome)

    def _inventory_web(context, landing: LandingZone, outcome: dict):
        from plan_indicators.sources.web import web_file_reports

        inventory = _web_inventory(landing)
        save_read(
            landing.staging_path,
            WEB,
            context.run_id,
            files=web_file_reports(Path(landing.path), inventory, checksums=False),
            errors=inventory.errors,
            quarantine=[],
            ignored=inventory.ignored,
        )
        errors = [dataclasses.asdict(e) for e in inventory.errors]
        if not errors:
            write_manifest(
                landing.staging_path,
                WEB,
                {"source": WEB, "files": inventory.records()},
            )
        else:
            outcome["cause"] = _file_errors_cause(errors)
        ignored = [dataclasses.asdict(e) for e in inventory.ignored]
        for e in ignored:
            context.log.warning(f"{e['file']}: {e['rule']}: {e['message']}")
        for e in errors:
            context.log.error(
                f"{e['file']}:{e['line'] or '-'}:{e['column'] or '-'}: {e['rule']}: {e['message']}"
            )
        per_year = {fy: inventory.events(fy) for fy in inventory.fiscal_years}
        last_day = inventory.last_day
        yield dg.MaterializeResult(
            metadata={
                "files": len(inventory.read),
                "files_inspected": inventory.inspected,
                "file_errors": len(errors),
                "events": inventory.rows,
                "events_invalid_date": inventory.invalid_dates,
                "entries_not_read": len(ignored),
                "entries_not_read_list": dg.MetadataValue.md(_md_table(ignored)),
                "events_per_fiscal_year": dg.MetadataValue.json(per_year),
                "last_day": last_day.isoformat() if last_day else "",
            }
        )
        yield dg.AssetCheckResult(
            check_name=FILE_CONTRACT_CHECK,
            passed=not errors,
            metadata={"errors": dg.MetadataValue.md(_md_table(errors))},
        )

    return _raw_web


def _web_staging_asset(
    partitions: dg.PartitionsDefinition, pages: tuple[str, ...]
) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_key(WEB),
        deps=[raw_key(WEB)],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=INGESTION_GROUP,
        kinds={"parquet", "duckdb"},
        tags={"layer": "staging", "source": WEB},
        op_tags=WEB_STAGING,
        description=(
            "Per fiscal year, one row per user who viewed one of the pages the catalog's "
            "indicators count, with a bit per page (`pages_0`…) and their page views, scanned "
            "with DuckDB: all that `distinct_users` needs, so a year of events never enters "
            "pandas. Only the files that hold a day of the year are scanned; nested and JSON "
            "export files through their flattened copies (`cache/web_analytics/` of the "
            "staging folder, written once per file)."
        ),
        check_specs=coverage_spec(WEB, staging_key(WEB)),
    )
    def _web_staging(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: Warehouse,
        settings: RunSettings,
    ):
        with tracked(landing, source_state.STAGING, WEB, context.run_id):
            refuse_if_blocked(landing, [WEB])
            return _stage_web(context, landing, warehouse, settings)

    def _stage_web(context, landing: LandingZone, warehouse: Warehouse, settings: RunSettings):
        from plan_indicators.sources.web import stage_web_analytics_years

        store = ParquetStagedData(landing.staging_path)
        inventory = _web_inventory(landing)
        stats = stage_web_analytics_years(
            Path(landing.path),
            {fy: store.web_path(fy) for fy in context.partition_keys},
            list(pages),
            inventory=inventory,
        )
        total = sum(int(s.get("distinct_users", 0)) for s in stats.values())
        covered = publish_coverage(
            context, warehouse.engine(), WEB, inventory.day_counts(), settings.as_of_date()
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": total,
                "per_year": dg.MetadataValue.json({k: dict(v) for k, v in stats.items()}),
            },
            check_results=[covered],
        )

    return _web_staging


@cache
def ingestion_assets(
    web_partitions: dg.PartitionsDefinition,
    web_pages: tuple[str, ...],
    suite_parameters: tuple[tuple[str, str], ...],
) -> list[dg.AssetsDefinition]:
    """Raw and staging assets; `web_pages` are the pages the catalog's indicators count,
    `suite_parameters` the source suites' (`expectations.runner.catalog_parameters`)."""
    small = [s for s in SOURCES if s != WEB]
    return (
        [_raw_asset(s, suite_parameters) for s in small]
        + [_staging_asset(s, suite_parameters) for s in small]
        + [_web_raw_asset(), _web_staging_asset(web_partitions, web_pages)]
    )
