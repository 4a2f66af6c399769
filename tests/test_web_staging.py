"""DuckDB staging of GA4 events: distinct (page_path, user) pairs of a fiscal year (SPEC §3)."""

import gzip

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from plan_indicators.sources.web import stage_web_analytics, validate_web_files

HOST = "https://www.ophq.gouv.qc.ca"


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
        "event_date,event_timestamp,event_name,user_pseudo_id,page_location\n"
        f"20240331,1,page_view,u5,{HOST}/aide\n"  # last day of 2023-2024
        f"20240601,2,page_view,u1,{HOST}/\n"  # /
        f"20240602,3,page_view,u2,http://www.ophq.gouv.qc.ca\n"  # no path → /
        f'20240603,4,page_view,u1,"{HOST}/aide/?q=1,2#x"\n'  # /aide
    )
    (web / "events_2024.csv.gz").write_bytes(gzip.compress(csv.encode()))
    return tmp_path


def test_stage_distinct_pairs_of_the_fiscal_year(tmp_path):
    out = tmp_path / "staging" / "web_analytics" / "fiscal_year=2024-2025" / "part-0.parquet"
    stats = stage_web_analytics(landing(tmp_path), "2024-2025", out)
    pairs = set(pd.read_parquet(out).itertuples(index=False, name=None))
    assert pairs == {
        ("/programmes", "u1"),
        ("/programmes", "u2"),
        ("/aide", "u3"),
        ("/aide", "u2"),
        ("/", "u1"),
        ("/", "u2"),
        ("/aide", "u1"),
    }
    assert stats == {
        "files": 3,
        "rows_scanned": 11,  # 6 + 1 + 4
        "page_views_in_year": 8,  # 11 − scroll − 20250401 − 20240331
        "distinct_pairs": 7,  # 8 page views − the repeated (/programmes, u1)
    }
    assert list(pd.read_parquet(out).columns) == ["page_path", "user_pseudo_id"]
    assert not out.with_name("part-0.parquet.tmp").exists()


def test_next_year_only_sees_its_own_days(tmp_path):
    out = tmp_path / "fy.parquet"
    stats = stage_web_analytics(landing(tmp_path), "2025-2026", out)
    assert stats["distinct_pairs"] == 1  # only 20250401 (/aide, u4)
    assert pd.read_parquet(out).values.tolist() == [["/aide", "u4"]]


def test_no_files_writes_nothing(tmp_path):
    out = tmp_path / "fy.parquet"
    stats = stage_web_analytics(tmp_path, "2024-2025", out)
    assert stats == {"files": 0, "rows_scanned": 0, "page_views_in_year": 0, "distinct_pairs": 0}
    assert not out.exists()


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
