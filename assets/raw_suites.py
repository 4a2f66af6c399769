"""The raw suites' checks, each a step of its own after the raw reads.

The raw step writes the typed rows, then hands its suite (on the files new or changed since the
last read, `expectations/incremental.py`) to the GX worker and goes on: the worker validates on
the second core while the first reads the next sources, and this check's step, which runs once
the reads are done (`assets/step_order.py`), takes the answer and writes the manifest's
validation cache. The check is blocking: the source's staging waits for it, and a
failure records the raw step's state failed, so that later runs do not read what the suite
refused (`plan_indicators/source_state.py`).

Without a worker (tests, `dagster dev`) the raw step leaves the validation itself for this step,
the same frame and files; a step in another process (the multiprocess executor, a check
re-executed from the UI) validates the raw Parquet the raw step wrote, with the files of its
manifest.
"""

import concurrent.futures as cf
from functools import partial
from pathlib import Path

import dagster as dg
import pandas as pd

from assets import handover
from assets.checks import record_failure, run_checks
from assets.keys import raw_key
from assets.step_order import STAGED_NEXT
from expectations.checks import RAW_SUITE_CHECK, check_result
from plan_indicators import source_state
from plan_indicators.sources.contracts import CONTRACTS, SOURCES
from plan_indicators.staging import WEB, ParquetStagedData, read_manifest, write_manifest

VALIDATED_WHILE_READING = "validated_while_reading"
"""Check metadata: the raw step handed the suite to the GX worker, which validated it while the
next sources were read."""


def hand_over_raw_suite(
    context: dg.AssetExecutionContext,
    source: str,
    frame: pd.DataFrame,
    files: list[dict],
    parameters: dict,
    previous: dict | None,
) -> None:
    """Hand the raw suite of the rows just read to the GX worker (or keep it for the check's
    step when there is none), when this run checks it."""
    from expectations import worker
    from expectations.incremental import validate_files

    handover.forget(source_state.RAW, context.run_id, source)
    if not run_checks(context, dg.AssetCheckKey(raw_key(source), RAW_SUITE_CHECK)):
        return
    validate = partial(validate_files, withhold=CONTRACTS[source].personal)
    args = (f"raw_{source}", frame, files, parameters, previous)
    future = worker.submit(validate, *args)
    give = future.result if future is not None else partial(validate, *args)
    handover.hand(source_state.RAW, context.run_id, source, parameters, (give, future is not None))


def _taken(run_id: str, source: str, parameters: dict):
    """(validation, handed) from this process's raw step, or (None, False)."""
    taken = handover.take(source_state.RAW, run_id, source, parameters)
    if taken is None:
        return None, False
    give, handed = taken
    try:
        return give(), handed
    except cf.CancelledError:
        return None, False


def _validated_again(staging: str, source: str, parameters: dict):
    """The suite on the raw Parquet and the files of the manifest (None: nothing published)."""
    from expectations.incremental import validate_files

    manifest = read_manifest(staging, source)
    frame = ParquetStagedData(Path(staging) / "raw").frame(source)
    if manifest is None or frame is None:
        return None
    return validate_files(
        f"raw_{source}", frame, manifest["files"], parameters, manifest.get("validation"),
        withhold=CONTRACTS[source].personal,
    )  # fmt: skip


def _validation_metadata(validation) -> dict:
    """How many files the raw suite validated and how many results it reused."""
    return {
        "files_validated": len(validation.validated),
        "files_reused": len(validation.reused),
        "files_validated_list": dg.MetadataValue.json(validation.validated),
    }


def _raw_suite_check(source: str, parameters: dict) -> dg.AssetChecksDefinition:
    after = record_failure(source_state.RAW, source)

    @dg.asset_check(
        asset=raw_key(source),
        name=RAW_SUITE_CHECK,
        blocking=True,
        description=f"Great Expectations suite raw_{source}: columns, keys, values, dates. "
        "Run on the files new or changed since the last read; the others' results (failures "
        "included) are reused from the raw manifest.",
        required_resource_keys={"landing"},
        op_tags=STAGED_NEXT,
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        staging = context.resources.landing.staging_path
        validation, handed = _taken(context.run.run_id, source, parameters)
        if validation is None:
            validation = _validated_again(staging, source, parameters)
        if validation is None:
            return dg.AssetCheckResult(
                passed=True, metadata={"suite": f"raw_{source}", "note": "nothing published"}
            )
        manifest = read_manifest(staging, source) or {"source": source, "files": []}
        write_manifest(staging, source, {**manifest, "validation": validation.cache})
        result = check_result(
            validation.outcome, RAW_SUITE_CHECK, raw_key(source),
            {**_validation_metadata(validation), VALIDATED_WHILE_READING: handed},
        )  # fmt: skip
        after(context, result)
        return result

    return _check


def raw_suite_checks(parameters: dict) -> list[dg.AssetChecksDefinition]:
    """The raw suite of every source read with pandas (the web's raw step checks its files
    itself)."""
    return [_raw_suite_check(source, parameters) for source in SOURCES if source != WEB]
