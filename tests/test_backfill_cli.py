"""Backfilling fiscal years with Dagster's own CLI, as docs/operations.md tells data engineers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from plan_indicators import warehouse as wh

ROOT = Path(__file__).resolve().parents[1]


def test_dagster_asset_materialize_partition_range(tmp_path):
    register = tmp_path / "landing" / "activity_register"
    register.mkdir(parents=True)
    # OPHQ 4.1.1 meetings: 2 in 2024-2025 and 3 in 2025-2026 (quantity 1 each).
    (register / "r.csv").write_text(
        "plan_id,indicator_id,record_id,event_date\n"
        + "".join(
            f"ophq-2024-2028,4.1.1,m{i},{d}\n"
            for i, d in enumerate(
                ["2024-05-01", "2025-01-10", "2025-05-01", "2025-09-01", "2026-02-02"]
            )
        )
    )
    url = f"sqlite:///{tmp_path}/w.sqlite"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path),
        "PLAN_INDICATORS_WAREHOUSE_URL": url,
        "PLAN_INDICATORS_LANDING_DIR": str(tmp_path / "landing"),
        "PLAN_INDICATORS_STAGING_DIR": str(tmp_path / "staging"),
    }
    dagster = [
        sys.executable,
        "-m",
        "dagster",
        "asset",
        "materialize",
        "-m",
        "orchestration.definitions",
    ]
    subprocess.run(
        [*dagster, "--select", "raw/activity_register,staging/activity_register"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [
            *dagster,
            "--select",
            "indicator_result/ophq_2024_2028/i_4_1_1",
            "--partition-range",
            "2024-2025...2025-2026",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = wh.read_rows(wh.engine_for(url), wh.indicator_result, indicator_id="4.1.1")
    assert {r["fiscal_year"]: r["value"] for r in rows} == {"2024-2025": 2.0, "2025-2026": 3.0}
