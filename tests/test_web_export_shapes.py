"""The GA4 BigQuery export as it comes (docs/contracts.md §4.7.1): nested `event_params` in
Parquet and newline-delimited JSON, daily and intraday tables, counted as the flattened form.

The same seven events are written in every shape; the hand count is the same for all:
pages counted = /aide, /programmes (bits 0 and 1), fiscal year 2024-2025.
  1 20240401 page_view u1 /aide?x=1      -> (/aide, u1)
  2 20240401 page_view u2 /programmes/   -> (/programmes, u2)
  3 20240402 page_view u1 /programmes    -> (/programmes, u1)
  4 20240402 scroll    u3 /aide          -> not a page_view
  5 20240403 page_view u3 /autre         -> not a counted page
  6 20240403 page_view u4 /aide#haut     -> (/aide, u4)
  7 20250401 page_view u5 /aide          -> 2025-2026, another year
Distinct users 2024-2025 = {u1, u2, u4} = 3; page views on counted pages = 1, 2, 3, 6 = 4;
masks: u1 = 0b11 = 3, u2 = 0b10 = 2, u4 = 0b01 = 1.
"""

import contextlib
import datetime as dt
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from plan_indicators.sources.landing import check_landing
from plan_indicators.sources.web import (
    inventory_web_files,
    stage_web_analytics,
    stage_web_analytics_years,
    web_file_reports,
)
from plan_indicators.sources.web.flat import copies_in_background
from plan_indicators.sources.web.inventory import _footer_counts

HOST = "https://www.ophq.gouv.qc.ca"
PAGES = ["/aide", "/programmes"]
T0 = 1_711_944_000_000_000  # 2024-04-01 00:00 EDT in µs
EVENTS = [
    ("20240401", "page_view", "u1", "/aide?x=1"),
    ("20240401", "page_view", "u2", "/programmes/"),
    ("20240402", "page_view", "u1", "/programmes"),
    ("20240402", "scroll", "u3", "/aide"),
    ("20240403", "page_view", "u3", "/autre"),
    ("20240403", "page_view", "u4", "/aide#haut"),
    ("20250401", "page_view", "u5", "/aide"),
]
EXPECTED_MASKS = {"u1": 3, "u2": 2, "u4": 1}

VALUE = pa.struct(
    [
        ("string_value", pa.string()),
        ("int_value", pa.int64()),
        ("float_value", pa.float64()),
        ("double_value", pa.float64()),
    ]
)
EXPORT_SCHEMA = pa.schema(
    [
        ("event_date", pa.string()),
        ("event_timestamp", pa.int64()),
        ("event_name", pa.string()),
        ("event_params", pa.list_(pa.struct([("key", pa.string()), ("value", VALUE)]))),
        ("user_pseudo_id", pa.string()),
        ("device", pa.struct([("category", pa.string()), ("language", pa.string())])),
        ("geo", pa.struct([("country", pa.string()), ("region", pa.string())])),
        (
            "traffic_source",
            pa.struct([("name", pa.string()), ("medium", pa.string()), ("source", pa.string())]),
        ),
    ]
)


def export_row(i, day, name, user, page):
    """One event as BigQuery exports it: the page is one parameter among others, not first."""
    params = [
        {"key": "ga_session_id", "value": {"int_value": 1000 + i}},
        {"key": "page_title", "value": {"string_value": "Office des personnes handicapées"}},
        {"key": "page_location", "value": {"string_value": HOST + page}},
        {"key": "engagement_time_msec", "value": {"int_value": 250, "double_value": None}},
    ]
    return {
        "event_date": day,
        "event_timestamp": T0 + i * 1_000_000,
        "event_name": name,
        "event_params": params,
        "user_pseudo_id": user,
        "device": {"category": "mobile", "language": "fr-ca"},
        "geo": {"country": "Canada", "region": "Quebec"},
        "traffic_source": {"name": "(direct)", "medium": "(none)", "source": "(direct)"},
    }


def write_nested(path, events, first=0):
    rows = [export_row(first + i, *e) for i, e in enumerate(events)]
    pq.write_table(pa.Table.from_pylist(rows, EXPORT_SCHEMA), path)


def write_json(path, events, first=0):
    """BigQuery's JSON export: INT64 as strings, null fields left out."""
    lines = []
    for i, e in enumerate(events):
        row = export_row(first + i, *e)
        row["event_timestamp"] = str(row["event_timestamp"])
        for p in row["event_params"]:
            p["value"] = {
                k: str(v) if k == "int_value" else v for k, v in p["value"].items() if v is not None
            }
        lines.append(json.dumps(row, ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def write_flat(path, events, first=0):
    cols = list(zip(*events, strict=True))
    pq.write_table(
        pa.table(
            {
                "event_date": pa.array(cols[0]),
                "event_timestamp": pa.array([T0 + (first + i) * 10**6 for i in range(len(events))]),
                "event_name": pa.array(cols[1]),
                "user_pseudo_id": pa.array(cols[2]),
                "page_location": pa.array([HOST + p for p in cols[3]]),
            }
        ),
        path,
    )


def by_day(events):
    days: dict[str, list] = {}
    for e in events:
        days.setdefault(e[0], []).append(e)
    return days


def landing_of(tmp_path, writer, suffix):
    """One file per day, as GA4 exports its daily tables."""
    web = tmp_path / "web_analytics"
    web.mkdir()
    first = 0
    for day, events in by_day(EVENTS).items():
        writer(web / f"events_{day}{suffix}", events, first)
        first += len(events)
    return tmp_path


def staged(tmp_path, root):
    out = tmp_path / "out" / "part-0.parquet"
    stats = stage_web_analytics(root, "2024-2025", out, PAGES)
    masks = {r["user_pseudo_id"]: r["pages_0"] for r in pq.read_table(out).to_pylist()}
    return stats, masks


@pytest.mark.parametrize(
    ("writer", "suffix"),
    [
        (write_flat, ".parquet"),
        (write_nested, ".parquet"),
        (write_json, ".json"),
        (write_json, ".json.gz"),
    ],
    ids=["flat-parquet", "nested-parquet", "ndjson", "ndjson-gz"],
)
def test_same_users_in_every_shape(tmp_path, writer, suffix):
    stats, masks = staged(tmp_path, landing_of(tmp_path, writer, suffix))
    assert masks == EXPECTED_MASKS
    assert stats["distinct_users"] == 3  # u1, u2, u4
    assert stats["page_views_in_year"] == 4  # events 1, 2, 3, 6
    assert stats["rows_scanned"] == 7 and stats["events_invalid_date"] == 0
    assert stats["files_scanned"] == 3  # 20240401, 20240402, 20240403; not 20250401


def test_shapes_mixed_in_one_folder(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    days = list(by_day(EVENTS).items())
    write_nested(web / "events_20240401.parquet", days[0][1])
    write_json(web / "events_20240402.json.gz", days[1][1], 2)
    write_flat(web / "events_20240403.parquet", days[2][1], 4)
    (web / "events_20250401.csv").write_text(
        "event_date,event_timestamp,event_name,user_pseudo_id,page_location\n"
        f"20250401,1,page_view,u5,{HOST}/aide\n"
    )
    stats, masks = staged(tmp_path, tmp_path)
    assert masks == EXPECTED_MASKS and stats["distinct_users"] == 3
    shapes = {f.file.rsplit("/", 1)[1]: f.shape for f in inventory_web_files(tmp_path).files}
    assert shapes == {
        "events_20240401.parquet": "parquet_nested",
        "events_20240402.json.gz": "json",
        "events_20240403.parquet": "parquet",
        "events_20250401.csv": "csv",
    }


def test_nested_inventory_comes_from_the_footer(tmp_path):
    root = landing_of(tmp_path, write_nested, ".parquet")
    path = root / "web_analytics" / "events_20240402.parquet"
    # event_date is one leaf among the nested ones: the footer's statistics still settle it.
    rows, invalid, per_year, *_ = _footer_counts(pq.read_metadata(path))
    assert (rows, invalid, per_year) == (2, 0, {"2024-2025": 2})  # events 3 and 4
    inventory = inventory_web_files(root)
    assert inventory.events("2024-2025") == 6 and inventory.events("2025-2026") == 1
    again = inventory_web_files(root, cached=inventory.records())
    assert again.inspected == 0 and again.records() == inventory.records()


def test_json_inventory_counts_days_and_reports(tmp_path):
    root = landing_of(tmp_path, write_json, ".json")
    inventory = inventory_web_files(root)
    assert inventory.errors == []
    assert {f.file: f.day_counts for f in inventory.files} == {
        "web_analytics/events_20240401.json": {"2024-04-01": 2},
        "web_analytics/events_20240402.json": {"2024-04-02": 2},
        "web_analytics/events_20240403.json": {"2024-04-03": 2},
        "web_analytics/events_20250401.json": {"2025-04-01": 1},
    }
    reports = web_file_reports(root, inventory)
    assert sum(r.rows_read for r in reports) == 7
    assert all(r.rows_read == r.rows_staged + r.rows_quarantined for r in reports)
    report = check_landing(root)
    assert report.ok and report.counts()["web_analytics"]["read"] == 7


def test_intraday_table_superseded_by_its_daily_table(tmp_path):
    """GA4 keeps the day's streaming table until the daily one is complete. The intraday
    20240403 holds event 6 again plus u9 on /aide: the daily table of that day replaces it,
    so u9 (a late duplicate day) is not counted and event 6 is not counted twice. The intraday
    20240404 has no daily table yet: it is read (u8 on /programmes)."""
    root = landing_of(tmp_path, write_nested, ".parquet")
    web = root / "web_analytics"
    write_json(
        web / "events_intraday_20240403.json",
        [EVENTS[5], ("20240403", "page_view", "u9", "/aide")],
        20,
    )
    write_nested(web / "events_intraday_20240404.parquet", [("20240404", "page_view", "u8",
                                                             "/programmes")], 30)  # fmt: skip
    stats, masks = staged(tmp_path, root)
    assert masks == {**EXPECTED_MASKS, "u8": 2}  # 3 + u8 = 4 users
    assert stats["page_views_in_year"] == 5  # 4 + u8's view
    assert stats["rows_scanned"] == 8  # 7 daily events + 1 intraday of 20240404
    inventory = inventory_web_files(root)
    [superseded] = [e for e in inventory.ignored if e.rule == "superseded_intraday"]
    assert superseded.file == "web_analytics/events_intraday_20240403.json"
    assert "2024-04-03" in superseded.message
    assert inventory.day_counts()[dt.date(2024, 4, 3)] == 2
    report = check_landing(root)
    assert any("superseded_intraday" in line for line in report.problems())
    assert report.counts()["web_analytics"]["read"] == 8


def test_intraday_table_partly_superseded(tmp_path):
    """An intraday file spanning 20240403 (held by a daily table) and 20240404 (not): only
    the second day's events are read (u8), and the report says how many were left out."""
    root = landing_of(tmp_path, write_flat, ".parquet")
    write_json(
        root / "web_analytics" / "events_intraday_20240403.json",
        [("20240403", "page_view", "u9", "/aide"), ("20240404", "page_view", "u8", "/aide")],
        20,
    )
    stats, masks = staged(tmp_path, root)
    assert masks == {**EXPECTED_MASKS, "u8": 1}  # u9's day is the daily table's
    assert stats["rows_scanned"] == 8  # 7 + the 20240404 event
    [intraday] = [
        r for r in web_file_reports(root) if r.file.endswith("events_intraday_20240403.json")
    ]
    assert (intraday.rows_read, intraday.rows_staged) == (1, 1)
    assert "1 événement(s) de table intraday non lus" in intraday.warnings[0]


def test_export_faults_are_named(tmp_path):
    web = tmp_path / "web_analytics"
    web.mkdir()
    # event_params that is not the export's list of {key, value}
    pq.write_table(
        pa.table(
            {
                "event_date": ["20240401"],
                "event_timestamp": [T0],
                "event_name": ["page_view"],
                "event_params": [["page_location=/aide"]],
                "user_pseudo_id": ["u1"],
            }
        ),
        web / "events_20240401.parquet",
    )
    (web / "events_20240402.json").write_text(
        json.dumps({"event_date": "20240402", "event_name": "page_view"}) + "\n{pas du json\n"
    )
    (web / "events_20240403.json").write_text(
        json.dumps(
            {
                "event_date": "20240403",
                "event_timestamp": "1",
                "event_name": "page_view",
                "user_pseudo_id": "u1",
            }  # fmt: skip
        )
        + "\n"
    )
    errors = {(e.file.rsplit("/", 1)[1], e.line, e.column, e.rule) for e in check_landing(
        tmp_path).errors}  # fmt: skip
    assert errors == {
        ("events_20240401.parquet", 1, "event_params", "missing_column"),
        ("events_20240402.json", 2, None, "unreadable"),  # the line that is not JSON
        ("events_20240403.json", 1, "page_location", "missing_column"),  # no page at all
    }


@pytest.mark.parametrize("background", [False, True], ids=["copies first", "copies meanwhile"])
def test_export_files_staged_through_flattened_copies(tmp_path, background):
    """Staging with a cache folder scans a flattened copy of each nested or JSON file, written
    once per file version under the staging folder, and counts what the files themselves give:
    the same 3 users and 4 page views of the module docstring. Within `copies_in_background()`
    (`plan-indicators run`), a file without its copy yet is scanned itself while a thread
    writes the copy: the same counts, the same copies once the block ends."""
    web = tmp_path / "landing" / "web_analytics"
    web.mkdir(parents=True)
    days = list(by_day(EVENTS).items())
    write_nested(web / "events_20240401.parquet", days[0][1])  # events 1, 2
    write_json(web / "events_20240402.json", days[1][1], 2)  # events 3, 4
    write_flat(web / "events_20240403.parquet", days[2][1], 4)  # events 5, 6: no copy
    write_nested(web / "events_20250401.parquet", days[3][1], 6)  # event 7, another year
    landing = tmp_path / "landing"
    before = {p: p.stat().st_mtime_ns for p in web.iterdir()}
    cache = tmp_path / "staging" / "cache" / "web_analytics"
    out = tmp_path / "staging" / "part-0.parquet"

    def stage():
        with copies_in_background() if background else contextlib.nullcontext():
            inventory = inventory_web_files(landing, cache_dir=cache)
            stats = stage_web_analytics_years(landing, {"2024-2025": out}, PAGES, inventory)
        masks = {r["user_pseudo_id"]: r["pages_0"] for r in pq.read_table(out).to_pylist()}
        return inventory, stats["2024-2025"], masks

    inventory, stats, masks = stage()
    scanned = {path.parent for path, _shape in inventory._scan_paths.values()}
    assert scanned == ({web} if background else {web, cache})  # 20240403 is flat: no copy
    assert masks == EXPECTED_MASKS and stats["distinct_users"] == 3
    assert stats["page_views_in_year"] == 4 and stats["rows_scanned"] == 7
    # Copies of the two export files of 2024-2025 only (the 2025-2026 one is not scanned), with
    # one row per event: 2 of 20240401 and 2 of 20240402.
    assert inventory.cache.written == 2
    copies = sorted(cache.glob("*.parquet"))
    assert sorted(pq.read_metadata(c).num_rows for c in copies) == [2, 2]
    assert pq.read_schema(copies[0]).names == [
        "event_date", "event_timestamp", "event_name", "user_pseudo_id", "page_location",
    ]  # fmt: skip
    # The inventory is the footers' and the JSON scan's, with or without copies.
    assert inventory.records() == inventory_web_files(landing).records()
    # The landing zone is untouched.
    assert {p: p.stat().st_mtime_ns for p in web.iterdir()} == before
    # A second run reads the copies and writes none.
    inventory, stats, masks = stage()
    assert inventory.cache.written == 0 and masks == EXPECTED_MASKS
    assert sorted(cache.glob("*.parquet")) == copies
    # 20240401 exported again with u7 on /aide added: a new copy replaces the old one, and
    # u7 counts (3 + 1 = 4 users, 4 + 1 = 5 views).
    write_nested(web / "events_20240401.parquet", [*days[0][1], ("20240401", "page_view", "u7",
                                                                 "/aide")])  # fmt: skip
    inventory, stats, masks = stage()
    assert inventory.cache.written == 1 and masks == {**EXPECTED_MASKS, "u7": 1}
    assert (stats["distinct_users"], stats["page_views_in_year"]) == (4, 5)
    assert len(list(cache.glob("*.parquet"))) == 2
    # 20240402 removed: its copy goes too; u1 keeps /aide only (mask 1), u2 and u4 stay,
    # u7 stays: 4 users, views 1, 2, 6 and u7's = 4.
    (web / "events_20240402.json").unlink()
    inventory, stats, masks = stage()
    assert masks == {"u1": 1, "u2": 2, "u4": 1, "u7": 1} and stats["page_views_in_year"] == 4
    assert len(list(cache.glob("*.parquet"))) == 1


def test_of_two_intraday_snapshots_of_a_day_only_the_latest_is_read(tmp_path):
    """20240404 has no daily table yet and was exported twice while GA4 streamed it:
      A  events_intraday_20240404.parquet            u8 /programmes (T0+40 s), u10 /aide (+41 s)
      B  events_intraday_20240404_000000000000.parquet  u8 /programmes (+40 s), u10 /aide (+41 s)
         events_intraday_20240404_000000000001.parquet  u11 /programmes (+50 s)
    B is one export in two shards (BigQuery's 12-digit numbers), whose last event (+50 s) is
    later than A's (+41 s): B is read, A is named. 2024-2025 then has the docstring's u1, u2,
    u4 (4 views) plus u8 (mask 2), u10 (1), u11 (2): 6 users, 4 + 3 = 7 views (A read too
    would give 9); events read = 7 daily + 3 of B = 10."""
    root = landing_of(tmp_path, write_nested, ".parquet")
    web = root / "web_analytics"
    day = [
        ("20240404", "page_view", "u8", "/programmes"),
        ("20240404", "page_view", "u10", "/aide"),
    ]
    write_nested(web / "events_intraday_20240404.parquet", day, 40)
    write_nested(web / "events_intraday_20240404_000000000000.parquet", day, 40)
    write_nested(
        web / "events_intraday_20240404_000000000001.parquet",
        [("20240404", "page_view", "u11", "/programmes")],
        50,
    )
    expected = {**EXPECTED_MASKS, "u8": 2, "u10": 1, "u11": 2}
    stats, masks = staged(tmp_path, root)
    assert masks == expected
    assert (stats["distinct_users"], stats["page_views_in_year"]) == (6, 7)
    assert stats["rows_scanned"] == 10
    # The same through the flattened copies staging keeps (only B's shards are copied, with
    # the daily tables of 2024-2025: 3 + 2 = 5 copies).
    inventory = inventory_web_files(root, cache_dir=tmp_path / "cache")
    out = tmp_path / "cached.parquet"
    [cached] = stage_web_analytics_years(root, {"2024-2025": out}, PAGES, inventory).values()
    assert {r["user_pseudo_id"]: r["pages_0"] for r in pq.read_table(out).to_pylist()} == expected
    assert (cached["page_views_in_year"], inventory.cache.written) == (7, 5)
    [named] = [e for e in inventory.ignored if e.rule == "superseded_intraday"]
    assert named.file == "web_analytics/events_intraday_20240404.parquet"
    assert "events_intraday_20240404_000000000000.parquet (2024-04-04)" in named.message
    report = check_landing(root)
    assert report.counts()["web_analytics"]["read"] == 10
    assert any(
        "superseded_intraday" in line and "events_intraday_20240404.parquet" in line
        for line in report.problems()
    )


def test_same_snapshot_exported_twice_reads_the_last_written(tmp_path):
    """The same intraday snapshot saved as Parquet, then as JSON (same events, same last
    event): the file written last is read, the other named. u8 on /programmes counts once:
    users 3 + 1 = 4, views 4 + 1 = 5."""
    import os

    root = landing_of(tmp_path, write_flat, ".parquet")
    web = root / "web_analytics"
    day = [("20240404", "page_view", "u8", "/programmes")]
    write_nested(web / "events_intraday_20240404.parquet", day, 40)
    write_json(web / "events_intraday_20240404.json", day, 40)
    os.utime(web / "events_intraday_20240404.parquet", ns=(10**18, 10**18))
    os.utime(web / "events_intraday_20240404.json", ns=(2 * 10**18, 2 * 10**18))
    stats, masks = staged(tmp_path, root)
    assert masks == {**EXPECTED_MASKS, "u8": 2}
    assert (stats["distinct_users"], stats["page_views_in_year"]) == (4, 5)
    [named] = [e for e in inventory_web_files(root).ignored if e.rule == "superseded_intraday"]
    assert named.file == "web_analytics/events_intraday_20240404.parquet"
    assert "events_intraday_20240404.json (2024-04-04)" in named.message


def test_snapshot_names():
    """Shards of one export share a snapshot; another name, format or sharding is another."""
    from plan_indicators.sources.web.inventory import snapshot_of

    shards = {snapshot_of(f"w/events_intraday_20240404_00000000000{i}.parquet") for i in range(3)}
    assert shards == {"w/events_intraday_20240404*.parquet"}
    assert snapshot_of("w/events_intraday_20240404-000000000000.json.gz") == (
        "w/events_intraday_20240404*.json.gz"
    )
    assert snapshot_of("w/events_intraday_20240404.parquet") == (
        "w/events_intraday_20240404.parquet"
    )
    assert snapshot_of("w/events_intraday_20240404_1400.csv") == (
        "w/events_intraday_20240404_1400.csv"
    )


def test_a_file_the_batch_cannot_read_is_named_by_its_own_copy(tmp_path):
    """A first read copies export files in one statement; when one of them cannot be read
    (changed into something that is not Parquet after it was inventoried), the batch writes
    nothing and the file-by-file copy fails naming that file, the good one copied."""
    from plan_indicators.sources.web.flat import FlatCache
    from plan_indicators.sources.web.sql import PARQUET_NESTED

    good, bad = tmp_path / "good.parquet", tmp_path / "bad.parquet"
    write_nested(good, [("20240401", "page_view", "u1", "/aide")])
    write_nested(bad, [("20240402", "page_view", "u2", "/aide")])
    bad.write_bytes(b"not parquet any more")
    cache = FlatCache(tmp_path / "cache")
    wanted = [((p, PARQUET_NESTED), p.name, p.stat().st_size, p.stat().st_mtime_ns, 1)
              for p in (good, bad)]  # fmt: skip
    cache.prepare(wanted)
    assert cache.written == 0 and not list((tmp_path / "cache").glob("*"))
    copy, _shape = cache.path(*wanted[0])
    assert pq.read_metadata(copy).num_rows == 1 and cache.written == 1
    with pytest.raises(Exception, match="bad.parquet"):
        cache.path(*wanted[1])
    cache.close()


def test_copies_written_together_replace_their_earlier_versions(tmp_path):
    """Two nested files changed at once are copied in one batch; each new copy replaces its
    file's earlier one, and the others' copies stay."""
    web = tmp_path / "landing" / "web_analytics"
    web.mkdir(parents=True)
    days = list(by_day(EVENTS).items())
    write_nested(web / "events_20240401.parquet", days[0][1])  # events 1, 2
    write_nested(web / "events_20240402.parquet", days[1][1], 2)  # events 3, 4
    write_nested(web / "events_20240403.parquet", days[2][1], 4)  # events 5, 6
    landing, cache = tmp_path / "landing", tmp_path / "cache"
    out = tmp_path / "staged.parquet"

    def stage() -> tuple[int, set[str]]:
        inventory = inventory_web_files(landing, cache_dir=cache)
        stage_web_analytics_years(landing, {"2024-2025": out}, PAGES, inventory)
        return inventory.cache.written, {c.name for c in cache.glob("*.parquet")}

    written, first = stage()
    assert written == 3 and len(first) == 3
    extra = ("20240401", "page_view", "u7", "/aide")
    write_nested(web / "events_20240401.parquet", [*days[0][1], extra])
    write_nested(web / "events_20240402.parquet", [*days[1][1], ("20240402", *extra[1:])], 2)
    written, second = stage()
    # Two new copies, the two they replace gone, 20240403's kept: still three.
    assert written == 2 and len(second) == 3 and len(first & second) == 1
    rows = sorted(pq.read_metadata(cache / name).num_rows for name in second - first)
    assert rows == [3, 3]  # 2 + 1 events each


def test_a_file_changed_after_the_inventory_fails_staging_when_copies_come_later(tmp_path):
    """Scanned as it is while its copy waits, an export file must still be the version the
    inventory counted, as a copy's row count checks otherwise: rewritten in between, staging
    fails and says which file."""
    web = tmp_path / "landing" / "web_analytics"
    web.mkdir(parents=True)
    days = list(by_day(EVENTS).items())
    write_nested(web / "events_20240401.parquet", days[0][1])
    write_nested(web / "events_20240402.parquet", days[1][1], 2)
    landing, cache = tmp_path / "landing", tmp_path / "cache"
    with copies_in_background():
        inventory = inventory_web_files(landing, cache_dir=cache)
        extra = ("20240401", "page_view", "u7", "/aide")
        write_nested(web / "events_20240401.parquet", [*days[0][1], extra])
        with pytest.raises(ValueError, match="events_20240401.parquet: changed since"):
            stage_web_analytics_years(
                landing, {"2024-2025": tmp_path / "staged.parquet"}, PAGES, inventory
            )
