"""The run's split of its seconds adds up to the run, even when the wall clock that dates
Dagster's events moves against the monotonic clock the command times runs with (a machine
suspended mid-run: CI once read 26.4 s of parts in a 16.3 s run)."""

from __future__ import annotations

import time

import dagster as dg
import pytest

from orchestration.runner import SPLIT, _split, step_durations


@dg.asset
def slow_step() -> None:
    time.sleep(0.2)


@dg.asset(deps=[slow_step])
def second_step() -> None:
    time.sleep(0.1)


def _run():
    instance = dg.DagsterInstance.ephemeral()
    job = dg.define_asset_job("two_steps").resolve(
        asset_graph=dg.Definitions(assets=[slow_step, second_step]).resolve_asset_graph()
    )
    t = time.perf_counter()
    result = job.execute_in_process(instance=instance)
    return instance, result, time.perf_counter() - t


def test_parts_add_up_to_the_run():
    instance, result, wall = _run()
    split = dict.fromkeys(SPLIT, 0.0)
    _split(instance, result, wall, split)
    # Two asset steps of 0.2 s and 0.1 s: at least 0.3 s of other steps, the rest Dagster's.
    assert split["other_steps"] >= 0.3
    assert sum(split.values()) == pytest.approx(wall)


def test_steps_dated_longer_than_the_run_are_brought_back_to_it():
    instance, result, wall = _run()
    stepped = sum(step_durations(instance, result.run_id).values())
    # As if the clock had jumped: the run's monotonic seconds are half what the events say.
    split = dict.fromkeys(SPLIT, 0.0)
    _split(instance, result, stepped / 2, split)
    assert split["dagster"] == 0.0
    assert sum(split.values()) == pytest.approx(stepped / 2)
    # Both steps are "other steps", brought back to the run together.
    assert split["other_steps"] == pytest.approx(stepped / 2)
