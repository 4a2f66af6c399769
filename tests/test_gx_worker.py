"""The Great Expectations worker (expectations/worker.py): the suites `run` validates in a process
of its own give what they give in the process, GX never enters the command's process, and the
command goes on in the process when the worker dies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from expectations import worker
from expectations.runner import validate

ROOT = Path(__file__).resolve().parents[1]

# Three responses (lines 2-4 of their file): the second with a score of 11 out of 10, the
# third with the first one's id: two warnings of the staging suite, with their lines.
FRAME = {
    "response_id": ["r1", "r2", "r1"],
    "response_date": ["2024-05-01", "2024-06-01", "2024-07-01"],
    "score": [8.0, 11.0, 9.0],
    "survey": ["accueil", "accueil", None],
    "question": [None, None, None],
    "_file": ["satisfaction_responses/a.csv"] * 3,
    "_line": [2, 3, 4],
}

EXPECTED = [
    [
        "warn",
        "key_unique",
        "response_id",
        ["satisfaction_responses/a.csv:2", "satisfaction_responses/a.csv:4"],
    ],
    ["warn", "out_of_range", "score", ["satisfaction_responses/a.csv:3"]],
]

CHILD = """
import json, sys
import pandas as pd
from expectations import worker
from expectations.runner import validate

started = worker.start()
frame = pd.DataFrame(json.loads(sys.argv[1]))
frame["response_date"] = pd.to_datetime(frame["response_date"])
if sys.argv[2] == "kill":
    worker._worker[0].kill()
    worker._worker[0].wait()
outcome = validate("staging_satisfaction_responses", frame)
print(json.dumps({
    "started": started,
    "running": worker.running(),
    "gx_here": "great_expectations" in sys.modules,
    "failures": sorted([f.severity, f.rule, f.column, f.rows] for f in outcome.failures),
}))
worker.stop()
"""


def _child(mode: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(FRAME), mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _here() -> list:
    frame = pd.DataFrame(FRAME)
    frame["response_date"] = pd.to_datetime(frame["response_date"])
    outcome = validate("staging_satisfaction_responses", frame)
    return sorted([f.severity, f.rule, f.column, f.rows] for f in outcome.failures)


def test_the_worker_validates_what_the_process_validates():
    expected = _here()
    assert expected == EXPECTED
    out = _child("keep")
    # GX ran in the worker only: the command's process never imported it.
    assert (out["started"], out["running"], out["gx_here"]) == (True, True, False)
    assert out["failures"] == expected


def test_a_dead_worker_leaves_the_suites_to_the_process():
    out = _child("kill")
    assert out["started"] and not out["running"]  # stopped when the call found it dead
    assert out["gx_here"]  # the suite ran in the process instead
    assert out["failures"] == _here()


def test_a_process_with_gx_starts_no_worker():
    import great_expectations  # noqa: F401  (what any earlier suite of this test run did)

    assert worker.start() is False
    assert not worker.running()


HANDED = """
import json, sys, tempfile
from pathlib import Path
import pandas as pd
from expectations import worker
from expectations.runner import catalog_parameters, validate, validate_staged
from plan_indicators.staging import ParquetStagedData

worker.start()
frame = pd.DataFrame(json.loads(sys.argv[1]))
frame["response_date"] = pd.to_datetime(frame["response_date"])
staging = tempfile.mkdtemp()
ParquetStagedData(Path(staging)).write("satisfaction_responses", frame)
suite, parameters = "staging_satisfaction_responses", catalog_parameters()
handed = [
    worker.submit(validate_staged, suite, staging, "satisfaction_responses", parameters)
    for _ in range(6)
]
nothing = worker.submit(validate_staged, suite, staging, "service_offers", parameters)
called = validate(suite, ParquetStagedData(Path(staging)).frame("satisfaction_responses"))
done_at_call = sum(f.done() for f in handed)
rows = lambda o: sorted([f.severity, f.rule, f.column, f.rows] for f in o.failures)
out = {
    "gx_here": "great_expectations" in sys.modules,
    "done_at_call": done_at_call,
    "called": rows(called),
    "handed": [rows(f.result()) for f in handed],
    "nothing": nothing.result(),
}
worker.stop()
import threading
out["threads_after_stop"] = [t.name for t in threading.enumerate()[1:] if not t.daemon]
print(json.dumps(out))
"""


def test_suites_handed_over_give_what_a_call_gives_and_a_call_goes_first():
    """A staged source's suite handed to the worker reads the staged Parquet there and gives
    the call's answer; a call made while six are queued waits for one at most, not for all."""
    proc = subprocess.run(
        [sys.executable, "-c", HANDED, json.dumps(FRAME)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["gx_here"] is False
    assert out["called"] == EXPECTED
    assert out["handed"] == [EXPECTED] * 6
    assert out["nothing"] is None  # nothing staged for that source
    assert out["done_at_call"] < 6
    # Nothing left running once the worker is stopped: the program's quick exit waits for none.
    assert out["threads_after_stop"] == []


def test_without_a_worker_nothing_is_handed_over():
    assert not worker.running()
    assert worker.submit(validate, "staging_satisfaction_responses", pd.DataFrame()) is None
