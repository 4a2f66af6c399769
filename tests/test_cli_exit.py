"""`plan-indicators` ends its process once its exit functions have run, without tearing down
every module (1.2 s after a `run`): its output and exit code are those of `main`, and a thread
still running gets the usual exit, which waits for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROGRAM = """
import atexit, sys, threading, time
atexit.register(lambda: print("exit functions ran", flush=True))
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread done"))).start()
from orchestration.cli import entry
entry(sys.argv[2:])
"""


def _program(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, *argv],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_output_code_and_exit_functions_are_kept():
    done = _program("plain", "measures")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "distinct_users" in done.stdout  # the listing, flushed before the process ended
    assert lines[-1] == "exit functions ran"


def test_a_command_that_fails_keeps_its_code():
    done = _program("plain", "validate-plan", str(ROOT / "tests" / "no-such-plan.yaml"))
    assert done.returncode != 0
    assert "exit functions ran" in done.stdout


def test_a_running_thread_is_waited_for():
    done = _program("thread", "measures")
    assert done.returncode == 0, done.stderr
    assert "thread done" in done.stdout and done.stdout.rstrip().endswith("exit functions ran")
