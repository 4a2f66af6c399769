"""The local instance's pooled event log (orchestration/instance_storage.py): used only when
`dagster.yaml` leaves the storage to the SQLite default, writing the files Dagster's stock
storage reads (what `dagster dev` opens on the same home), threads included."""

import threading

import dagster as dg
from dagster._core.definitions.data_version import DATA_VERSION_TAG
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.event_batches import BATCH_SIZE_ENV, EVENT_BATCH_SIZE
from orchestration.instance_storage import PooledSqliteEventLogStorage, open_local_instance


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["2024-2025", "2025-2026"]))
def counted(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"year": context.partition_key})


def _materialise(instance: dg.DagsterInstance, partition: str) -> str:
    result = dg.materialize([counted], instance=instance, partition_key=partition)
    assert result.success
    return result.run_id


def test_default_home_gets_the_pooled_event_log(tmp_path):
    # No dagster.yaml at all, then one that only turns telemetry off: both are the default.
    with open_local_instance(tmp_path) as instance:
        assert type(instance.event_log_storage) is PooledSqliteEventLogStorage
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with open_local_instance(tmp_path) as instance:
        assert type(instance.event_log_storage) is PooledSqliteEventLogStorage


def test_a_configured_storage_is_used_as_configured(tmp_path):
    (tmp_path / "dagster.yaml").write_text(
        f"storage:\n  sqlite:\n    base_dir: {tmp_path / 'elsewhere'}\n"
    )
    with open_local_instance(tmp_path) as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
    assert (tmp_path / "elsewhere").is_dir()


def test_what_the_pooled_log_writes_the_stock_storage_reads(tmp_path):
    with open_local_instance(tmp_path) as instance:
        first = _materialise(instance, "2024-2025")
        second = _materialise(instance, "2025-2026")
    # What `dagster dev` does on the same home: the stock classes, the same files.
    with dg.DagsterInstance.from_config(str(tmp_path)) as stock:
        assert type(stock.event_log_storage) is SqliteEventLogStorage
        assert {r.run_id for r in stock.get_runs()} == {first, second}
        events = stock.fetch_materializations(dg.AssetKey("counted"), limit=10).records
        years = sorted(e.asset_materialization.metadata["year"].value for e in events)
        assert years == ["2024-2025", "2025-2026"]  # one materialization per partition run
        assert stock.get_materialized_partitions(dg.AssetKey("counted")) == {
            "2024-2025",
            "2025-2026",
        }
        logs = stock.all_logs(second)
        assert any(e.dagster_event and e.dagster_event.is_step_success for e in logs)


def test_a_reader_thread_and_the_run_share_the_pool(tmp_path):
    """The console's follower reads the run's events from another thread while it runs."""
    with open_local_instance(tmp_path) as instance:
        stop, seen, errors = threading.Event(), [], []

        def follow() -> None:
            while not stop.is_set():
                try:
                    for run in instance.get_runs():
                        seen.append(len(instance.all_logs(run.run_id)))
                except Exception as exc:  # pragma: no cover - the assertion below reports it
                    errors.append(exc)

        thread = threading.Thread(target=follow)
        thread.start()
        try:
            run_ids = [_materialise(instance, p) for p in ("2024-2025", "2025-2026") * 3]
        finally:
            stop.set()
            thread.join()
        assert not errors
        assert seen and max(seen) > 0
        assert len({*run_ids}) == 6
        assert all(instance.get_run_by_id(r).status == dg.DagsterRunStatus.SUCCESS for r in run_ids)


YEARS = ["2023-2024", "2024-2025", "2025-2026"]


@dg.asset(
    partitions_def=dg.StaticPartitionsDefinition(YEARS),
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[
        dg.AssetCheckSpec("has_rows", asset="yearly"),
        dg.AssetCheckSpec("has_years", asset="yearly"),
    ],
)
def yearly(context: dg.AssetExecutionContext):
    if context.run.tags.get("fail"):
        raise RuntimeError("the step fails before its checks: they stay planned")
    for year in context.partition_keys:
        context.add_asset_metadata({"year": year}, partition_key=year)
    yield dg.MaterializeResult(
        metadata={"years": len(context.partition_keys)},
        data_version=dg.DataVersion(",".join(context.partition_keys)),
    )
    yield dg.AssetCheckResult(check_name="has_rows", passed=True)
    yield dg.AssetCheckResult(check_name="has_years", passed=len(context.partition_keys) > 1)


def _stored(instance: dg.DagsterInstance) -> dict:
    """What the UI reads of one asset's runs: its materialisations per partition, the asset
    index row, the planned materialisations, the partition tags and the run's events."""
    key = dg.AssetKey("yearly")
    records = instance.fetch_materializations(key, limit=100).records
    [record] = instance.get_asset_records([key])
    entry = record.asset_entry
    planned = instance.event_log_storage.get_latest_planned_materialization_info(key)
    runs = [r.run_id for r in reversed(instance.get_runs())]
    return {
        "materialized": sorted(
            (runs.index(r.run_id), r.partition_key, r.asset_materialization.metadata["year"].value)
            for r in records
        ),
        "partitions": instance.get_materialized_partitions(key),
        "last": (runs.index(entry.last_run_id), entry.last_materialization_record.partition_key),
        "planned": runs.index(planned.run_id),
        "tags": instance.event_log_storage.get_latest_tags_by_partition(
            key, DagsterEventType.ASSET_MATERIALIZATION, [DATA_VERSION_TAG]
        ),
        "events": [
            sorted(str(e.dagster_event_type) for e in instance.all_logs(r) if e.is_dagster_event)
            for r in runs
        ],
        "checks": [
            (runs.index(c.run_id), c.status.value)
            for name in ("has_rows", "has_years")
            for c in instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(key, name), limit=10
            )
        ],
        "check_rows": _check_rows(instance, runs),
    }


def _check_rows(instance: dg.DagsterInstance, runs: list[str]) -> list[tuple]:
    """Every check execution row as stored, with the type and run of the index event it
    points to (ids and timestamps differ from one instance to the other)."""
    import sqlalchemy as sa

    with instance.event_log_storage.index_connection() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.asset_key, c.check_name, c.partition, c.run_id, c.execution_status, "
                "c.evaluation_event IS NOT NULL, e.dagster_event_type, e.run_id "
                "FROM asset_check_executions c "
                "LEFT JOIN event_logs e ON e.id = c.evaluation_event_storage_id"
            )
        ).fetchall()
    return sorted(
        (r[0], r[1], r[2], runs.index(r[3]), r[4], r[5], r[6], runs.index(r[7])) for r in rows
    )


def _runs(instance: dg.DagsterInstance) -> list[dict]:
    """A single-run backfill of every year, one year again, then a year whose step fails
    before its checks: what is stored after each."""
    whole = {"dagster/asset_partition_range_start": YEARS[0]}
    whole["dagster/asset_partition_range_end"] = YEARS[-1]
    assert dg.materialize([yearly], instance=instance, tags=whole).success
    after_first = _stored(instance)
    assert dg.materialize([yearly], instance=instance, partition_key=YEARS[1]).success
    after_second = _stored(instance)
    failed = dg.materialize(
        [yearly], instance=instance, partition_key=YEARS[2], tags={"fail": "1"},
        raise_on_error=False,
    )  # fmt: skip
    assert not failed.success
    return [after_first, after_second, _stored(instance)]


def test_batched_events_store_what_one_by_one_stores(tmp_path, monkeypatch):
    """The pooled log given its events in batches leaves what the stock class leaves when
    given them one at a time, read back through the stock class (as `dagster dev` reads)."""
    monkeypatch.setenv(BATCH_SIZE_ENV, "0")
    (tmp_path / "stock").mkdir()
    with dg.DagsterInstance.from_config(str(tmp_path / "stock")) as stock:
        assert type(stock.event_log_storage) is SqliteEventLogStorage
        expected = _runs(stock)
    monkeypatch.setenv(BATCH_SIZE_ENV, EVENT_BATCH_SIZE)
    batches = []
    store = PooledSqliteEventLogStorage.store_event_batch
    monkeypatch.setattr(
        PooledSqliteEventLogStorage,
        "store_event_batch",
        lambda self, events: (batches.append(len(events)), store(self, events))[1],
    )
    (tmp_path / "pooled").mkdir()
    with open_local_instance(tmp_path / "pooled") as instance:
        assert _runs(instance) == expected
    with dg.DagsterInstance.from_config(str(tmp_path / "pooled")) as stock:
        assert _stored(stock) == expected[-1]
    # Planned (years and checks), then materialised: each run's in one batch of each (1 year:
    # no batch of materialisations).
    assert batches == [5, 3, 3, 3]
    assert [r[3:5] + r[6:] for r in expected[-1]["check_rows"]] == [
        (0, "SUCCEEDED", "ASSET_CHECK_EVALUATION", 0),
        (1, "SUCCEEDED", "ASSET_CHECK_EVALUATION", 1),
        (2, "PLANNED", "ASSET_CHECK_EVALUATION_PLANNED", 2),
        (0, "SUCCEEDED", "ASSET_CHECK_EVALUATION", 0),
        (1, "FAILED", "ASSET_CHECK_EVALUATION", 1),
        (2, "PLANNED", "ASSET_CHECK_EVALUATION_PLANNED", 2),
    ]
    assert expected[0]["last"][0] == 0 and expected[0]["planned"] == 0
    assert expected[-1]["materialized"] == [
        (0, "2023-2024", "2023-2024"),
        (0, "2024-2025", "2024-2025"),
        (0, "2025-2026", "2025-2026"),
        (1, "2024-2025", "2024-2025"),
    ]
    assert expected[1]["last"] == (1, "2024-2025") and expected[1]["planned"] == 1
    assert expected[-1]["planned"] == 2  # the failed run planned its year


def _schema(path) -> tuple:
    """What a shard is made of: its objects' definitions, revision stamp and journal mode."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        objects = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        journal = conn.execute("PRAGMA journal_mode").fetchone()
    finally:
        conn.close()
    return objects, revision, journal


def test_a_run_shard_from_the_template_is_the_one_the_stock_class_makes(tmp_path):
    (tmp_path / "pooled").mkdir()
    with open_local_instance(tmp_path / "pooled") as instance:
        pooled = _materialise(instance, "2024-2025")
        second = _materialise(instance, "2025-2026")  # the template, written again
    (tmp_path / "stock").mkdir()
    with dg.DagsterInstance.from_config(str(tmp_path / "stock")) as stock:
        made = _materialise(stock, "2024-2025")
    runs = tmp_path / "pooled" / "history" / "runs"
    expected = _schema(tmp_path / "stock" / "history" / "runs" / f"{made}.db")
    assert expected[0] and expected[2] == ("wal",)
    assert _schema(runs / f"{pooled}.db") == expected
    assert _schema(runs / f"{second}.db") == expected
    assert not list(runs.glob(".*.tmp"))  # no scratch file left beside the shards


def test_the_template_never_replaces_a_shard_that_exists(tmp_path):
    """Another process (the console's follower, `dagster dev`) may have created the shard:
    then it is left as it is and initialised the stock way."""
    from orchestration.instance_storage import RunShardTemplate

    shard = tmp_path / "run.db"
    shard.write_bytes(b"already here")
    calls = []
    assert not RunShardTemplate().create(shard, calls.append)
    assert shard.read_bytes() == b"already here"
    assert calls == []  # nothing built for a shard it does not write


def _latest_tags(storage, key: dg.AssetKey, **kw) -> dict:
    return storage.get_latest_tags_by_partition(
        key, DagsterEventType.ASSET_MATERIALIZATION, [DATA_VERSION_TAG], **kw
    )


def test_latest_tags_by_partition_are_the_stock_class_answers(tmp_path, monkeypatch):
    """What every step asks of each partitioned asset it depends on, answered by plain SQL:
    the same as the stock class on the same files, for every year or some, after a year is
    run again, for an asset never materialised, with a cursor and once the asset is wiped."""
    key = dg.AssetKey("yearly")
    whole = {"dagster/asset_partition_range_start": YEARS[0]}
    whole["dagster/asset_partition_range_end"] = YEARS[-1]
    asks = [
        {},
        {"asset_partitions": YEARS[1:]},
        {"asset_partitions": ["2030-2031"]},
        {"asset_partitions": []},
        {"before_cursor": 10**9},
    ]
    seen, delegated = [], []
    stock_answer = SqliteEventLogStorage.get_latest_tags_by_partition
    monkeypatch.setattr(
        SqliteEventLogStorage,
        "get_latest_tags_by_partition",
        lambda self, *a, **kw: (delegated.append(type(self)), stock_answer(self, *a, **kw))[1],
    )
    with open_local_instance(tmp_path) as instance:
        pooled = instance.event_log_storage
        with dg.DagsterInstance.from_config(str(tmp_path)) as stock_instance:
            stock = stock_instance.event_log_storage
            assert type(stock) is SqliteEventLogStorage
            assert _latest_tags(pooled, key) == _latest_tags(stock, key) == {}
            steps = [
                lambda: dg.materialize([yearly], instance=instance, tags=whole),
                lambda: dg.materialize([yearly], instance=instance, partition_key=YEARS[1]),
                lambda: instance.wipe_assets([key]),
                lambda: dg.materialize([yearly], instance=instance, partition_key=YEARS[2]),
            ]
            for step in steps:
                step()
                for ask in asks:
                    answer = _latest_tags(pooled, key, **ask)
                    assert answer == _latest_tags(stock, key, **ask), ask
                    seen.append(answer)
    # Hand-read: the single-run backfill tags each year with the run's data version
    # "2023-2024,2024-2025,2025-2026"; 2024-2025 run again alone gets "2024-2025"; the wipe
    # leaves nothing; 2025-2026 alone after it gets "2025-2026".
    both = ",".join(YEARS)
    assert seen[0] == {y: {DATA_VERSION_TAG: both} for y in YEARS}
    assert seen[5] == {YEARS[0]: {DATA_VERSION_TAG: both}, YEARS[1]: {DATA_VERSION_TAG: YEARS[1]},
                       YEARS[2]: {DATA_VERSION_TAG: both}}  # fmt: skip
    assert seen[6] == {YEARS[1]: {DATA_VERSION_TAG: YEARS[1]}, YEARS[2]: {DATA_VERSION_TAG: both}}
    assert seen[7] == seen[8] == {}
    assert seen[10] == {} and seen[15] == {YEARS[2]: {DATA_VERSION_TAG: YEARS[2]}}
    # The pooled log asks the stock class only with a cursor (4 times) or once wiped (the
    # other 4 asks of the last 2 steps): 12 of its 21 answers.
    assert delegated.count(PooledSqliteEventLogStorage) == 12


def test_a_forked_process_goes_on_with_the_instance_it_inherits(tmp_path):
    """What `run --jobs` does with its plan workers: a forked process writes runs through
    the instance the command opened, with connections of its own (the parent's are left to
    it), and the parent goes on with its own."""
    import os

    from orchestration.instance_storage import forkable

    with open_local_instance(tmp_path) as instance:
        assert forkable(instance)
        first = _materialise(instance, "2024-2025")
        storage = instance.event_log_storage
        parents = dict(storage._engines)
        assert parents  # the index and the first run's shards
        pid = os.fork()
        if pid == 0:  # the child: fresh engines, then a run of its own
            code = 1
            try:
                fresh = not storage._engines
                _materialise(instance, "2025-2026")
                mine = set(storage._engines.values())
                code = 0 if fresh and not mine & set(parents.values()) else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert storage._engines == parents  # the parent's engines, untouched
        third = _materialise(instance, "2024-2025")
        runs = {r.run_id for r in instance.get_runs()}
        assert len(runs) == 3 and {first, third} < runs
        events = instance.fetch_materializations(dg.AssetKey("counted"), limit=10).records
        assert sorted(e.partition_key for e in events) == ["2024-2025", "2024-2025", "2025-2026"]
