"""The local instance's event log, with its SQLite connections kept open.

Dagster's `SqliteEventLogStorage` creates a SQLAlchemy engine, opens a connection and disposes
of both for every event it stores (twice for an asset event, which is mirrored in the index
shard), so every statement is compiled again and every file reopened: on this machine that was
most of a `plan-indicators run` on a persistent instance (about 1,400 events for the sample
data, most of them the planned and recorded materialisation of each indicator and fiscal year).
`PooledSqliteEventLogStorage` is the same storage, same files and schema (`dagster dev` reads them
with the stock class), with one engine per shard kept for the life of the instance, and what it
learns of the schema (which tables and asset-key columns exist) remembered once found: the stock
class opens a new engine to ask SQLite again for every asset and check event, a quarter of the
cost of storing one.

It also stores a batch of asset events at once (`store_event_batch`, which Dagster calls when
`DAGSTER_EVENT_BATCH_SIZE` is set, as `plan-indicators run` and the code location set it): the
planned materialisations and checks a run announces at its start, and the partitions an
asset materialises in one step. One transaction per shard and one row of the asset index per
asset key, where the stock class takes two transactions and an insert-or-update per event; the
rows written are the same (tests/test_instance_storage.py compares them).

A run's own shard is created from a copy of an empty shard the stock class initialised once per
process (`RunShardTemplate`): the stock class initialises each new shard with Alembic, which
reads its migration scripts again, creates the tables and stamps the revision: about 50 ms a
run on this machine, 1 ms for the copy. The copy is the same file: same tables, indexes,
revision stamp and WAL journal mode (tests/test_instance_storage.py compares them).

Every step asks, for each partitioned asset it depends on, the data version of its input
partitions (`get_latest_tags_by_partition`): the stock class builds two SQLAlchemy queries
each time, 1.8 ms a call on this machine and about a thousand calls in a 16-plan run; the same
queries as plain SQL take 0.3 ms (the stock class answers with a cursor or for a wiped asset).
A process forked from one that opened the storage (`run --jobs`) goes on with it: the fork
leaves the parent's engines to the parent and gives the child fresh ones.

`plan-indicators run` uses it only when the instance's `dagster.yaml` names no storage (the
local SQLite default); a configured storage (PostgreSQL in production, deploy/dagster.yaml) is
used as configured.
"""

from __future__ import annotations

import os
import tempfile
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.events import (
    ASSET_CHECK_EVENTS,
    ASSET_EVENTS,
    EVENT_TYPE_TO_PIPELINE_RUN_STATUS,
    DagsterEventType,
)
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.base import AssetDetails
from dagster._core.storage.event_log.schema import (
    AssetCheckExecutionsTable,
    AssetKeyTable,
    SqlEventLogStorageTable,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._serdes import ConfigurableClassData, deserialize_value
from sqlalchemy import exc as db_exc

# Keys of dagster.yaml that choose the instance's storage.
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")
SQLITE_BUSY_TIMEOUT_SECONDS = 30
BATCHED = {
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_OBSERVATION,
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
}
"""Asset events `store_event_batch` writes itself, with the planned checks; other events of a
batch are stored one by one."""
INDEXED = ASSET_EVENTS | ASSET_CHECK_EVENTS | set(EVENT_TYPE_TO_PIPELINE_RUN_STATUS)
"""Events the stock class also mirrors in the index shard; the others go to the run's shard only."""
INSERT_EVENT = SqlEventLogStorageTable.insert()
"""One statement for every event row: built (and its cache key computed) once, not per event."""


_ASSET_DETAILS = "SELECT asset_details FROM asset_keys WHERE asset_key = ?"
_LATEST_TAGS = (
    "SELECT latest.partition, tags.key, tags.value FROM ("
    "SELECT partition, max(id) AS id FROM event_logs WHERE asset_key = ? "
    "AND partition IS NOT NULL AND dagster_event_type = ?{partitions} GROUP BY partition"
    ") AS latest JOIN asset_event_tags AS tags ON tags.event_id = latest.id "
    "WHERE tags.key IN ({tags})"
)
"""The latest event of each partition of one asset and type, and the tags asked of it: the
stock class's query (`SqlEventLogStorage.get_latest_tags_by_partition`) for an asset never
wiped, without a cursor."""


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _batched(event: Any) -> bool:
    return event.is_dagster_event and (
        event.dagster_event_type in BATCHED
        or event.dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
    )


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one engine (and its connection pool) per shard."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Any] = {}  # before the parent, which opens the index shard
        self._tables: set[str] = set()
        self._asset_key_columns: set[str] = set()
        self._secondary_indexes: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)
        _LIVE.add(self)

    def _forked(self) -> None:
        """In a forked process: the parent's connections are left to it (SQLAlchemy's advice
        for a fork: drop the inherited pools without closing them) and its lock, which one of
        its threads may have held at the fork, is replaced. What it learnt of the files (their
        schema, the shards initialised) stays true; the parent's watchers and their thread
        (`watch`) are its own."""
        self._db_lock = threading.Lock()
        self._obs, self._watchers = None, defaultdict(dict)
        engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.dispose(close=False)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Any]:
        # As the parent does, under its lock (the console's follower thread reads while the
        # run writes); SQLAlchemy's pool hands each connection to one thread at a time.
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                if shard not in self._initialized_dbs:
                    if shard == INDEX_SHARD_NAME or not _TEMPLATE.create(
                        Path(self.path_for_shard(shard)), self._initdb
                    ):
                        self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        return _remembered(self._tables, table_name, super().has_table)

    def has_secondary_index(self, name: str) -> bool:
        # Asked at each asset record read (every check result reads its asset's).
        return _remembered(self._secondary_indexes, name, super().has_secondary_index)

    def _has_asset_key_col_on_connection(self, conn: Any, column_name: str) -> bool:
        probe = super()._has_asset_key_col_on_connection
        return _remembered(self._asset_key_columns, column_name, lambda c: probe(conn, c))

    def wipe(self) -> None:
        super().wipe()
        for found in (self._tables, self._asset_key_columns, self._secondary_indexes):
            found.clear()

    def store_event(self, event: Any) -> None:
        # A step's start, outputs and success, logs: one row in the run's shard, as the stock
        # class writes it, without building an insert statement for each.
        if event.is_dagster_event and event.dagster_event_type in INDEXED:
            super().store_event(event)
            return
        with self.run_connection(event.run_id) as conn:
            conn.execute(INSERT_EVENT, self._event_to_row(event))

    def store_event_batch(self, events: Sequence[Any]) -> None:
        batched = [e for e in events if _batched(e)]
        for run_id in dict.fromkeys(e.run_id for e in batched):
            self._store_batch([e for e in batched if e.run_id == run_id])
        for event in events:
            if not _batched(event):
                self.store_event(event)

    def _store_batch(self, events: list[Any]) -> None:
        """What `store_event` does for each of `events` (asset events and planned checks of one
        run, in their order): the rows in the run's shard, their mirror in the index shard, then
        for asset events their tags and each asset key's index row as the last of its events
        leaves it, and for planned checks their execution rows."""
        rows = [self._event_to_row(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(INSERT_EVENT, rows)
        with self.index_transaction() as conn:
            inserted = conn.execute(
                SqlEventLogStorageTable.insert().returning(
                    SqlEventLogStorageTable.c.id, sort_by_parameter_order=True
                ),
                rows,
            )
            ids = [int(row[0]) for row in inserted]
            assets = [i for i, e in enumerate(events) if e.dagster_event_type in BATCHED]
            if assets:
                self._store_asset_index(conn, [events[i] for i in assets], [ids[i] for i in assets])
            planned = [
                self._planned_check_row(events[i], rows[i]["event"], ids[i])
                for i, e in enumerate(events)
                if e.dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
            ]
            if planned:
                conn.execute(AssetCheckExecutionsTable.insert(), [r for rs in planned for r in rs])

    def _store_asset_index(self, conn: Any, events: list[Any], ids: list[int]) -> None:
        self._store_asset_event_tags(conn, events, ids)
        has_index_cols = self._has_asset_key_index_cols_on_connection(conn)
        # An event of a kind sets the same columns as every other of its kind: only the last of
        # each kind per asset key counts, applied in the events' order.
        last: dict[tuple[str, Any], int] = {}
        for i, event in enumerate(events):
            last[(event.dagster_event.asset_key.to_string(), event.dagster_event_type)] = i
        values: dict[str, dict[str, Any]] = {}
        for (asset_key, _kind), i in sorted(last.items(), key=lambda item: item[1]):
            entry = self._get_asset_entry_values(events[i], ids[i], has_index_cols)
            if entry:
                values.setdefault(asset_key, {}).update(entry)
        for asset_key, entry in values.items():
            try:
                conn.execute(AssetKeyTable.insert().values(asset_key=asset_key, **entry))
            except db_exc.IntegrityError:
                conn.execute(
                    AssetKeyTable.update()
                    .values(**entry)
                    .where(AssetKeyTable.c.asset_key == asset_key)
                )

    def _planned_check_row(self, event: Any, serialized: str, event_id: int) -> list[dict]:
        """The execution rows the stock class writes for a planned check (one per partition it
        plans, else one), with the event as already serialised for its row."""
        planned = event.dagster_event.event_specific_data
        subset = planned.partitions_subset
        return [
            {
                "asset_key": planned.asset_key.to_string(),
                "check_name": planned.check_name,
                "partition": partition,
                "run_id": event.run_id,
                "execution_status": AssetCheckExecutionRecordStatus.PLANNED.value,
                "evaluation_event": serialized,
                "evaluation_event_timestamp": self._event_insert_timestamp(event),
                "evaluation_event_storage_id": event_id,
            }
            for partition in (subset.get_partition_keys() if subset else [None])
        ]

    def get_latest_tags_by_partition(
        self,
        asset_key: dg.AssetKey,
        event_type: DagsterEventType,
        tag_keys: Sequence[str],
        asset_partitions: Sequence[str] | None = None,
        before_cursor: int | None = None,
        after_cursor: int | None = None,
    ) -> Mapping[str, Mapping[str, str]]:
        # Asked by every step for each partitioned asset it depends on (the data version of
        # its input partitions): the stock class builds two SQLAlchemy queries for each,
        # most of a step's start. The same two queries as plain SQL; the stock class answers
        # when a cursor is given or the asset was wiped (its history is then filtered by date).
        args = (asset_key, event_type, tag_keys, asset_partitions, before_cursor, after_cursor)
        tags = set(tag_keys)
        if (
            before_cursor is not None
            or after_cursor is not None
            or not tags
            or len(self.get_asset_tags_to_index(tags)) != len(tags)
        ):
            return super().get_latest_tags_by_partition(*args)
        key = asset_key.to_string()
        partitions = None if asset_partitions is None else list(asset_partitions)
        among = "" if partitions is None else f" AND partition IN ({_marks(partitions)})"
        sql = _LATEST_TAGS.format(partitions=among, tags=_marks(tag_keys))
        with self.index_connection() as conn:
            details = conn.exec_driver_sql(_ASSET_DETAILS, (key,)).scalar()
            wiped = bool(details) and deserialize_value(details, AssetDetails).last_wipe_timestamp
            if not wiped:
                params = (key, event_type.value, *(partitions or ()), *tag_keys)
                rows = conn.exec_driver_sql(sql, params).fetchall()
        if wiped:
            return super().get_latest_tags_by_partition(*args)
        out: dict[str, dict[str, str]] = {}
        for partition, tag, value in rows:
            out.setdefault(partition, {})[tag] = value
        return out

    def dispose(self) -> None:
        with self._db_lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.dispose()
        super().dispose()


_LIVE: weakref.WeakSet[PooledSqliteEventLogStorage] = weakref.WeakSet()
"""Every pooled event log of the process, each made ready for a forked child (`_forked`)."""


def _after_fork_in_child() -> None:
    for storage in list(_LIVE):
        storage._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)


def forkable(instance: dg.DagsterInstance) -> bool:
    """An instance a forked process can go on using: the local default, whose run and schedule
    storages open a connection per use and whose event log resets its own at the fork. A
    configured storage (PostgreSQL) is opened again by each process."""
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
    from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import (
        SqliteScheduleStorage,
    )

    return (
        type(instance.event_log_storage) is PooledSqliteEventLogStorage
        and type(instance.run_storage) is SqliteRunStorage
        and type(instance.schedule_storage) is SqliteScheduleStorage
    )


class RunShardTemplate:
    """The bytes of an empty run shard as the stock class initialises it, made once per process
    (forked processes inherit them) and written where a new run's shard goes."""

    def __init__(self) -> None:
        self._bytes: bytes | None = None
        self._lock = threading.Lock()
        # A thread of the parent's may hold the lock when `run` forks its plan workers.
        os.register_at_fork(after_in_child=self._free_lock)

    def _free_lock(self) -> None:
        self._lock = threading.Lock()

    def _image(self, initdb: Callable[[Any], None]) -> bytes:
        if self._bytes is not None:  # made: read without the lock
            return self._bytes
        with self._lock:
            if self._bytes is None:
                with tempfile.TemporaryDirectory(prefix="plan-indicators-shard-") as tmp:
                    path = Path(tmp) / "template.db"
                    engine = create_engine(f"sqlite:///{path}")
                    try:
                        initdb(engine)
                        with engine.connect() as conn:  # everything into the file itself
                            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    finally:
                        engine.dispose()
                    self._bytes = path.read_bytes()
            return self._bytes

    def create(self, path: Path, initdb: Callable[[Any], None]) -> bool:
        """Write the template at `path` unless a file is there (another process, or Dagster
        in this one, made it first): False then, and the stock initialisation is left to run
        on that file, as it would on any existing shard."""
        if path.exists():
            return False
        image = self._image(initdb)
        scratch = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            scratch.write_bytes(image)
            os.link(scratch, path)  # never replaces a shard another process has created
        except OSError:  # taken meanwhile, or no hard links on this file system
            return False
        finally:
            scratch.unlink(missing_ok=True)
        return True


_TEMPLATE = RunShardTemplate()


def _remembered(found: set[str], name: str, probe: Callable[[str], bool]) -> bool:
    """`probe(name)`, asked until it says yes: a migration may add a table, a column or a
    completed data migration while the instance is open, none removes one."""
    if name not in found:
        if not probe(name):
            return False
        found.add(name)
    return True


def default_storage_overrides(home: Path) -> dict[str, Any]:
    """The overrides that give a default (SQLite) instance under `home` the pooled event log,
    in the directory Dagster's default storage uses; `{}` when `dagster.yaml` names a storage."""
    from dagster._core.instance.config import dagster_instance_config

    config, _ = dagster_instance_config(str(home))
    if any(config.get(k) for k in STORAGE_KEYS):
        return {}
    return {
        "event_log_storage": {
            "module": __name__,
            "class": PooledSqliteEventLogStorage.__name__,
            "config": {"base_dir": str(home / "history" / "runs")},
        }
    }


def open_local_instance(home: Path) -> dg.DagsterInstance:
    """The persistent instance under `home`, as its `dagster.yaml` says, with the pooled event
    log when that file leaves the storage to the SQLite default."""
    from dagster._core.instance.ref import InstanceRef

    ref = InstanceRef.from_dir(str(home), overrides=default_storage_overrides(home))
    return dg.DagsterInstance.from_ref(ref)
