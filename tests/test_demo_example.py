"""What `make demo` shows beyond the seed plans (issue 17 item 4, issue 18): the example catalog of
data/examples/ runs beside data/plans/ on sample data that covers it, with a cumulative target
("cible : ≥ 1,0 G$"), amounts in dollars and a turnover rate over the `headcounts` source.

The seed plans keep their indicator counts (OPHQ 14, OPQ 26): the example is copied into the
demo's own catalog folder, never into data/plans/."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path

import pytest
from register_plans import KEY, rows_by_key

from orchestration.cli import EXAMPLES_DIR, demo_plans
from plan_indicators.catalog import default_plans_dir, load_catalog
from plan_indicators.fiscal import FiscalYear
from plan_indicators.formatting import NBSP
from plan_indicators.sampledata import generate

EXAMPLE = "exemple-2023-2027"
AS_OF = "2026-11-01"


def test_the_demo_catalogs_are_the_seeds_and_the_example(tmp_path):
    stale = tmp_path / "plans" / "old.yaml"
    stale.parent.mkdir()
    stale.write_text("not a plan")
    folder = demo_plans(tmp_path / "plans")
    assert not stale.exists()  # copied afresh: a removed example does not linger
    counts = {p.id: len(p.indicators) for p in load_catalog(str(folder))}
    assert counts == {"ophq-2024-2028": 14, "opq-2019-2023": 26, EXAMPLE: 4}
    seeds = {p.id for p in load_catalog(str(default_plans_dir()))}
    assert seeds == {"ophq-2024-2028", "opq-2019-2023"}  # the example stays out of data/plans
    assert [f.name for f in EXAMPLES_DIR.glob("*.yaml")] == [f"{EXAMPLE}.yaml"]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp1252")
    sep = ";" if text.splitlines()[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=sep))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from orchestration.runner import RunOptions, run_pipeline

    root = tmp_path_factory.mktemp("demo")
    plans = demo_plans(root / "plans")
    generate(root / "landing", seed=42, scale=0.05, plans_dir=plans)
    url = f"sqlite:///{root / 'w.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", KEY)
        outcome = run_pipeline(
            RunOptions(
                landing=str(root / "landing"), warehouse=url, plans_dir=str(plans),
                staging=str(root / "staging"), plans=(EXAMPLE,), as_of=AS_OF,
                report=str(root / "rapport.html"), dagster_home=str(root / "home"),
            ),
            echo=lambda _line: None,
        )  # fmt: skip
    assert outcome.ok, outcome.failures
    return root, url


def test_sample_data_covers_the_example(demo):
    root, _ = demo
    register = [
        r
        for f in sorted((root / "landing" / "activity_register").glob("*.csv"))
        for r in _csv_rows(f)
        if r["plan_id"] == EXAMPLE
    ]
    assert {r["indicator_id"] for r in register} == {"1.1.1", "1.1.2", "1.2.1", "2.1.1"}
    amounts = [float(r["quantity"].replace(",", ".")) for r in register
               if r["indicator_id"] == "1.1.1"]  # fmt: skip
    assert all(a >= 1000 for a in amounts)  # dollars, never the count's 1
    [counts] = sorted((root / "landing" / "headcounts").iterdir())
    assert len(_csv_rows(counts)) > 0


def test_the_turnover_rate_is_departures_over_the_mean_headcount(demo):
    root, url = demo
    results = rows_by_key(url, "indicator_result")
    fy = FiscalYear.parse("2024-2025")
    # by hand from the landing files: the year's departure rows of 2.1.1, and each count
    # date's units summed, then averaged over the year's dates
    departures = sum(
        1
        for f in sorted((root / "landing" / "activity_register").glob("*.csv"))
        for r in _csv_rows(f)
        if r["plan_id"] == EXAMPLE and r["indicator_id"] == "2.1.1"
        and fy.start <= dt.date.fromisoformat(r["event_date"]) <= fy.end
    )  # fmt: skip
    per_date: dict[str, float] = defaultdict(float)
    for f in (root / "landing" / "headcounts").iterdir():
        for r in _csv_rows(f):
            if fy.start <= dt.date.fromisoformat(r["count_date"]) <= fy.end:
                per_date[r["count_date"]] += float(r["headcount"].replace(",", "."))
    assert len(per_date) == 4  # the four quarter ends of 2024-2025
    mean = sum(per_date.values()) / len(per_date)
    turnover = results["2.1.1", "2024-2025"]
    assert departures > 0
    assert turnover["value"] == pytest.approx(100 * departures / mean)
    assert (turnover["numerator"], turnover["denominator"]) == (departures, pytest.approx(mean))


def test_the_report_shows_the_cumul_and_the_amounts(demo):
    root, url = demo
    evaluations = rows_by_key(url, "indicator_evaluation")
    for ind in ("1.1.1", "1.1.2", "1.2.1", "2.1.1"):
        assert evaluations[ind, "2024-2025"]["status"] in ("met", "not_met"), ind
    html = (root / "rapport.html").read_text(encoding="utf-8")
    assert f"· cible : ≥ 1,0{NBSP}G$" in html  # the cumul to 2024-2025 and its target
    assert "Cumul jusqu&#x27;en 2024-2025 : " in html
    assert "287,0 M$" in html  # 1.2.1's target, as the plan words it
    # amounts published as millions: a result cell keeps the number (x:num) and shows "…,… M$"
    assert re.search(rf'class="result" x:num="\d+(\.\d+)?">\d+,\d{NBSP}M\$', html)
    assert "Taux de roulement du personnel" in html
