"""DuckDB staging of GA4 events: distinct (page_path, user) pairs of a fiscal year (SPEC §3)."""

import datetime as dt
import gzip

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from plan_indicators.sources.web import (
    stage_web_analytics,
    stage_web_analytics_years,
    validate_web_files,
    web_file_reports,
    web_fiscal_years,
)

HOST = "https://www.ophq.gouv.qc.ca"
HEADER = "event_date,event_timestamp,event_name,user_pseudo_id,page_location\n"


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
    return set(pd.read_parquet(path).itertuples(index=False, name=None))


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
    stats = stage_web_analytics(tmp_path, "2024-2025", out)
    assert pairs_of(out) == {("/programmes", "u1"), ("/programmes", "u2"), ("/aide", "u1")}
    assert stats["rows_scanned"] == 5  # five events in the file
    assert stats["page_views_in_year"] == 4  # 5 − the scroll
    assert stats["distinct_pairs"] == 3  # 4 page views − the repeated (/programmes, u1)


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


def test_stage_distinct_pairs_of_the_fiscal_year(tmp_path):
    out = tmp_path / "staging" / "web_analytics" / "fiscal_year=2024-2025" / "part-0.parquet"
    stats = stage_web_analytics(landing(tmp_path), "2024-2025", out)
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
        "rows_scanned": 14,  # 6 + 1 + 7
        "events_invalid_date": 1,  # 20240231
        # 14 − scroll − 20250401 − 20240331 − 20240231 − the event without user = 9
        "page_views_in_year": 9,
        "distinct_pairs": 8,  # 9 page views − the repeated (/programmes, u1)
    }
    assert list(pd.read_parquet(out).columns) == ["page_path", "user_pseudo_id"]
    assert not out.with_name("part-0.parquet.tmp").exists()


def test_next_year_only_sees_its_own_days(tmp_path):
    out = tmp_path / "fy.parquet"
    stats = stage_web_analytics(landing(tmp_path), "2025-2026", out)
    assert stats["distinct_pairs"] == 1  # only 20250401 (/aide, u4)
    assert pd.read_parquet(out).values.tolist() == [["/aide", "u4"]]


def test_several_years_in_one_scan_and_empty_year(tmp_path):
    root = landing(tmp_path)
    outs = {fy: tmp_path / f"{fy}.parquet" for fy in ("2023-2024", "2024-2025", "2026-2027")}
    stats = stage_web_analytics_years(root, outs)
    assert pairs_of(outs["2023-2024"]) == {("/aide", "u5")}  # 20240331
    assert stats["2024-2025"]["distinct_pairs"] == 8  # as in the single-year test
    assert stats["2026-2027"]["distinct_pairs"] == 0
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
    stats = stage_web_analytics(tmp_path, "2024-2025", tmp_path / "o.parquet")
    assert stats["distinct_pairs"] == 1  # 2025-03-31 in, 2025-04-01 out


def test_no_files_writes_nothing(tmp_path):
    out = tmp_path / "fy.parquet"
    stats = stage_web_analytics(tmp_path, "2024-2025", out)
    assert stats == {
        "files": 0,
        "rows_scanned": 0,
        "events_invalid_date": 0,
        "page_views_in_year": 0,
        "distinct_pairs": 0,
    }
    assert not out.exists()


def test_staging_refuses_a_file_without_required_columns(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    (web / "e.csv").write_text("event_date,event_name,page_location\n20240401,page_view,/x\n")
    out = tmp_path / "o.parquet"
    with pytest.raises(ValueError, match="user_pseudo_id"):
        stage_web_analytics(tmp_path, "2024-2025", out)
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
