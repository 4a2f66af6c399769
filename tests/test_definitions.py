"""The code location as a whole: what `dagster dev` shows, frozen in a snapshot.

Regenerate after an intended change with `UPDATE_SNAPSHOTS=1 make test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from orchestration.definitions import build_definitions
from plan_indicators.catalog import load_catalog

SNAPSHOT = Path(__file__).parent / "snapshots" / "code_location.txt"


def _describe(defs: dg.Definitions) -> str:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parts = node.partitions_def.get_partition_keys() if node.partitions_def else []
        deps = ",".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(
            f"asset {key.to_user_string()} group={node.group_name} "
            f"partitions={'|'.join(parts) or '-'} deps={deps or '-'}"
        )
    for check in sorted(
        graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)
    ):
        lines.append(f"check {check.asset_key.to_user_string()}:{check.name}")
    lines += [f"job {j.name}" for j in sorted(defs.jobs, key=lambda j: j.name)]
    lines += [
        f"schedule {s.name} {s.cron_schedule} {s.execution_timezone}"
        for s in sorted(defs.schedules, key=lambda s: s.name)
    ]
    lines += [f"sensor {s.name}" for s in sorted(defs.sensors, key=lambda s: s.name)]
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
