"""How many events Dagster hands the instance's event log at once, set by every process that
loads the code location; apart from `instance_storage`, whose import brings Dagster's storage
classes and Alembic, which loading the definitions does not need (0.5 s of a 32-plan load on
this machine, tests/test_load_imports.py)."""

from __future__ import annotations

import os

BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"
EVENT_BATCH_SIZE = "1000"
"""Events Dagster hands the storage at once (planned materialisations at a run's start, an
asset's partitions in a step); `enable_event_batches` sets it unless the environment does."""


def enable_event_batches() -> None:
    """Let Dagster hand this process's event log its events in batches (any storage: the
    PostgreSQL one batches materialisations itself)."""
    os.environ.setdefault(BATCH_SIZE_ENV, EVENT_BATCH_SIZE)
