"""How each source's last raw read and staging ended, kept beside the staged files.

Within one Dagster run a failed step or blocking check skips what depends on it. Across runs
(an indicator materialised later from the UI, a schedule or a sensor) nothing would: the
indicator would read staged files older than the failed read, or none at all, and publish
"Source absente". So `raw/<source>` and `staging/<source>` record `reading` when they start,
`ok` when they have written, `failed` with the cause when they stop; a step that reads a
source refuses to run while `why_blocked` names a reason, and the published rows stay as they
were. Deliberately small and explicit: issue 14 replaces it with Dagster's own conditions.

Layout: `<staging>/state/<layer>.<source>.json`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

RAW, STAGING = "raw", "staging"
READING, OK, FAILED = "reading", "ok", "failed"


@dataclass(frozen=True)
class StepState:
    layer: str
    source: str
    state: str
    run_id: str
    at: str
    cause: str | None = None


def _path(root: str | Path, layer: str, source: str) -> Path:
    return Path(root) / "state" / f"{layer}.{source}.json"


def record(
    root: str | Path, layer: str, source: str, state: str, run_id: str, cause: str | None = None
) -> StepState:
    """Write a step's state atomically (aside, then rename)."""
    entry = StepState(
        layer, source, state, run_id, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), cause
    )
    p = _path(root, layer, source)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(entry), ensure_ascii=False), "utf-8")
    tmp.replace(p)
    return entry


def read(root: str | Path, layer: str, source: str) -> StepState | None:
    p = _path(root, layer, source)
    return StepState(**json.loads(p.read_text("utf-8"))) if p.exists() else None


def upstream(source: str) -> tuple[str, ...]:
    """The source and those its staging reads too: the parents of its declared references."""
    from plan_indicators.sources.contracts import CONTRACTS

    parents = {ref.source for ref in CONTRACTS[source].references.values()}
    return (source, *sorted(parents - {source}))


def _staged(root: Path, source: str) -> bool:
    from plan_indicators.staging import WEB

    return (root / WEB).is_dir() if source == WEB else (root / f"{source}.parquet").exists()


def why_blocked(
    staging_root: str | Path,
    landing_root: str | Path,
    sources: Iterable[str],
    layers: tuple[str, ...] = (RAW, STAGING),
) -> str | None:
    """Why a step must not read `sources` now, or None.

    Blocked when the last raw read or staging of a source (or of a source its staging reads)
    did not end `ok`, or when the landing folder holds files but nothing was ever staged.
    A source with no files and nothing staged is simply absent: the measure says so.
    """
    from plan_indicators.sources.readers import list_files

    root = Path(staging_root)
    for source in sources:
        for src in upstream(source):
            for layer in layers:
                state = read(root, layer, src)
                if state is not None and state.state != OK:
                    what = "did not finish" if state.state == READING else "failed"
                    cause = f": {state.cause}" if state.cause else ""
                    return (
                        f"{layer}/{src} {what} (run {state.run_id}, {state.at}){cause}; "
                        f"fix it and materialise {layer}/{src} again"
                    )
        never_staged = read(root, STAGING, source) is None and not _staged(root, source)
        if STAGING in layers and never_staged and list_files(landing_root, source):
            return (
                f"staging/{source} was never materialised while its landing folder holds "
                f"files; materialise raw/{source} and staging/{source} first"
            )
    return None
