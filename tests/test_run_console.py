"""`plan-indicators run` on the instance: its runs are in the persistent Dagster instance
afterwards, the console shows progress, the status table and the landing report but no
DEBUG line (the event log goes to a file), and `--verbose` streams that log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.runner import RunOptions, instance_home, step_durations
from resources.settings import DEFAULT_HOME

pytestmark = pytest.mark.slow

KEY = "console-key-not-secret"
REQUESTS = (
    "request_id,received_date,channel,requester_id,region_code\n"
    "R1,2024-05-01,web_form,P1,06\n"
    "R2,2024-06-10,email,P2,06\n"
)


def _run(root: Path, home: Path, *extra: str) -> subprocess.CompletedProcess:
    folder = root / "landing" / "service_requests"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requests.csv").write_text(REQUESTS, "utf-8")
    argv = [
        sys.executable, "-m", "orchestration.cli", "run",
        "--landing", str(root / "landing"),
        "--warehouse", f"sqlite:///{root / 'w.sqlite'}",
        "--staging", str(root / "staging"),
        "--as-of", "2026-11-01",
        "--plan", "ophq-2024-2028",
        "--fiscal-year", "2024-2025",
        "--report", str(root / "report.html"),
        *extra,
    ]  # fmt: skip
    env = {**os.environ, "DAGSTER_HOME": str(home), "PLAN_INDICATORS_PSEUDONYM_KEY": KEY}
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def quiet(tmp_path_factory):
    root = tmp_path_factory.mktemp("quiet")
    home = root / "dagster_home"
    return home, _run(root, home)


def test_runs_are_recorded_in_the_persistent_instance(quiet):
    home, done = quiet
    assert done.returncode == 0, done.stdout + done.stderr
    [line] = [x for x in done.stdout.splitlines() if x.startswith("runs: ")]
    run_ids = re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", line)
    assert len(run_ids) == 3  # ingestion, the plan, the report
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = [instance.get_run_by_id(r) for r in run_ids]
        assert all(r is not None and r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        jobs = [r.job_name for r in runs]
        assert jobs == ["ingest", "indicators_ophq_2024_2028", "annual_report"]
        # The split's step seconds, read from the step events alone, are the instance's own.
        for run_id in run_ids:
            stats = {
                s.step_key: s.end_time - s.start_time
                for s in instance.get_run_step_stats(run_id)
                if s.start_time and s.end_time
            }
            assert stats and step_durations(instance, run_id) == pytest.approx(stats)


def _last_evaluation(quiet, asset: list[str], check: str):
    """The latest evaluation of a check, as the `run` stored it in its instance."""
    home, done = quiet
    assert done.returncode == 0, done.stdout + done.stderr
    key = dg.AssetCheckKey(dg.AssetKey(asset), check)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [record] = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)
    return record.event.dagster_event.event_specific_data


def test_staging_suites_are_validated_while_the_next_sources_are_read(quiet):
    """`run` hands each staging suite to its GX worker when the staged Parquet is written; the
    check's step takes that answer (and says so) instead of validating again."""
    from expectations.checks import STAGING_SUITE_CHECK, VALIDATED_EARLY

    evaluation = _last_evaluation(quiet, ["staging", "service_requests"], STAGING_SUITE_CHECK)
    assert evaluation.passed
    assert evaluation.metadata[VALIDATED_EARLY].value is True
    assert evaluation.metadata["evaluated"].value > 0


def test_raw_suites_are_validated_while_the_next_sources_are_read(quiet):
    """`run`'s raw step hands its suite to the GX worker; the check's own step takes the answer,
    on the one file read, and writes it to the raw manifest for the next read."""
    from assets.raw_suites import VALIDATED_WHILE_READING
    from expectations.checks import RAW_SUITE_CHECK
    from plan_indicators.staging import read_manifest

    evaluation = _last_evaluation(quiet, ["raw", "service_requests"], RAW_SUITE_CHECK)
    assert evaluation.passed and evaluation.metadata[VALIDATED_WHILE_READING].value is True
    assert evaluation.metadata["files_validated"].value == 1
    manifest = read_manifest(quiet[0].parent / "staging", "service_requests")
    assert list(manifest["validation"]["files"]) == ["service_requests/requests.csv"]


def test_follower_reads_the_stored_rows_as_the_public_api_gives_them(quiet, monkeypatch):
    """The follower's rows path (JSON parsed, not rebuilt) writes the lines and counts the
    assets the public API gives, event for event, for every run of the command, reading a
    few rows at a time."""
    import io

    import orchestration.console
    from orchestration.console import RunFollower

    monkeypatch.setattr(orchestration.console, "BATCH", 7)
    home, done = quiet
    [line] = [x for x in done.stdout.splitlines() if x.startswith("runs: ")]
    assets = set()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run_id in re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", line):
            rows, records = (RunFollower(instance, run_id, io.StringIO()) for _ in range(2))
            rows.poll()
            records._poll_records()
            assert rows.log.getvalue() == records.log.getvalue()
            assert rows.log.getvalue().count("\n") > 7 and rows.done == records.done
            assets |= rows.done
    assert dg.AssetKey(["staging", "service_requests"]) in assets


def test_console_has_progress_and_table_but_no_debug_line(quiet):
    _home, done = quiet
    console = done.stdout + done.stderr
    assert "DEBUG" not in console
    assert not re.search(r"\bSTEP_(START|SUCCESS)\b", console)
    assert re.search(r"ingestion\s.*\d+/\d+ assets", done.stderr)  # the progress display
    lines = done.stdout.splitlines()
    table = lines.index("ophq-2024-2028")
    assert lines[table + 1].split()[0] == "année" and lines[table + 2].startswith("  2024-2025")
    assert lines[-1] == "run OK"


def test_event_log_goes_to_the_printed_file(quiet):
    _home, done = quiet
    [path] = re.findall(r"event log: (\S+\.log)", done.stdout)
    text = Path(path).read_text("utf-8")
    assert " DEBUG " in text and "STEP_SUCCESS" in text and "RUN_SUCCESS" in text
    for line in done.stdout.splitlines():
        if line.startswith("runs: "):
            assert all(r in text for r in re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", line))


def test_verbose_streams_the_event_log(tmp_path):
    done = _run(tmp_path, tmp_path / "dagster_home", "--verbose")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "DEBUG" in done.stderr and "STEP_SUCCESS" in done.stderr


def test_instance_lives_under_the_data_folder_by_default(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME")
    assert instance_home(RunOptions()) == (DEFAULT_HOME / "dagster_home").resolve()
    assert instance_home(RunOptions(dagster_home="/srv/x")) == Path("/srv/x")
    monkeypatch.setenv("DAGSTER_HOME", "/srv/dagster")
    assert instance_home(RunOptions(dagster_home="/srv/x")) == Path("/srv/dagster")
