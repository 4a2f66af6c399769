"""Shared fixtures: PostgreSQL databases (tests/pg.py), Chromium (tests/browser.py) and a small
OPHQ run on a persistent instance (tests/plan_runs.py)."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
# `plan-indicators run` records its runs in the persistent instance: the session's own, never
# the repository's var/ nor the developer's DAGSTER_HOME.
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="plan-indicators-dagster-home-")

from browser import chromium_browser  # noqa: E402,F401
from pg import pg_url  # noqa: E402,F401
from plan_runs import ophq_run  # noqa: E402,F401
