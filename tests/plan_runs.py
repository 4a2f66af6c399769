"""A small OPHQ run on a persistent Dagster instance, shared by the session: the landing zone of
tests/test_failure_isolation.py (requests and offers), `plan-indicators run` once. Its instance
(`<root>/home`) holds every result and evaluation materialization, year by year, for the tests
that read them and for the UI test's webserver."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

AS_OF = "2026-11-01"
KEY = "steps-key-not-secret"


def make_home(root: Path) -> Path:
    """A persistent Dagster instance directory, without telemetry."""
    home = root / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return home


@pytest.fixture(scope="session")
def ophq_run(tmp_path_factory) -> Path:
    from test_failure_isolation import OFFERS, REQUESTS

    from orchestration.cli import main

    root = tmp_path_factory.mktemp("ophq_run")
    for source, text in (("service_requests", REQUESTS), ("service_offers", OFFERS)):
        (root / "landing" / source).mkdir(parents=True)
        (root / "landing" / source / f"{source}.csv").write_text(text, "utf-8")
    home = make_home(root)
    argv = [
        "run", "--landing", str(root / "landing"), "--warehouse", f"sqlite:///{root / 'w.sqlite'}",
        "--staging", str(root / "staging"), "--as-of", AS_OF,
        "--plan", "ophq-2024-2028", "--report", str(root / "report.html"),
    ]  # fmt: skip
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()):
        mp.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", KEY)
        mp.setenv("DAGSTER_HOME", str(home))
        assert main(argv) == 0
    return root
