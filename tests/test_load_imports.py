"""Loading the code location (what `dagster dev`'s code server, the daemon's run workers and
every command pay first) imports no event-log storage and no Alembic: the local instance's
storage module brings both, about 0.5 s of a 32-plan load on this machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_loading_the_definitions_imports_no_storage_class(tmp_path):
    code = (
        "import sys\n"
        "import orchestration.definitions as d\n"
        "d.defs.resolve_asset_graph()\n"
        "heavy = ['alembic', 'dagster._core.storage.event_log', 'orchestration.instance_storage']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PLAN_INDICATORS_HOME": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
