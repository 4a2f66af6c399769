"""Coverage per source and fiscal year (issue 12, item 9): a missing calendar range is a gap,
a quiet day is not. Every expectation is counted by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from plan_indicators.coverage import (
    DAY,
    GAP_MIN_ROWS,
    MONTH,
    Gap,
    counts_by_unit,
    source_coverage,
    year_coverage,
)
from plan_indicators.fiscal import FiscalYear

FY = FiscalYear(2024)  # 2024-04-01 .. 2025-03-31
AS_OF = dt.date(2026, 11, 1)


def days(first: dt.date, last: dt.date, n: int = 50) -> dict[dt.date, int]:
    out, d = {}, first
    while d <= last:
        out[d] = n
        d += dt.timedelta(days=1)
    return out


def test_a_missing_month_of_web_files_is_a_gap():
    # 50 events a day from 2024-04-01 to 2024-07-31, June missing entirely.
    counts = {
        d: n for d, n in days(dt.date(2024, 4, 1), dt.date(2024, 7, 31)).items() if d.month != 6
    }
    cov = year_coverage("web_analytics", DAY, counts, FY, AS_OF)
    # Window 2024-04-01 .. 2024-07-31 (the last day with data): 30 + 31 + 30 + 31 = 122 days,
    # 122 - 30 = 92 with data; quiet level 50 (every day has 50), 30 x 50 = 1500 >= 20.
    assert (cov.window_start, cov.window_end) == (dt.date(2024, 4, 1), dt.date(2024, 7, 31))
    assert (cov.expected, cov.covered, cov.quiet_level) == (122, 92, 50)
    assert cov.gaps == (Gap(dt.date(2024, 6, 1), dt.date(2024, 6, 30), 30),)
    assert cov.note_fr() == (
        "données incomplètes : 30 jours sans données en 2024-2025 (du 2024-06-01 au 2024-06-30)"
    )


def test_a_quiet_day_on_a_small_site_is_not_a_gap_but_four_are():
    # 5 events a day all April; one silent day (2024-04-14), then four (2024-04-20..23).
    counts = days(dt.date(2024, 4, 1), dt.date(2024, 4, 30), n=5)
    counts[dt.date(2024, 4, 14)] = 0
    for d in range(20, 24):
        counts[dt.date(2024, 4, d)] = 0
    cov = year_coverage("web_analytics", DAY, counts, FY, AS_OF)
    # Quiet level = 5 (every day with data has 5): 1 x 5 = 5 < 20, not a gap; 4 x 5 = 20, a gap.
    assert GAP_MIN_ROWS == 20
    assert cov.quiet_level == 5
    assert cov.gaps == (Gap(dt.date(2024, 4, 20), dt.date(2024, 4, 23), 4),)
    assert (cov.expected, cov.covered, cov.missing) == (30, 25, 4)


def test_quiet_level_is_the_tenth_percentile_of_units_with_data():
    # Ten days with 1, 2, ..., 10 events, then a silent day, then one day of 100.
    counts = {dt.date(2024, 4, i): i for i in range(1, 11)}
    counts[dt.date(2024, 4, 12)] = 100
    cov = year_coverage("web_analytics", DAY, counts, FY, AS_OF)
    # 11 days with data sorted 1..10, 100: index int(0.1 x 10) = 1 -> 2 events; 1 x 2 < 20.
    assert cov.quiet_level == 2
    assert cov.gaps == ()
    assert cov.expected == 12  # 2024-04-01 .. 2024-04-12


def test_a_missing_month_of_a_monthly_source():
    # 100 requests a month, April 2024 to March 2025, none in August.
    counts = {dt.date(2024 + (m < 4), m, 1): 100 for m in (*range(4, 13), 1, 2, 3) if m != 8}
    cov = year_coverage("service_requests", MONTH, counts, FY, AS_OF)
    # 12 months expected, 11 with data, quiet level 100: 1 x 100 >= 20.
    assert (cov.expected, cov.covered) == (12, 11)
    assert cov.gaps == (Gap(dt.date(2024, 8, 1), dt.date(2024, 8, 31), 1),)
    assert cov.note_fr() == "données incomplètes : 1 mois sans données en 2024-2025 (2024-08)"


def test_window_starts_with_the_source_and_stops_at_its_last_data_or_the_as_of_date():
    # Requests from October 2024 only, through January 2025; as of 2025-02-15.
    dates = [dt.date(2024, 10, 3), dt.date(2024, 11, 5), dt.date(2024, 12, 9), dt.date(2025, 1, 7)]
    counts = counts_by_unit(dates * 30, MONTH)
    cov = year_coverage("service_requests", MONTH, counts, FY, dt.date(2025, 2, 15))
    # April to September come before the source began; February and March after its last
    # data: 4 months expected (October .. January), all with data.
    assert (cov.window_start, cov.expected, cov.covered, cov.gaps) == (
        dt.date(2024, 10, 1), 4, 4, ()
    )  # fmt: skip
    # As of 2024-11-20 the window stops in November: October and November, both with data.
    early = year_coverage("service_requests", MONTH, counts, FY, dt.date(2024, 11, 20))
    assert (early.expected, early.covered, early.window_end) == (2, 2, dt.date(2024, 11, 20))


def test_a_year_without_data_is_absent_not_a_gap():
    counts = days(dt.date(2024, 4, 1), dt.date(2024, 4, 30))
    later = year_coverage("web_analytics", DAY, counts, FiscalYear(2025), AS_OF)
    assert later.absent and later.gaps == () and later.note_fr() is None
    empty = year_coverage("web_analytics", DAY, {}, FY, AS_OF)
    assert empty.absent and empty.expected == 0


def test_source_coverage_spans_the_years_with_data():
    counts = days(dt.date(2023, 3, 1), dt.date(2024, 4, 10))
    years = source_coverage("web_analytics", DAY, counts, AS_OF)
    # 2023-03 is in 2022-2023, 2024-04 in 2024-2025: three fiscal years, none with a gap.
    assert [y.fiscal_year for y in years] == ["2022-2023", "2023-2024", "2024-2025"]
    assert [y.expected for y in years] == [31, 366, 10]  # March 2023; a leap year; 10 days
    assert all(y.complete for y in years)
    assert source_coverage("web_analytics", DAY, counts, dt.date(2020, 1, 1)) == []


def _web_day(folder, day: dt.date, users: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    micros = int(dt.datetime(day.year, day.month, day.day, 12).timestamp() * 1_000_000)
    pq.write_table(
        pa.table(
            {
                "event_date": [day.strftime("%Y%m%d")] * len(users),
                "event_timestamp": [micros + i for i in range(len(users))],
                "event_name": ["page_view"] * len(users),
                "user_pseudo_id": users,
                "page_location": ["https://www.quebec.ca/personnes-handicapees"] * len(users),
            }
        ),
        folder / f"events_{day:%Y%m%d}.parquet",
    )


@pytest.mark.slow
def test_a_missing_month_is_warned_published_and_carried_by_the_result(
    tmp_path, monkeypatch, capsys
):
    """Through `plan-indicators run`: web files for April to July 2024 without June, requests
    from April to October 2024 without August."""
    import dagster as dg

    from assets.keys import result_key
    from orchestration.cli import main
    from plan_indicators import warehouse as wh
    from plan_indicators.catalog import load_catalog

    landing = tmp_path / "landing"
    web = landing / "web_analytics"
    web.mkdir(parents=True)
    for d, n in days(dt.date(2024, 4, 1), dt.date(2024, 7, 31), n=25).items():
        if d.month != 6:  # 25 users a day, named by month: 25 distinct users a month
            _web_day(web, d, [f"{d.month}-{i}" for i in range(n)])
    requests = landing / "service_requests"
    requests.mkdir()
    lines = ["request_id,received_date,channel,requester_id,region_code"]
    for month in (4, 5, 6, 7, 9, 10):  # no August
        lines += [f"R{month}-{i},2024-{month:02d}-{i + 1:02d},web_form,,06" for i in range(28)]
    (requests / "requests.csv").write_text("\n".join(lines) + "\n", "utf-8")

    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "coverage-key-not-secret")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    code = main(
        [
            "run", "--landing", str(landing), "--warehouse", url,
            "--staging", str(tmp_path / "staging"), "--as-of", "2026-11-01",
            "--plan", "ophq-2024-2028", "--report", str(tmp_path / "report.html"),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert code == 0  # a warning, not a failure
    assert out[-1] == "run finished with warnings: see the WARN lines above"
    assert (
        "WARN ingest: check coverage failed on staging/web_analytics: web_analytics : données "
        "incomplètes : 30 jours sans données en 2024-2025 (du 2024-06-01 au 2024-06-30)"
    ) in out
    assert (
        "WARN ingest: check coverage failed on staging/service_requests: service_requests : "
        "données incomplètes : 1 mois sans données en 2024-2025 (2024-08)"
    ) in out
    assert any(line.startswith("  → à corriger : Des jours ou des mois") for line in out)

    # The warehouse table: web window 2024-04-01 .. 2024-07-31 = 122 days, 92 with data;
    # requests April .. October = 7 months, 6 with data, quiet level 28.
    engine = wh.engine_for(url)
    rows = {r["source"]: r for r in wh.table_rows(engine, "source_coverage")}
    web_row, req_row = rows["web_analytics"], rows["service_requests"]
    assert (web_row["expected_units"], web_row["covered_units"], web_row["missing_units"]) == (
        122, 92, 30
    )  # fmt: skip
    assert web_row["gaps"] == '[["2024-06-01", "2024-06-30", 30]]'
    assert (req_row["expected_units"], req_row["covered_units"], req_row["quiet_level"]) == (
        7, 6, 28
    )  # fmt: skip

    # 1.1.1 counts 25 users in each of April, May and July: 75 (June's would make 100), and
    # its materialisation carries the gap.
    (result,) = wh.read_rows(
        engine, wh.indicator_result, indicator_id="1.1.1", fiscal_year="2024-2025"
    )
    assert result["value"] == 75
    ophq = next(p for p in load_catalog() if p.id == "ophq-2024-2028")
    instance = dg.DagsterInstance.get()
    event = instance.get_latest_materialization_event(result_key(ophq, ophq.indicator("1.1.1")))
    meta = event.asset_materialization.metadata
    assert meta["coverage_gaps"].value == {
        "2024-2025": "données incomplètes : 30 jours sans données en 2024-2025 "
        "(du 2024-06-01 au 2024-06-30)"
    }
    assert "| 2024-2025 | web_analytics | 2024-04-01 → 2024-07-31 | 122 | 92 | 30 |" in (
        meta["coverage"].value
    )

    # The report: a short note under each affected result, in the exports' notes too.
    from plan_indicators.report import load_view
    from plan_indicators.report.table import rows as table_rows

    note_web = (
        "données incomplètes : 30 jours sans données en 2024-2025 (du 2024-06-01 au 2024-06-30)"
    )
    note_requests = "données incomplètes : 1 mois sans données en 2024-2025 (2024-08)"
    html = (tmp_path / "report.html").read_text("utf-8")
    assert f'<span class="coverage">{note_web}</span>' in html
    assert f'<span class="coverage">{note_requests}</span>' in html
    view = load_view(engine, plan_ids=["ophq-2024-2028"], as_of=dt.date(2026, 11, 1))
    years = {
        (ind.indicator_id, y.fiscal_year): y for ind in view.plans[0].indicators for y in ind.years
    }
    assert years[("1.1.1", "2024-2025")].coverage == (note_web,)
    assert years[("3.1.1", "2024-2025")].coverage == (note_requests,)
    assert years[("2.2.1", "2024-2025")].coverage == ()  # its source has no gap (no data)
    assert years[("1.1.1", "2025-2026")].coverage == ()
    notes = {(r["indicator_id"], r["fiscal_year"]): r["notes_fr"] for r in table_rows(view)}
    assert note_web in notes[("1.1.1", "2024-2025")]
