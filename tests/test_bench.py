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
    assert row["seconds_pipeline_nested_kept"] > 0 and row["ratio_nested_kept_flat"] > 0
    # Files: 731 days from 2023-04-01 to 2025-03-31; the full recomputation starts without the
    # last day (730 files, all inspected and scanned for 2023-2024 and 2024-2025). The daily
    # refresh inspects only the new file and scans the 365 days of 2024-2025.
    assert row["full"] == {"files_inspected": 730, "files_scanned": 730}
    assert row["daily_partition"] == "2024-2025"
    assert row["daily"] == {"files_inspected": 1, "files_scanned": 365}
    text = out.read_text()
    assert "| 20,000 |" in text and "Incremental refresh" in text
    assert "copies kept / flattened" in text
    assert out.with_suffix(".svg").read_text().startswith("<svg")


def test_seed_copies_have_distinct_plan_ids(tmp_path):
    from bench.end_to_end import seed_copies
    from plan_indicators.catalog import load_catalog

    seeds = {p.id: p for p in load_catalog()}
    plans = load_catalog(str(seed_copies(3, tmp_path / "plans")))
    # 3 copies of the 2 seed plans: 6 plans, the first copy under the seed ids.
    assert len(plans) == 6 and len({p.id for p in plans}) == 6
    assert set(seeds) <= {p.id for p in plans}
    for plan in plans:
        seed = next(s for i, s in seeds.items() if plan.id.endswith(i))
        assert [i.id for i in plan.indicators] == [i.id for i in seed.indicators]
        assert [i.measure for i in plan.indicators] == [i.measure for i in seed.indicators]


def test_differences_name_each_mismatch():
    from bench.end_to_end import differences

    pipeline = {("p", "1", "2024-2025"): 12.5, ("p", "2", "2024-2025"): ("met", 3.0, None)}
    floor = {("p", "1", "2024-2025"): 12.5 + 1e-12, ("p", "2", "2024-2025"): ("not_met", 3.0, None)}
    # 12.5 and 12.5 + 1e-12 are the same float result; the status differs.
    assert differences(pipeline, floor) == [
        "('p', '2', '2024-2025'): pipeline ('met', 3.0, None), floor ('not_met', 3.0, None)"
    ]
    assert differences(pipeline, {}) and differences({}, floor)


def test_bench_end_to_end_small(tmp_path, capsys, monkeypatch):
    """The whole run against its floor on a tiny landing zone: the JSON line, the section of
    results.md, and the floor publishing the very results and evaluations of the pipeline."""
    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "bench-key-not-secret")
    out = tmp_path / "results.md"
    argv = ["bench", "--end-to-end", "--sample-scale", "0.05", "--out", str(out)]
    assert main(argv) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("seconds_pipeline", "seconds_floor", "ratio", "peak_rss_mb"):
        assert row[key] > 0, key
    assert row["ratio"] == pytest.approx(row["seconds_pipeline"] / row["seconds_floor"], rel=1e-2)
    assert row["plans"] == 2 and row["plan_copies"] == 1 and row["pipeline_ok"]
    # Results: OPHQ 14 indicators x 6 partition years (2022-2023 to 2027-2028) = 84, OPQ 26 x 5
    # (2018-2019 to 2022-2023) = 130; 84 + 130 = 214, one row per indicator and year whatever
    # the data. Evaluations: the years with a target, 56 (OPHQ) + 42 (OPQ) = 98.
    assert (row["results"], row["evaluations"]) == (214, 98)
    assert row["same_values"] and row["differences"] == []
    text = out.read_text()
    assert text.startswith("## Whole run") and "| 1 | 2 |" in text and "load average" in text
