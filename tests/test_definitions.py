"""The code location as a whole: what `dagster dev` shows, frozen in a snapshot.

The snapshot names every asset with its group, kinds, owners, partitions, deps, checks, tags,
automation condition and description, then every check, job, schedule and sensor with what it
targets, so that a change to any of them shows in review. Regenerate after an intended change
with `UPDATE_SNAPSHOTS=1 make test` (or only this file:
`UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_definitions.py`) and read the diff.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from orchestration.definitions import build_definitions
from plan_indicators.catalog import load_catalog

SNAPSHOT = Path(__file__).parent / "snapshots" / "code_location.txt"


def _text(text: str | None) -> str:
    """A description as a short hash of the whole text (any change shows) and its first line."""
    if not text:
        return "-"
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    first = text.strip().splitlines()[0]
    return f"#{digest} {first[:90]!r}"


def _automation(condition) -> str:
    """Label and a hash of the serialised condition tree, so a change inside it shows too."""
    if condition is None:
        return "-"
    digest = hashlib.sha256(dg.serialize_value(condition).encode()).hexdigest()[:10]
    return f"{condition.get_label() or type(condition).__name__}#{digest}"


def _partitions(partitions_def) -> str:
    return "|".join(partitions_def.get_partition_keys()) if partitions_def else "-"


def _sensor_target(sensor, graph) -> str:
    if isinstance(sensor, dg.AutomationConditionSensorDefinition):
        keys = sensor.asset_selection.resolve(graph)
        conditioned = sum(1 for k in keys if graph.get(k).automation_condition is not None)
        return f"assets {sensor.asset_selection} ({len(keys)} assets, {conditioned} automated)"
    if isinstance(sensor, dg.RunStatusSensorDefinition):
        jobs = ",".join(sorted(j.name for j in sensor._monitored_jobs)) or "every job"
        return f"{sensor._run_status.value} of {jobs}"
    return f"job {','.join(sorted(t.job_name for t in sensor.targets)) or '-'}"


def _describe(defs: dg.Definitions) -> str:
    """Every asset (key, group, kinds, owners, partitions, deps, checks, tags, automation
    condition, description), every check, job, schedule and sensor with what it targets."""
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        deps = ",".join(sorted(p.to_user_string() for p in node.parent_keys))
        checks = ",".join(sorted(c.name for c in node.check_keys))
        tags = ",".join(
            f"{k}={v}" for k, v in sorted(node.tags.items()) if not k.startswith("dagster/kind/")
        )
        lines += [
            f"asset {key.to_user_string()}",
            f"  group={node.group_name} kinds={','.join(sorted(node.kinds)) or '-'} "
            f"owners={','.join(node.owners) or '-'}",
            f"  partitions={_partitions(node.partitions_def)}",
            f"  deps={deps or '-'}",
            f"  checks={checks or '-'}",
            f"  tags={tags or '-'}",
            f"  automation={_automation(node.automation_condition)}",
            f"  description={_text(node.description)}",
        ]
    for check in sorted(
        graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)
    ):
        spec = graph.get_check_spec(check)
        lines.append(
            f"check {check.asset_key.to_user_string()}:{check.name} "
            f"blocking={spec.blocking} description={_text(spec.description)}"
        )
    for job in sorted(defs.jobs, key=lambda j: j.name):
        lines.append(
            f"job {job.name} selection={job.selection} "
            f"partitions={_partitions(job.partitions_def)} description={_text(job.description)}"
        )
    for s in sorted(defs.schedules, key=lambda s: s.name):
        lines.append(
            f"schedule {s.name} cron={s.cron_schedule!r} tz={s.execution_timezone} "
            f"job={s.job_name} default={s.default_status.value} description={_text(s.description)}"
        )
    # The repository's sensors, so an implicit `default_automation_condition_sensor` shows.
    for s in sorted(defs.get_repository_def().sensor_defs, key=lambda s: s.name):
        lines.append(
            f"sensor {s.name} target={_sensor_target(s, graph)} default={s.default_status.value} "
            f"interval={s.minimum_interval_seconds}s description={_text(s.description)}"
        )
    return "\n".join(lines) + "\n"


def test_code_location_matches_snapshot(tmp_path):
    defs = build_definitions(None, warehouse_url=f"sqlite:///{tmp_path}/w.sqlite")
    text = _describe(defs)
    if os.environ.get("UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(text)
    assert text == SNAPSHOT.read_text()


def test_every_indicator_has_result_evaluation_and_check():
    defs = build_definitions(None)
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    plans = load_catalog()
    assert sum(len(p.indicators) for p in plans) == 14 + 26
    for plan in plans:
        for ind in plan.indicators:
            result = f"indicator_result/{plan.slug}/{ind.key_slug}"
            assert result in keys and f"indicator_evaluation/{plan.slug}/{ind.key_slug}" in keys
            assert (result, "great_expectations_result") in checks
            spec = graph.get(dg.AssetKey(result.split("/")))
            assert spec.group_name == plan.slug
            assert ind.text_fr in (spec.description or "")


def test_code_location_loads_quickly_without_great_expectations():
    """Loading the code location must not import GX (about 3 s on its own)."""
    code = (
        "import sys, time; t = time.perf_counter()\n"
        "import orchestration.definitions as d; d.defs.resolve_asset_graph()\n"
        "print(time.perf_counter() - t, 'great_expectations' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, gx_loaded = out.stdout.split()
    assert gx_loaded == "False"
    print(f"code location loaded in {float(seconds):.2f} s")
