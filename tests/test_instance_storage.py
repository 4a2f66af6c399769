"""The local instance's pooled event log (orchestration/instance_storage.py): used only when
`dagster.yaml` leaves the storage to the SQLite default, writing the files Dagster's stock
storage reads (what `dagster dev` opens on the same home), threads included."""

import threading

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

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
