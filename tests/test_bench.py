"""`plan-indicators bench` end to end on a small N: the pipeline finds the bare query's users,
and the daily refresh reads one new file's footer and scans only its fiscal year's files."""

import json

import pytest

from orchestration.cli import main

pytestmark = pytest.mark.slow


def test_bench_small_n(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "bench-key-not-secret")
    out = tmp_path / "results.md"
    assert main(["bench", "--events", "20000", "--data-dir", str(tmp_path), "--out", str(out)]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["events"] == 20000
    # Same distinct users on both sides (the bench itself refuses a mismatch).
    assert row["distinct_users"] > 0
    assert row["seconds_pipeline"] > 0 and row["seconds_duckdb"] > 0
    # The nested export of the same events is timed too (the bench refuses other users).
    assert row["seconds_pipeline_nested"] > 0 and row["ratio_nested_flat"] > 0
    # Files: 731 days from 2023-04-01 to 2025-03-31; the full recomputation starts without the
    # last day (730 files, all inspected and scanned for 2023-2024 and 2024-2025). The daily
    # refresh inspects only the new file and scans the 365 days of 2024-2025.
    assert row["full"] == {"files_inspected": 730, "files_scanned": 730}
    assert row["daily_partition"] == "2024-2025"
    assert row["daily"] == {"files_inspected": 1, "files_scanned": 365}
    text = out.read_text()
    assert "| 20,000 |" in text and "Incremental refresh" in text and "nested / flattened" in text
    assert out.with_suffix(".svg").read_text().startswith("<svg")
