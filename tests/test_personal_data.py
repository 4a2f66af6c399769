"""Requester identifiers never reach the warehouse, the staged files or the logs."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from orchestration.runner import RunOptions, run_pipeline

RAW_IDS = ["QC-777001", "QC-777002", "QC-777003"]


def test_raw_requester_ids_are_nowhere_after_a_run(tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "k-test")
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # persistent event log, to grep it too
    folder = tmp_path / "landing" / "service_requests"
    folder.mkdir(parents=True)
    rows = [f"R{i},2024-05-0{i},web_form,{rid},06" for i, rid in enumerate(RAW_IDS, start=1)] + [
        "R9,2024-05-09,pigeon,QC-777003,06"
    ]  # quarantined row: its id must not leak either
    (folder / "2024.csv").write_text(
        "request_id,received_date,channel,requester_id,region_code\n" + "\n".join(rows) + "\n"
    )
    outcome = run_pipeline(
        RunOptions(
            landing=str(tmp_path / "landing"),
            warehouse=f"sqlite:///{tmp_path}/w.sqlite",
            staging=str(tmp_path / "staging"),
            plans=("ophq-2024-2028",),
            fiscal_years=("2024-2025",),
            as_of="2026-11-01",
            report=str(tmp_path / "r.html"),
        ),
        echo=print,
    )
    assert outcome.ok, outcome.failures
    out, err = capfd.readouterr()
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "landing" not in p.parts]
    assert any(p.name == "w.sqlite" for p in files) and any(p.suffix == ".parquet" for p in files)
    assert any(p.is_relative_to(home) for p in files)  # the run's event log is on disk
    for rid in RAW_IDS:
        assert rid not in out and rid not in err
        for path in files:
            assert rid.encode() not in path.read_bytes(), f"{rid} found in {path}"
    with dg.DagsterInstance.get() as instance:
        records = instance.get_records_for_run(outcome.run_ids[0]).records
        text = "\n".join(str(r.event_log_entry) for r in records)
    assert records and not any(rid in text for rid in RAW_IDS)
    assert os.environ["DAGSTER_HOME"] == str(home)
    assert Path(tmp_path / "r.html").exists()
