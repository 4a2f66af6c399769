"""DuckDB staging of GA4 events: per fiscal year, the users and which catalog pages each viewed."""

import datetime as dt
import gzip
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from plan_indicators.sources.web import (
    inventory_web_files,
    stage_web_analytics,
    stage_web_analytics_years,
    validate_web_files,
    web_file_reports,
    web_fiscal_years,
)

HOST = "https://www.ophq.gouv.qc.ca"
HEADER = "event_date,event_timestamp,event_name,user_pseudo_id,page_location\n"
PAGES = ["/", "/aide", "/programmes"]  # what the catalog counts, as staging receives it


def parquet(path, rows, date_type=None):
    cols = list(zip(*rows, strict=True))
    pq.write_table(
        pa.table(
            {
                "event_date": pa.array(cols[0], date_type or pa.string()),
                "event_timestamp": pa.array([1_700_000_000_000_000] * len(rows), pa.int64()),
                "event_name": pa.array(cols[1]),
                "user_pseudo_id": pa.array(cols[2]),
                "page_location": pa.array(cols[3]),
            }
        ),
        path,
    )


def pairs_of(path):
    """(page, user) pairs decoded from a staged file: bit i of pages_<i // 64> is page i of the
    page list kept in the file's Parquet metadata."""
    table = pq.read_table(path)
    pages = json.loads(table.schema.metadata[b"plan_indicators_pages"])
    rows = table.to_pylist()
    return {
        (page, row["user_pseudo_id"])
        for row in rows
        for i, page in enumerate(pages)
        if row[f"pages_{i // 64}"] >> (i % 64) & 1
    }


def test_five_events_three_pairs_from_csv(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    (web / "e.csv").write_text(
        HEADER
        + f"20240510,1,page_view,u1,{HOST}/programmes/\n"  # (/programmes, u1)
        + f"20240511,2,page_view,u1,{HOST}/programmes?utm_source=fb\n"  # same pair again
        + f"20240512,3,page_view,u2,{HOST}/programmes#haut\n"  # (/programmes, u2)
        + f"20240513,4,scroll,u3,{HOST}/programmes\n"  # not a page_view: ignored
        + f"20240514,5,page_view,u1,{HOST.upper()}/aide/\n"  # (/aide, u1); host case dropped
    )
    out = tmp_path / "out" / "part-0.parquet"
    stats = stage_web_analytics(tmp_path, "2024-2025", out, PAGES)
    assert pairs_of(out) == {("/programmes", "u1"), ("/programmes", "u2"), ("/aide", "u1")}
    assert stats["rows_scanned"] == 5  # five events in the file
    assert stats["page_views_in_year"] == 4  # 5 − the scroll
    assert stats["distinct_users"] == 2  # u1 (/programmes and /aide), u2 (/programmes)
    assert pd.read_parquet(out).shape == (2, 3)  # one row per user: user, pages_0, views


def landing(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    parquet(
        web / "events_a.parquet",
        [
            ("20240401", "page_view", "u1", f"{HOST}/programmes/"),  # /programmes
            ("20240402", "page_view", "u1", f"{HOST}/programmes?utm=x"),  # same pair
            ("20240403", "page_view", "u2", f"{HOST}/programmes#top"),  # /programmes
            ("20240404", "scroll", "u3", f"{HOST}/programmes"),  # not a page_view
            ("20250331", "page_view", "u3", f"{HOST}/aide/"),  # last day of 2024-2025
            ("20250401", "page_view", "u4", f"{HOST}/aide"),  # first day of 2025-2026
        ],
    )
    parquet(
        web / "events_b.parquet",
        [(20241010, "page_view", "u2", f"{HOST}/aide")],  # integer event_date
        pa.int64(),
    )
    csv = (
        HEADER
        + f"20240331,1,page_view,u5,{HOST}/aide\n"  # last day of 2023-2024
        + f"20240601,2,page_view,u1,{HOST}/\n"  # /
        + "20240602,3,page_view,u2,http://www.ophq.gouv.qc.ca\n"  # no path → /
        + f'20240603,4,page_view,u1,"{HOST}/aide/?q=1,2#x"\n'  # /aide
        + f"2024-06-04,5,page_view,u6,{HOST}/aide\n"  # dashes tolerated: (/aide, u6)
        + f"20240231,6,page_view,u7,{HOST}/aide\n"  # 31 February: not a day
        + f"20240605,7,page_view,,{HOST}/aide\n"  # no user (consent): cannot be counted
    )
    (web / "events_2024.csv.gz").write_bytes(gzip.compress(csv.encode()))
    return tmp_path


def test_stage_users_and_their_pages_of_the_fiscal_year(tmp_path):
    out = tmp_path / "staging" / "web_analytics" / "fiscal_year=2024-2025" / "part-0.parquet"
    stats = stage_web_analytics(landing(tmp_path), "2024-2025", out, PAGES)
    assert pairs_of(out) == {
        ("/programmes", "u1"),
        ("/programmes", "u2"),
        ("/aide", "u3"),
        ("/aide", "u2"),
        ("/", "u1"),
        ("/", "u2"),
        ("/aide", "u1"),
        ("/aide", "u6"),
    }
    assert stats == {
        "files": 3,
        "files_scanned": 3,  # each file holds at least one day of 2024-2025
        "rows_scanned": 14,  # 6 + 1 + 7
        "events_invalid_date": 1,  # 20240231
        # 14 − scroll − 20250401 − 20240331 − 20240231 − the event without user = 9
        "page_views_in_year": 9,
        "distinct_users": 4,  # u1, u2, u3, u6
    }
    assert list(pd.read_parquet(out).columns) == ["user_pseudo_id", "pages_0", "views"]
    views = pd.read_parquet(out).set_index("user_pseudo_id")["views"].to_dict()
    # u1: /programmes ×2, / , /aide = 4; u2: /programmes, / (bare host) = 2 (+ /aide on
    # 20241010 from events_b) = 3; u3: /aide = 1; u6: /aide = 1 → 4 + 3 + 1 + 1 = 9 views
    assert views == {"u1": 4, "u2": 3, "u3": 1, "u6": 1}
    assert not out.with_name("part-0.parquet.tmp").exists()


def test_next_year_only_sees_its_own_days(tmp_path):
    out = tmp_path / "fy.parquet"
    stats = stage_web_analytics(landing(tmp_path), "2025-2026", out, PAGES)
    assert stats["distinct_users"] == 1  # only 20250401 (/aide, u4)
    assert stats["files_scanned"] == 1  # only events_a holds a day of 2025-2026
    assert pairs_of(out) == {("/aide", "u4")}


def test_several_years_in_one_scan_and_empty_year(tmp_path):
    root = landing(tmp_path)
    outs = {fy: tmp_path / f"{fy}.parquet" for fy in ("2023-2024", "2024-2025", "2026-2027")}
    stats = stage_web_analytics_years(root, outs, PAGES)
    assert pairs_of(outs["2023-2024"]) == {("/aide", "u5")}  # 20240331
    assert stats["2024-2025"]["distinct_users"] == 4  # as in the single-year test
    assert stats["2026-2027"]["distinct_users"] == 0
    # No event at all in 2026-2027: no staged file, so distinct_users reports no data, never 0.
    assert not outs["2026-2027"].exists()


def test_date_typed_event_date(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    parquet(
        web / "d.parquet",
        [(dt.date(2025, 3, 31), "page_view", "u1", f"{HOST}/a"),
         (dt.date(2025, 4, 1), "page_view", "u2", f"{HOST}/a")],
        pa.date32(),
    )  # fmt: skip
    stats = stage_web_analytics(tmp_path, "2024-2025", tmp_path / "o.parquet", ["/a"])
    assert stats["distinct_users"] == 1  # 2025-03-31 in, 2025-04-01 out


def test_no_files_writes_nothing(tmp_path):
    out = tmp_path / "fy.parquet"
    stats = stage_web_analytics(tmp_path, "2024-2025", out, PAGES)
    assert stats == {
        "files": 0,
        "files_scanned": 0,
        "rows_scanned": 0,
        "events_invalid_date": 0,
        "page_views_in_year": 0,
        "distinct_users": 0,
    }
    assert not out.exists()


def test_staging_refuses_a_file_without_required_columns(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    (web / "e.csv").write_text("event_date,event_name,page_location\n20240401,page_view,/x\n")
    out = tmp_path / "o.parquet"
    with pytest.raises(ValueError, match="user_pseudo_id"):
        stage_web_analytics(tmp_path, "2024-2025", out, PAGES)
    assert not out.exists()


def test_web_fiscal_years(tmp_path):
    assert web_fiscal_years(tmp_path) == []
    # days 20240331, 2024-04..2025-03, 20250401 (the invalid 20240231 has no year)
    assert web_fiscal_years(landing(tmp_path)) == ["2023-2024", "2024-2025", "2025-2026"]


def test_validate_web_files(tmp_path):
    root = landing(tmp_path)
    assert validate_web_files(root) == []
    web = root / "web_analytics"
    (web / "events_c.csv").write_text("event_date,event_name,page_location\n20240401,x,y\n")
    (web / "events_d.csv").write_bytes(b"")
    (web / "events_e.parquet").write_bytes(b"not parquet")
    got = [(e.file, e.column, e.rule) for e in validate_web_files(root)]
    assert got == [
        ("web_analytics/events_c.csv", "event_timestamp", "missing_column"),
        ("web_analytics/events_c.csv", "user_pseudo_id", "missing_column"),
        ("web_analytics/events_d.csv", None, "empty_file"),
        ("web_analytics/events_e.parquet", None, "unreadable"),
    ]


def test_web_file_reports_count_events(tmp_path):
    reports = {r.file: r for r in web_file_reports(landing(tmp_path))}
    csv = reports["web_analytics/events_2024.csv.gz"]
    # 7 events, one (20240231) without a valid day: 7 = 6 + 1
    assert (csv.rows_read, csv.rows_staged, csv.rows_quarantined) == (7, 6, 1)
    assert csv.warnings and "event_date" in csv.warnings[0]
    a = reports["web_analytics/events_a.parquet"]
    assert (a.rows_read, a.rows_quarantined, a.warnings) == (6, 0, [])
    assert len(reports) == 3


def daily_landing(tmp_path):
    """Three daily files as GA4 exports them: one day each, so footers tell the counts."""
    web = tmp_path / "web_analytics"
    web.mkdir()
    for day, n in (("20240331", 2), ("20240401", 3), ("20250401", 1)):
        parquet(
            web / f"events_{day}.parquet",
            [(day, "page_view", f"u{i}", f"{HOST}/aide") for i in range(n)],
        )
    return tmp_path


def test_inventory_from_footers_and_reused_while_files_are_unchanged(tmp_path):
    root = daily_landing(tmp_path)
    first = inventory_web_files(root)
    assert first.inspected == 3
    # 20240331 -> 2023-2024 (2 events); 20240401 -> 2024-2025 (3); 20250401 -> 2025-2026 (1)
    assert {f.file: f.events_per_year for f in first.files} == {
        "web_analytics/events_20240331.parquet": {"2023-2024": 2},
        "web_analytics/events_20240401.parquet": {"2024-2025": 3},
        "web_analytics/events_20250401.parquet": {"2025-2026": 1},
    }
    assert (first.rows, first.invalid_dates, first.last_day) == (6, 0, dt.date(2025, 4, 1))
    again = inventory_web_files(root, cached=first.records())
    assert again.inspected == 0 and again.records() == first.records()
    # A new day arrives: only that file is read.
    parquet(
        root / "web_analytics" / "events_20250402.parquet",
        [("20250402", "page_view", "u9", f"{HOST}/aide")],
    )
    newer = inventory_web_files(root, cached=again.records())
    assert newer.inspected == 1
    assert newer.events("2025-2026") == 2  # 1 on 20250401 + 1 on 20250402
    # A file rewritten in place (size changes) is read again.
    parquet(
        root / "web_analytics" / "events_20240401.parquet",
        [("20240401", "page_view", "u1", f"{HOST}/aide")] * 5,
    )
    rewritten = inventory_web_files(root, cached=newer.records())
    assert rewritten.inspected == 1 and rewritten.events("2024-2025") == 5


@pytest.mark.parametrize(
    ("values", "date_type", "expected"),
    [
        # one valid day in every row, whatever its type: all 2 events in 2024-2025
        (["2024-04-01", "2024-04-01"], None, (0, {"2024-2025": 2})),
        ([20240401, 20240401], pa.int64(), (0, {"2024-2025": 2})),
        ([dt.date(2024, 4, 1)] * 2, pa.date32(), (0, {"2024-2025": 2})),
        # one value that is not a day (31 February): both events invalid
        (["20240231", "20240231"], None, (2, {})),
        # a missing day next to a valid one: the footer cannot settle it, a scan does
        (["20240401", None], None, (1, {"2024-2025": 1})),
        # two days in one file, across the fiscal year boundary
        (["20240331", "20240401"], None, (0, {"2023-2024": 1, "2024-2025": 1})),
    ],
)
def test_inventory_counts_match_the_rows(tmp_path, values, date_type, expected):
    web = tmp_path / "web_analytics"
    web.mkdir()
    parquet(
        web / "e.parquet",
        [(v, "page_view", "u1", f"{HOST}/aide") for v in values],
        date_type,
    )
    [f] = inventory_web_files(tmp_path).files
    assert (f.invalid_dates, f.events_per_year) == expected
    assert f.rows == len(values)


def test_staging_scans_only_the_files_of_the_year(tmp_path):
    root = daily_landing(tmp_path)
    stats = stage_web_analytics(root, "2024-2025", tmp_path / "o.parquet", PAGES)
    assert stats["files"] == 3 and stats["files_scanned"] == 1  # only events_20240401
    assert stats["distinct_users"] == 3  # u0, u1, u2 on /aide


def test_no_catalog_page_keeps_no_pair(tmp_path):
    stats = stage_web_analytics(daily_landing(tmp_path), "2024-2025", tmp_path / "o.parquet", [])
    assert stats["distinct_users"] == 0 and stats["page_views_in_year"] == 0
    assert pd.read_parquet(tmp_path / "o.parquet").empty  # the year has events: file, no rows


def test_catalog_pages_keep_their_paths(tmp_path):
    out = tmp_path / "o.parquet"
    # /aide is counted, /programmes is not in the list: only the three /aide views of 20240401
    stage_web_analytics(daily_landing(tmp_path), "2024-2025", out, ["/programmes", "/aide"])
    assert pairs_of(out) == {("/aide", "u0"), ("/aide", "u1"), ("/aide", "u2")}


def test_more_than_64_pages_use_a_second_mask_and_the_measure_reads_it(tmp_path):
    from measure_fixtures import run

    from plan_indicators.staging import ParquetStagedData

    pages = [f"/p{i:02d}" for i in range(70)]  # sorted: /p00 .. /p69, bits 0 .. 69
    web = tmp_path / "web_analytics"
    web.mkdir()
    parquet(
        web / "e.parquet",
        [
            ("20240501", "page_view", "u1", f"{HOST}/p65"),  # bit 65: pages_1, bit 1
            ("20240501", "page_view", "u2", f"{HOST}/p03"),  # bit 3: pages_0
            ("20240502", "page_view", "u2", f"{HOST}/p64/"),  # bit 64: pages_1, bit 0
        ],
    )
    out = ParquetStagedData(tmp_path / "staging").web_path("2024-2025")
    stage_web_analytics(tmp_path, "2024-2025", out, pages)
    frame = pd.read_parquet(out).set_index("user_pseudo_id")
    assert list(frame.columns) == ["pages_0", "pages_1", "views"]
    assert frame.loc["u1"].tolist() == [0, 2, 1]  # 2**1; one view
    assert frame.loc["u2"].tolist() == [8, 1, 2]  # 2**3, 2**0; two views
    assert pairs_of(out) == {("/p65", "u1"), ("/p03", "u2"), ("/p64", "u2")}
    root = tmp_path / "staging"
    assert run("distinct_users", root, {"pages": ["/p65"]}).value == 1.0  # u1
    assert run("distinct_users", root, {"pages": ["/p64", "/p03"]}).value == 1.0  # u2 once
    assert run("distinct_users", root, {"pages": ["/p03", "/p65"]}).value == 2.0  # u1, u2
    assert run("distinct_users", root, {"pages": ["/p10"]}).value == 0.0
