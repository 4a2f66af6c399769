"""Incremental raw validation (issue 14 item 6): the raw suites run on the files new or changed
since the last read, the others' results come from the raw manifest, and the outcome is the
one of a validation of the whole frame, failures included."""

import dataclasses
import hashlib
import json

import dagster as dg

from expectations.incremental import validate_files
from expectations.runner import catalog_parameters, validate
from plan_indicators.sources.readers import read_source

SOURCE = "coordination_requests"
SUITE = f"raw_{SOURCE}"
HEADER = "request_id,region_code,received_date,eligible,processed_date\n"
PARAMS = {"first_day": "2024-04-01", "last_day": "2026-03-31"}


def _write(root, name: str, body: str):
    folder = root / SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(HEADER + body, "utf-8")


def _landing(root):
    # a.csv: fine. b.csv: line 3 dated 2023-06-01, before PARAMS' first day (date_in_plan_years,
    # a warning the readers let through). c.csv: fine.
    _write(root, "a.csv", "C1,06,2024-05-01,1,\nC2,06,2024-05-02,0,\n")
    _write(root, "b.csv", "C3,09,2024-06-01,1,\nC4,03,2023-06-01,1,\n")
    _write(root, "c.csv", "C5,05,2025-01-10,1,\nC6,04,2025-01-11,1,\n")


def _corrupt(frame):
    """What the readers never stage, as a corrupted raw file would hold: frame rows 0-5 are
    a.csv lines 2-3, b.csv lines 2-3, c.csv lines 2-3."""
    frame.loc[1, "request_id"] = None  # a.csv line 3 without its key: key_not_null, an error
    frame.loc[2, "region_code"] = "99"  # b.csv line 2: allowed_values
    frame.loc[4, "request_id"] = "C1"  # c.csv line 2 repeats a.csv's C1: key_unique, across
    frame.loc[5, "region_code"] = "42"  # c.csv line 3: allowed_values
    return frame


def _read(root):
    read = read_source(root, SOURCE)
    assert read.errors == []
    files = [dataclasses.asdict(f) for f in read.files]
    return read.frame, files


def _plain(outcome):
    return dataclasses.asdict(outcome)


def test_incremental_outcome_is_the_full_one_and_reused(tmp_path):
    _landing(tmp_path)
    frame, files = _read(tmp_path)
    frame = _corrupt(frame)
    full = validate(SUITE, frame, PARAMS)
    assert not full.success
    assert [(f.rule, f.unexpected_count) for f in full.failures] == [
        ("key_not_null", 1),
        ("key_unique", 2),
        ("allowed_values", 2),
        ("date_in_plan_years", 1),
    ]
    first = validate_files(SUITE, frame, files, PARAMS, None)
    assert _plain(first.outcome) == _plain(full)
    assert first.validated == [f["file"] for f in files] and first.reused == []
    # The rows named are where they are in the frame: a.csv line 3, b.csv line 2, c.csv line 3.
    rows = {f.rule: f.rows for f in first.outcome.failures}
    assert rows["key_not_null"] == [f"{SOURCE}/a.csv:3"]
    assert rows["allowed_values"] == [f"{SOURCE}/b.csv:2", f"{SOURCE}/c.csv:3"]

    cache = json.loads(json.dumps(first.cache))  # as the manifest keeps it
    again = validate_files(SUITE, frame, files, PARAMS, cache)
    assert again.validated == [] and len(again.reused) == 3 and not again.across_validated
    # The failure is cached too: the same error fails the check again, nothing validated.
    assert _plain(again.outcome) == _plain(full)


def test_changed_removed_and_new_files_and_a_new_suite_window(tmp_path):
    _landing(tmp_path)
    frame, files = _read(tmp_path)
    cache = validate_files(SUITE, frame, files, PARAMS, None).cache

    # b.csv changes (same name, new content), c.csv is removed, d.csv is new.
    _write(tmp_path, "b.csv", "C3,09,2024-06-02,1,\nC4,03,2023-06-01,1,\n")
    (tmp_path / SOURCE / "c.csv").unlink()
    _write(tmp_path, "d.csv", "C7,01,2025-02-01,1,\n")
    frame, files = _read(tmp_path)
    later = validate_files(SUITE, frame, files, PARAMS, cache)
    assert later.validated == [f"{SOURCE}/b.csv", f"{SOURCE}/d.csv"]
    assert later.reused == [f"{SOURCE}/a.csv"] and later.across_validated
    assert sorted(later.cache["files"]) == [f"{SOURCE}/{n}" for n in ("a.csv", "b.csv", "d.csv")]
    assert _plain(later.outcome) == _plain(validate(SUITE, frame, PARAMS))
    # b.csv line 3 is still dated 2023-06-01, before 2024-04-01.
    assert [(f.rule, f.rows) for f in later.outcome.failures] == [
        ("date_in_plan_years", [f"{SOURCE}/b.csv:3"])
    ]

    # Another catalog window changes the suite's parameters: every file again; 2023-06-01 is
    # now inside 2023-04-01..2026-03-31, so nothing fails.
    wider = {"first_day": "2023-04-01", "last_day": "2026-03-31"}
    window = validate_files(SUITE, frame, files, wider, later.cache)
    assert len(window.validated) == 3 and window.reused == []
    assert window.outcome.failures == [] and _plain(window.outcome) == _plain(
        validate(SUITE, frame, wider)
    )


def test_a_changed_suite_definition_validates_every_file(tmp_path, monkeypatch):
    import expectations.incremental as incremental

    _landing(tmp_path)
    frame, files = _read(tmp_path)
    cache = validate_files(SUITE, frame, files, PARAMS, None).cache
    suite = incremental.load_suite(SUITE)
    suite["expectations"] = suite["expectations"][:-1]  # the suite loses date_in_plan_years
    monkeypatch.setattr(incremental, "load_suite", lambda name: json.loads(json.dumps(suite)))
    changed = validate_files(SUITE, frame, files, PARAMS, cache)
    assert len(changed.validated) == 3 and changed.reused == []


def _work(tmp_path):
    from orchestration.definitions import build_definitions

    defs = build_definitions(
        None,
        landing=str(tmp_path / "landing"),
        warehouse_url=f"sqlite:///{tmp_path / 'wh.db'}",
        staging=str(tmp_path / "staging"),
        pseudonym_key="k",
    )
    return defs


def _raw_run(defs):
    result = defs.resolve_job_def("ingest").execute_in_process(
        partition_key="2024-2025",
        asset_selection=[dg.AssetKey(["raw", SOURCE])],
        raise_on_error=False,
    )
    [suite] = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "great_expectations_raw"
    ]
    meta = suite.metadata
    return result, meta["files_validated"].value, meta["files_reused"].value, suite


def test_raw_step_validates_only_what_is_new(tmp_path):
    from plan_indicators import warehouse as wh
    from plan_indicators.staging import read_manifest

    _landing(tmp_path / "landing")
    defs = _work(tmp_path)
    result, validated, reused, suite = _raw_run(defs)
    assert (validated, reused) == (3, 0)
    # The default catalog's years start 2018-04-01 (OPQ's baseline year): nothing fails.
    assert result.success and suite.passed
    manifest = read_manifest(tmp_path / "staging", SOURCE)
    assert sorted(manifest["validation"]["files"]) == [f"{SOURCE}/{n}.csv" for n in "abc"]

    _, validated, reused, again = _raw_run(defs)
    assert (validated, reused) == (0, 3)
    assert again.passed and again.metadata["evaluated"] == suite.metadata["evaluated"]

    # A refresh: one more file, the others reused.
    _write(tmp_path / "landing", "e.csv", "C9,01,2025-03-01,1,\n")
    _, validated, reused, _ = _raw_run(defs)
    assert (validated, reused) == (1, 3)
    # The quarantine names the version of the file each row came from: none is quarantined here,
    # so the table is empty rather than rows without checksum.
    assert wh.table_rows(wh.engine_for(f"sqlite:///{tmp_path / 'wh.db'}"), "quarantine") == []


def test_a_cached_failure_blocks_at_every_run(tmp_path):
    """A file whose cached result failed an error-level rule keeps failing the blocking check
    while it is unchanged, as a full validation would: the step fails, its state is failed."""
    from plan_indicators import source_state
    from plan_indicators.staging import read_manifest, write_manifest

    _landing(tmp_path / "landing")
    defs = _work(tmp_path)
    _raw_run(defs)
    staging = tmp_path / "staging"
    manifest = read_manifest(staging, SOURCE)
    entry = manifest["validation"]["files"][f"{SOURCE}/a.csv"]
    on_disk = hashlib.sha256((tmp_path / "landing" / SOURCE / "a.csv").read_bytes()).hexdigest()
    assert entry["checksum"] == on_disk
    # What the suite would have cached for a.csv had its line 3 no key (test above).
    entry["failures"] = [
        {
            "expectation": "expect_column_values_to_not_be_null",
            "column": "request_id",
            "severity": "error",
            "rule": "key_not_null",
            "unexpected_count": 1,
            "sample": [None],
            "index": [1],
            "exception": None,
            "position": 4,
        }
    ]
    write_manifest(staging, SOURCE, manifest)
    for _ in range(2):
        result, validated, reused, suite = _raw_run(defs)
        assert (validated, reused) == (0, 3)
        assert not result.success and not suite.passed
        assert suite.severity == dg.AssetCheckSeverity.ERROR
        assert f"{SOURCE}/a.csv:3" in suite.description
        state = source_state.read(staging, source_state.RAW, SOURCE)
        assert state.state == source_state.FAILED and "great_expectations_raw" in state.cause


def test_the_check_alone_validates_what_the_raw_step_wrote(tmp_path):
    """The raw suite's check run by itself (another process, a re-execution from the UI)
    validates the raw Parquet and the files of the manifest the raw step wrote, as the raw
    step's run validates its frame, failure and rows included."""
    from expectations.checks import RAW_SUITE_CHECK
    from plan_indicators.staging import ParquetStagedData, read_manifest

    _landing(tmp_path / "landing")
    defs = _work(tmp_path)
    job = defs.resolve_job_def("ingest")
    raw = dg.AssetKey(["raw", SOURCE])
    own = {dg.AssetCheckKey(raw, n) for n in ("file_contract", "rows_reconciled")}
    read = job.get_subset(asset_selection={raw}, asset_check_selection=own)
    read = read.execute_in_process(partition_key="2024-2025", raise_on_error=False)
    assert read.success
    assert RAW_SUITE_CHECK not in {e.check_name for e in read.get_asset_check_evaluations()}
    # The raw Parquet as a corrupted copy would hold it: a.csv line 3 without its key.
    store = ParquetStagedData(tmp_path / "staging" / "raw")
    frame = store.frame(SOURCE)
    frame.loc[1, "request_id"] = None
    store.write(SOURCE, frame)
    files = read_manifest(tmp_path / "staging", SOURCE)["files"]
    expected = validate_files(SUITE, frame, files, catalog_parameters(), None).outcome

    check = dg.AssetCheckKey(raw, RAW_SUITE_CHECK)
    alone = job.get_subset(asset_selection=set(), asset_check_selection={check})
    alone = alone.execute_in_process(partition_key="2024-2025", raise_on_error=False)
    [evaluation] = alone.get_asset_check_evaluations()
    assert evaluation.asset_check_key == check
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.description == expected.summary()
    assert f"{SOURCE}/a.csv:3" in evaluation.description
    assert evaluation.metadata["files_validated"].value == 3
    cached = read_manifest(tmp_path / "staging", SOURCE)["validation"]["files"]
    assert sorted(cached) == [f"{SOURCE}/{n}.csv" for n in "abc"]


def test_a_refused_file_leaves_the_suite_unrun(tmp_path):
    """A file refused by its contract publishes nothing: the raw suite's step does not run (it
    would validate the previous read), and staging does not either."""
    _landing(tmp_path / "landing")
    (tmp_path / "landing" / SOURCE / "z.csv").write_text("request_id\nC9\n", "utf-8")
    defs = _work(tmp_path)
    result = defs.resolve_job_def("ingest").execute_in_process(
        partition_key="2024-2025",
        asset_selection=[dg.AssetKey(["raw", SOURCE]), dg.AssetKey(["staging", SOURCE])],
        raise_on_error=False,
    )
    names = {e.check_name for e in result.get_asset_check_evaluations()}
    assert "file_contract" in names and "great_expectations_raw" not in names
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {
        dg.AssetKey(["raw", SOURCE])
    }
