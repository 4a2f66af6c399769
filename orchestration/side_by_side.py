"""Runs of `plan-indicators run` executed side by side, in processes forked from the command.

After ingestion the plans are independent: each run writes only its plan's rows. With
`--jobs N`, N plans' runs go at once, each executed by a process forked from the command once the
code location is loaded and the instance opened (a fork costs milliseconds, loading the code
location again seconds). A forked process opens its own connections to the instance and the
warehouse, shares the command's Great Expectations worker (one suite at a time), and hands back
what the command reports of its run. With one job the runs are executed here, one after the
other. A worker that dies ends the runs the pool held (marked failed); the runs still waiting
go on in workers forked afresh, then each ended run goes again once, alone.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing
import multiprocessing.util
import time
import uuid
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import dagster as dg

from expectations import worker
from plan_indicators import warehouse as wh
from plan_indicators.closing import closed_years
from plan_indicators.sources.web.flat import wait_for_copies


@dataclass(frozen=True)
class RunTask:
    """One run: what a process needs to execute it and to report it, in picklable form."""

    label: str
    """Its line on the console: `ingestion`, or the plan id."""
    stage: str
    """What its failure and warning lines start with: `ingest`, or the plan id."""
    job_name: str
    run_id: str
    keys: tuple[dg.AssetKey, ...]
    tags: tuple[tuple[str, str], ...]
    plan_years: tuple[str, ...] = ()
    """A plan's years, whose closing the run reports; empty for ingestion."""


SHARED: dict = {}
"""What every run reads (definitions, run config, instance, options), set before the workers
are forked so that they inherit it."""


class SideBySide:
    """Executes runs `jobs` at a time, each followed on the console while it runs."""

    def __init__(self, jobs: int, instance: dg.DagsterInstance, console, **shared):
        self.jobs, self.instance, self.console = max(1, jobs), instance, console
        SHARED.update(instance=instance, **shared)
        self.pool: cf.ProcessPoolExecutor | None = None

    def __enter__(self) -> SideBySide:
        return self

    def _pool(self) -> cf.ProcessPoolExecutor:
        """The workers, forked at the first runs that can go side by side (so they inherit
        what the runs before computed), before any follower thread of theirs runs."""
        if self.pool is None:
            wait_for_copies()
            worker.settle()
            self.pool = cf.ProcessPoolExecutor(
                self.jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start
            )
            list(self.pool.map(int, range(self.jobs)))
        return self.pool

    def __exit__(self, *exc) -> None:
        self._discard_pool()
        SHARED.clear()

    def run(self, tasks: list[RunTask]) -> Iterator[tuple[RunTask, dict]]:
        """Each task with what its run gave (`execute`), in the order the runs end."""
        if self.jobs < 2 or len(tasks) < 2:
            for task in tasks:
                with self.console.stage(self.instance, task.run_id, task.label, len(task.keys)):
                    part = execute(task)
                yield task, part
            return
        # (task as given, task as run): a run a dying worker ended goes again once, alone,
        # under a new run id, after the others (`_again`).
        waiting = [(task, task) for task in tasks]
        again: list[tuple[RunTask, RunTask]] = []
        ended: dict[RunTask, str] = {}  # task as given -> the run id a dying worker ended
        running: dict[cf.Future, tuple[RunTask, RunTask, Any]] = {}
        while waiting or running or again:
            while (waiting and len(running) < self.jobs) or (again and not running and not waiting):
                queue = waiting or again
                pool = self._pool()  # forked before the stage's follower thread starts
                try:
                    future = pool.submit(execute, queue[0][1])
                except BrokenProcessPool:  # a worker died since the last runs were collected
                    if running:
                        break  # the runs it held fail: collected below, then a new pool
                    self._discard_pool()
                    continue
                given, task = queue.pop(0)
                stage = self.console.stage(self.instance, task.run_id, task.label, len(task.keys))
                stage.__enter__()
                running[future] = (given, task, stage)
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                # A worker died: the pool fails every run it held and takes no more. Those
                # runs go again once each, alone; the others go on in workers forked afresh.
                done, _ = cf.wait(running)
                self._discard_pool()
            for future in done:
                given, task, stage = running.pop(future)
                stage.__exit__(None, None, None)
                part = self._part_of(task, future)
                if isinstance(future.exception(), BrokenProcessPool) and given not in ended:
                    ended[given] = task.run_id
                    again.append((given, dataclasses.replace(task, run_id=str(uuid.uuid4()))))
                    continue
                yield given, _again(ended.get(given), task, part)

    def _discard_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _part_of(self, task: RunTask, future: cf.Future) -> dict:
        """What a worker's run gave, or the failure of the worker itself: then its run, if
        it had started and not ended, is marked failed on the instance (a dead process cannot
        say so, and the UI would show its partitions in progress for ever)."""
        try:
            return future.result()
        except Exception as exc:  # the process died, or the run could not be started
            why = f"{type(exc).__name__}: {exc}"
            run = self.instance.get_run_by_id(task.run_id)
            if run is not None and not run.is_finished:
                self.instance.report_run_failed(run, f"the process executing it ended: {why}")
            return {
                "ok": False, "failures": [f"{task.stage}: run {task.run_id} failed: {why}"],
                "warnings": [], "run_ids": [task.run_id], "closing": [], "split": {},
                "blocked": list(task.keys), "seconds": 0.0,
            }  # fmt: skip


def _again(old: str | None, task: RunTask, part: dict) -> dict:
    """What a run gave, after run `old` of the same task, which a dying worker ended, if any:
    both run ids, and a warning that says so; a second interruption is the failure reported."""
    if old is None:
        return part
    note = (
        f"{task.stage}: run {old} ended with its worker (another run's process died, or this "
        f"one's): executed again alone as run {task.run_id}"
    )
    return {
        **part,
        "run_ids": [old, *part["run_ids"]],
        "warnings": [note, *part["warnings"]],
    }


def _start() -> None:
    """A forked worker opens its own connections: those it inherits are the parent's
    (SQLAlchemy's advice for a fork: drop the inherited pools without closing them). The local
    instance it inherits is ready for that (orchestration/instance_storage.py): opening it
    again would check each storage's schema revision, 0.14 s a worker on this machine."""
    from orchestration.instance_storage import forkable
    from orchestration.runner import open_instance

    wh.forget_connections()
    instance = SHARED["instance"]
    if not forkable(instance):
        instance = open_instance(SHARED["opts"])
        SHARED["instance"] = instance
    multiprocessing.util.Finalize(instance, instance.dispose, exitpriority=10)


def execute(task: RunTask) -> dict:
    """One run on the instance, and what the command reports of it."""
    from orchestration.runner import Outcome, _collect, _split, _value, closing_lines

    defs, config, instance = SHARED["defs"], SHARED["config"], SHARED["instance"]
    engine = wh.engine_for(_value(defs.resources["warehouse"].url))
    plan_id = task.stage if task.plan_years else None
    before = closed_years(engine, plan_id) if plan_id else {}
    job = defs.resolve_job_def(task.job_name)
    # The whole job: no subset to build and snapshot again (20 ms a run).
    whole = set(task.keys) == set(job.asset_layer.executable_asset_keys)
    t = time.perf_counter()
    result = job.execute_in_process(
        instance=instance, run_id=task.run_id, run_config=config, raise_on_error=False,
        tags=dict(task.tags), asset_selection=None if whole else list(task.keys),
    )  # fmt: skip
    part = Outcome()
    _split(instance, result, time.perf_counter() - t, part.split)
    blocked = _collect(result, part, task.stage)
    if plan_id:
        after = closed_years(engine, plan_id)
        part.closing = closing_lines(plan_id, list(task.plan_years), before, after, result.run_id)
    return {
        "ok": part.ok,
        "failures": part.failures,
        "warnings": part.warnings,
        "run_ids": part.run_ids,
        "closing": part.closing,
        "split": part.split,
        "blocked": sorted(blocked),
        "seconds": time.perf_counter() - t,
    }
