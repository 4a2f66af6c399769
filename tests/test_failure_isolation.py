"""A failure upstream leaves published results as they were (issue 12, item 3).

A small landing zone is run once through `plan-indicators run`; then each case breaks it in a
different way (no pseudonymisation key, an exception in a raw step, a refused file, an
indicator materialised from Dagster after a failed read or with nothing staged) and checks
that the rows of OPHQ 2.1.1 and 3.1.1 are byte-identical afterwards, that the exit code or
step fails, and that the console names the cause.

Published values, by hand (as of 2026-11-01):
- 3.1.1 (share of requests by web_form, email or chat): 2024-2025 = R1 web_form, R2 email,
  R4 chat of R1..R4 -> 3 / 4 = 75 %; 2025-2026 = R5 web_form of R5, R6 -> 1 / 2 = 50 %.
- 2.1.1 (initial offers accepted / answered): 2024-2025 = O1, O3 accepted, O2 refused (O4 is a
  follow-up) -> 2 / 3 = 66.67 %; 2025-2026 = O5 accepted, O6 no_response -> 1 / 2 = 50 %.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import sqlite3
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import main
from orchestration.runner import RANGE_END, RANGE_START

pytestmark = pytest.mark.slow

KEY_ENV = "PLAN_INDICATORS_PSEUDONYM_KEY"
KEY = "isolation-key-not-secret"
AS_OF = "2026-11-01"
PLAN = "ophq-2024-2028"
WATCHED = ("2.1.1", "3.1.1")
REQUESTS = (
    "request_id,received_date,channel,requester_id,region_code\n"
    "R1,2024-05-01,web_form,P1,06\n"
    "R2,2024-06-10,email,P2,06\n"
    "R3,2024-07-15,phone,P1,03\n"
    "R4,2024-09-02,chat,P3,06\n"
    "R5,2025-05-01,web_form,P4,06\n"
    "R6,2025-06-01,phone,P5,06\n"
)
OFFERS = (
    "offer_id,request_id,offer_date,offer_kind,response,response_date\n"
    "O1,R1,2024-05-03,initial,accepted,2024-05-10\n"
    "O2,R2,2024-06-12,initial,refused,2024-06-20\n"
    "O3,R3,2024-07-20,initial,accepted,\n"
    "O4,R4,2024-09-05,follow_up,accepted,\n"
    "O5,R5,2025-05-02,initial,accepted,\n"
    "O6,R6,2025-06-03,initial,no_response,\n"
)


def _argv(root: Path) -> list[str]:
    return [
        "run",
        "--landing", str(root / "landing"),
        "--warehouse", f"sqlite:///{root / 'w.sqlite'}",
        "--staging", str(root / "staging"),
        "--as-of", AS_OF,
        "--plan", PLAN,
        "--report", str(root / "report.html"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """Landing, staging and warehouse after one good run."""
    root = tmp_path_factory.mktemp("published")
    for source, text in (("service_requests", REQUESTS), ("service_offers", OFFERS)):
        (root / "landing" / source).mkdir(parents=True)
        (root / "landing" / source / f"{source}.csv").write_text(text, "utf-8")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setenv(KEY_ENV, KEY)
        assert main(_argv(root)) == 0
    assert out.getvalue().splitlines()[-2:] == ["landing zone OK", "run OK"]
    return root


@pytest.fixture
def work(published, tmp_path) -> Path:
    root = tmp_path / "work"
    shutil.copytree(published, root)
    return root


def watched_rows(root: Path) -> dict[str, list[tuple]]:
    """Every stored column of the watched indicators' rows, exactly as SQLite holds them."""
    with sqlite3.connect(root / "w.sqlite") as conn:
        out = {}
        for table in ("indicator_result", "indicator_evaluation", "indicator_result_history"):
            out[table] = conn.execute(
                f"SELECT * FROM {table} WHERE plan_id = ? AND indicator_id IN (?, ?) "
                "ORDER BY indicator_id, fiscal_year",
                (PLAN, *WATCHED),
            ).fetchall()
    return out


def values(root: Path) -> dict[tuple[str, str], float | None]:
    with sqlite3.connect(root / "w.sqlite") as conn:
        rows = conn.execute(
            "SELECT indicator_id, fiscal_year, value FROM indicator_result "
            "WHERE indicator_id IN (?, ?) AND fiscal_year IN ('2024-2025', '2025-2026')",
            WATCHED,
        ).fetchall()
    return {(i, fy): None if v is None else round(v, 2) for i, fy, v in rows}


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_published_values_are_the_hand_computed_ones(published):
    assert values(published) == {
        ("3.1.1", "2024-2025"): 75.0,
        ("3.1.1", "2025-2026"): 50.0,
        ("2.1.1", "2024-2025"): 66.67,
        ("2.1.1", "2025-2026"): 50.0,
    }


def test_missing_key_is_refused_before_anything_runs(work, monkeypatch, capsys):
    monkeypatch.delenv(KEY_ENV, raising=False)
    before = tree(work)
    assert main(_argv(work)) == 1
    out = capsys.readouterr().out
    assert KEY_ENV in out
    assert "Nothing was run and nothing was changed" in out
    assert tree(work) == before  # warehouse file, staging, state, report: not one byte


def test_exception_in_a_raw_step_keeps_downstream_rows(work, monkeypatch, capsys):
    monkeypatch.setenv(KEY_ENV, KEY)
    before = watched_rows(work)
    # The raw step cannot write its staged file: a real OSError inside raw/service_requests.
    target = work / "staging" / "raw" / "service_requests.parquet"
    target.unlink()
    target.mkdir()
    assert main(_argv(work)) == 1
    out = capsys.readouterr().out
    assert "step raw__service_requests failed: IsADirectoryError" in out
    not_run = next(line for line in out.splitlines() if line.startswith("NOT RUN"))
    assert not_run.endswith(": ophq-2024-2028 2.1.1, ophq-2024-2028 3.1.1")
    assert watched_rows(work) == before
    assert "Atteinte" in out  # the status table still prints


def test_refused_file_keeps_downstream_rows_even_when_materialised_later(work, monkeypatch, capsys):
    monkeypatch.setenv(KEY_ENV, KEY)
    before = watched_rows(work)
    (work / "landing" / "service_requests" / "late.csv").write_text(
        "request_id,received_date\nR9,2024-10-01\n", "utf-8"
    )
    assert main(_argv(work)) == 1
    out = capsys.readouterr().out
    assert (
        "ERROR service_requests/late.csv:1:channel: missing_column: "
        "colonne obligatoire absente : channel"
    ) in out.splitlines()
    assert watched_rows(work) == before

    # The same indicators materialised from Dagster (UI, schedule, sensor) after that failed
    # read: the step fails naming the read, and the rows stay.
    result = _materialise(work, KEY)
    assert not result.success
    failure = _failure(result, "2.1.1")
    assert "raw/service_requests failed" in failure
    assert "late.csv:1:channel: missing_column" in failure
    assert watched_rows(work) == before


def test_indicator_with_nothing_staged_is_not_published_as_absent(work):
    before = watched_rows(work)
    shutil.rmtree(work / "staging")  # a new staging folder, say, with the same warehouse
    result = _materialise(work, KEY)
    assert not result.success
    failure = _failure(result, "3.1.1")
    assert "staging/service_requests was never materialised" in failure
    assert watched_rows(work) == before
    assert values(work)[("3.1.1", "2024-2025")] == 75.0  # not "Source absente"


def test_dagster_run_of_the_raw_step_without_key_names_the_variable(work, monkeypatch):
    from orchestration.definitions import build_definitions
    from orchestration.runner import failure_cause
    from plan_indicators.source_state import read

    monkeypatch.delenv(KEY_ENV, raising=False)
    staged = work / "staging" / "raw" / "service_requests.parquet"
    before = staged.read_bytes()
    defs = build_definitions(None, **_resources(work, key=None))
    result = defs.resolve_job_def("ingest").execute_in_process(
        partition_key="2024-2025",
        asset_selection=[dg.AssetKey(["raw", "service_requests"])],
        raise_on_error=False,
    )
    assert not result.success
    (event,) = result.get_step_failure_events()
    assert failure_cause(event).startswith(f"{KEY_ENV} is not set")
    assert staged.read_bytes() == before
    assert read(work / "staging", "raw", "service_requests").state == "failed"


def _resources(root: Path, key: str | None) -> dict:
    return {
        "landing": str(root / "landing"),
        "warehouse_url": f"sqlite:///{root / 'w.sqlite'}",
        "staging": str(root / "staging"),
        "as_of": AS_OF,
        "report_path": str(root / "report.html"),
        "pseudonym_key": key,
    }


def _materialise(root: Path, key: str):
    """The two watched indicators and their evaluations, as the UI would, every year."""
    from orchestration.definitions import build_definitions
    from orchestration.jobs import plan_job_name
    from plan_indicators.catalog import load_catalog

    plan = next(p for p in load_catalog() if p.id == PLAN)
    defs = build_definitions(None, **_resources(root, key))
    keys = [
        dg.AssetKey([layer, plan.slug, plan.indicator(i).key_slug])
        for i in WATCHED
        for layer in ("indicator_result", "indicator_evaluation")
    ]
    years = plan.partition_years()
    return defs.resolve_job_def(plan_job_name(plan)).execute_in_process(
        asset_selection=keys,
        tags={RANGE_START: years[0], RANGE_END: years[-1]},
        raise_on_error=False,
    )


def _failure(result, indicator: str) -> str:
    """The line of the plan's results step failure that names `indicator`: the step publishes
    the indicators it can and fails naming each one it left as it was."""
    from orchestration.runner import failure_cause

    events = [e for e in result.get_step_failure_events() if e.step_key.endswith("_results")]
    assert events, [e.step_key for e in result.get_step_failure_events()]
    lines = failure_cause(events[0]).splitlines()
    mine = [line for line in lines if line.startswith(f"indicator {indicator} of {PLAN} ")]
    assert mine, lines
    assert "its published results are unchanged" in mine[0]
    return mine[0]


def test_failed_blocking_check_is_remembered_by_later_runs(work):
    """The raw suite refuses service_requests (a request without its id, as the raw manifest
    remembers of the file: its result is cached with its checksum, failures too); the raw step
    fails again without validating anything, and a later materialisation of the indicators, in
    another run, fails instead of publishing from it."""
    from expectations.checks import RAW_SUITE_CHECK
    from orchestration.definitions import build_definitions
    from plan_indicators.staging import read_manifest, write_manifest

    before = watched_rows(work)
    manifest = read_manifest(work / "staging", "service_requests")
    [entry] = manifest["validation"]["files"].values()
    entry["failures"] = [
        {
            "expectation": "expect_column_values_to_not_be_null",
            "column": "request_id",
            "severity": "error",
            "rule": "key_not_null",
            "unexpected_count": 1,
            "sample": [None],
            "index": [0],
            "exception": None,
            "position": 4,
        }
    ]
    write_manifest(work / "staging", "service_requests", manifest)
    defs = build_definitions(None, **_resources(work, KEY))
    run = defs.resolve_job_def("ingest").execute_in_process(
        partition_key="2024-2025",
        asset_selection=[dg.AssetKey(["raw", "service_requests"])],
        raise_on_error=False,
    )
    [evaluation] = [e for e in run.get_asset_check_evaluations() if e.check_name == RAW_SUITE_CHECK]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["files_validated"].value == 0

    result = _materialise(work, KEY)
    assert not result.success
    failure = _failure(result, "3.1.1")
    assert "raw/service_requests failed" in failure
    assert "check great_expectations_raw failed" in failure
    assert watched_rows(work) == before
