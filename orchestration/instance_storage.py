"""The local instance's event log, with its SQLite connections kept open.

Dagster's `SqliteEventLogStorage` creates a SQLAlchemy engine, opens a connection and disposes
of both for every event it stores (twice for an asset event, which is mirrored in the index
shard), so every statement is compiled again and every file reopened: on this machine that was
most of a `plan-indicators run` on a persistent instance (about 1,400 events for the sample
data, most of them the planned and recorded materialisation of each indicator and fiscal year).
`PooledSqliteEventLogStorage` is the same storage, same files and schema (`dagster dev` reads them
with the stock class), with one engine per shard kept for the life of the instance.

`plan-indicators run` uses it only when the instance's `dagster.yaml` names no storage (the
local SQLite default); a configured storage (PostgreSQL in production, deploy/dagster.yaml) is
used as configured.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._serdes import ConfigurableClassData

# Keys of dagster.yaml that choose the instance's storage.
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")
SQLITE_BUSY_TIMEOUT_SECONDS = 30


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one engine (and its connection pool) per shard."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Any] = {}  # before the parent, which opens the index shard
        super().__init__(base_dir, inst_data=inst_data)

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
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        with self._db_lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.dispose()
        super().dispose()


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
