"""Sensors: new or changed landing files start their source's ingestion; failures are explained.

The landing sensor keys each file by path and SHA-256 checksum (cursor), so a file is processed
once; a file only re-hashed when its size or modification time changed.
"""

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import dagster as dg

from assets.keys import raw_key, staging_key
from orchestration.jobs import INGEST_JOB
from plan_indicators.fiscal import FiscalYear
from plan_indicators.sources.contracts import SOURCES
from plan_indicators.staging import WEB
from resources import LandingZone
from resources.settings import sensor_interval

LANDING_SENSOR = "landing_zone_sensor"
AUTOMATION_SENSOR = "indicator_automation"
# What the automation sensor targets, by key prefix (what the asset writes, CONVENTIONS.md).
AUTOMATED = dg.AssetSelection.from_string(
    'key:"staging/*" or key:"indicator_result/*" or key:"indicator_evaluation/*" '
    'or key:"indicator_projection/*"'
)
_DATE_IN_NAME = re.compile(r"(20\d\d)-?(\d\d)(?:-?(\d\d))?")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_landing(
    root: Path, known: dict[str, list]
) -> tuple[dict[str, list], dict[str, list[str]]]:
    """New cursor state and, per source, the files that are new or whose checksum changed."""
    from plan_indicators.sources.readers import list_files

    state: dict[str, list] = {}
    changed: dict[str, list[str]] = {}
    for source in SOURCES:
        for path in list_files(root, source):
            rel = str(path.relative_to(root))
            st = path.stat()
            prev = known.get(rel)
            if prev and prev[0] == st.st_mtime_ns and prev[1] == st.st_size:
                state[rel] = prev
                continue
            checksum = sha256_file(path)
            state[rel] = [st.st_mtime_ns, st.st_size, checksum]
            if not prev or prev[2] != checksum:
                changed.setdefault(source, []).append(rel)
    return state, changed


def fiscal_year_of_name(name: str, default: str) -> str:
    match = _DATE_IN_NAME.search(Path(name).name)
    if not match:
        return default
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return default
    return FiscalYear.of(dt.date(year, month, 1)).key


def build_sensors(web_partitions) -> list:
    web_years = set(web_partitions.get_partition_keys())

    @dg.sensor(
        name=LANDING_SENSOR,
        job_name=INGEST_JOB,
        minimum_interval_seconds=sensor_interval(60),
        description="Starts the ingestion of a source when a file lands or changes in its folder.",
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext, landing: LandingZone):
        known = json.loads(context.cursor) if context.cursor else {}
        state, changed = scan_landing(Path(landing.path), known)
        today_fy = FiscalYear.of(dt.date.today()).key
        requests = []
        for source, files in sorted(changed.items()):
            digest = hashlib.sha256("".join(f + state[f][2] for f in sorted(files)).encode())
            # Only web analytics are staged per fiscal year; other sources are unpartitioned.
            years = {fiscal_year_of_name(f, today_fy) for f in files} if source == WEB else set()
            for fy in sorted(years & web_years) or [None]:
                requests.append(
                    dg.RunRequest(
                        run_key=f"{source}:{fy}:{digest.hexdigest()[:16]}",
                        asset_selection=[raw_key(source), staging_key(source)],
                        partition_key=fy,
                        tags={
                            "plan_indicators/source": source,
                            "plan_indicators/files": ",".join(files)[:200],
                        },
                    )
                )
        context.update_cursor(json.dumps(state))
        return requests or dg.SkipReason("no new or changed file in the landing zone")

    @dg.run_failure_sensor(
        name="run_failure_explainer", description="Explains failed runs in the log."
    )
    def run_failure_explainer(context: dg.RunFailureSensorContext):
        run = context.dagster_run
        steps = context.get_step_failure_events() or [
            entry.dagster_event
            for entry in context.instance.all_logs(
                run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
            )
        ]
        lines = [f"Run {run.run_id} of job {run.job_name} failed."]
        for event in steps:
            err = event.step_failure_data.error if event.step_failure_data else None
            cause = err.cause if err and err.cause else err
            lines.append(f"- step {event.step_key}: {cause.message.strip() if cause else '?'}")
        if not steps:
            lines.append(f"- {context.failure_event.message or 'no step failed'}")
        lines.append(
            "Published tables are unchanged for the failed partitions; fix the file "
            "named above and rerun the job."
        )
        context.log.error("\n".join(lines))

    return [landing_zone_sensor, run_failure_explainer, automation_sensor()]


def automation_sensor() -> dg.AutomationConditionSensorDefinition:
    """The code location's only automation sensor. It targets every asset that carries an
    automation condition, so Dagster adds no implicit `default_automation_condition_sensor`."""
    return dg.AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR,
        target=AUTOMATED,
        default_status=dg.DefaultSensorStatus.STOPPED,
        minimum_interval_seconds=sensor_interval(30),
        description=(
            "Eager automation of staging, indicator results, evaluations and the running year's "
            "projections. A source is staged "
            "again when its raw read is materialised on its own (web analytics excepted: the "
            "landing sensor asks for its fiscal years); an indicator's results and evaluations "
            "are recomputed for the fiscal years whose staging or targets changed, then the "
            "plan's projection. Raw reads and "
            "the report are never started by it."
        ),
    )
