"""Great Expectations in a process of its own, started before the first suite is needed.

Importing GX costs 2.5-5 s (it imports scipy, altair and its own 300 expectation classes), a
third of a whole `plan-indicators run` on the sample data, and no suite can run before it is
done. `plan-indicators run` therefore
starts one worker process as the command begins (`start`); it imports GX and builds the
ephemeral context on the second core while the first loads Dagster, the code location and
the raw files, and every suite of the command then runs in it (`call`), the frame sent over a
pipe. The suites, their results and their failures are the same as in the process
(`expectations.runner.validate_suite` is what the worker runs).

A suite whose result is needed later (a raw read's or a staged source's, checked by a step of its
own) can be handed over at once (`submit`): a thread of the command waits for the worker while
the command goes on reading the next source, so the second core validates while the first
reads. A suite the command waits for (`call`) goes first: the thread hands over nothing while
one is waiting.

Elsewhere (tests, `dagster dev`, the daemon's run workers) no worker is started and the suites
run in the process, as they do when the worker cannot start or dies (the call is made again in
the process). A process that has already imported GX starts no worker.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
_lock = threading.Lock()
_worker: tuple[subprocess.Popen, Connection, Connection] | None = None  # process, out, in
_shared = None
"""A lock across processes: the plans' runs forked from the command share its worker and its
pipes, one call at a time (`orchestration/side_by_side.py`)."""
_turn = threading.Condition()
_waiting = 0
"""Calls waiting for their answer; handed-over suites wait until there are none."""
_handed: tuple[int, cf.ThreadPoolExecutor] | None = None
"""The thread that hands suites over, with the process it belongs to."""


def _after_fork() -> None:
    """A forked process starts with its own free locks and no thread of the parent's (one may
    have held a lock at the fork); `_shared` stays shared, and keeps the pipes one call at a
    time."""
    global _lock, _turn, _waiting, _handed
    _lock, _turn, _waiting, _handed = threading.Lock(), threading.Condition(), 0, None


os.register_at_fork(after_in_child=_after_fork)


def _serve(requests: Connection, answers: Connection) -> None:
    """The worker: GX first, then each `(fn, args)` received, answered with its outcome."""
    from expectations.runner import _context

    _context()
    while True:
        try:
            fn, args = requests.recv()
        except EOFError:
            return
        try:
            answer = ("ok", fn(*args))
        except Exception as exc:  # the caller raises it, as if the call had been made there
            answer = ("error", exc)
        try:
            answers.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError):
            answers.send(("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


def start() -> bool:
    """Start the worker (once per process); False when GX is already imported here (a warm
    process needs none) or no process could be started. The worker is a fresh interpreter on
    this one's import path (`python -m expectations.worker`), talking over two pipes."""
    global _worker
    with _lock:
        if _worker is not None:
            return True
        if "great_expectations" in sys.modules:
            return False
        to_worker, from_worker = os.pipe(), os.pipe()
        path = os.pathsep.join(p for p in sys.path if p)
        argv = [sys.executable, "-m", __name__, str(to_worker[0]), str(from_worker[1])]
        try:
            process = subprocess.Popen(
                argv,
                pass_fds=(to_worker[0], from_worker[1]),
                env={**os.environ, "PYTHONPATH": path},
            )
        except OSError as exc:
            log.warning("Great Expectations stays in the process (no worker: %s)", exc)
            for fd in (*to_worker, *from_worker):
                os.close(fd)
            return False
        os.close(to_worker[0])
        os.close(from_worker[1])
        global _shared
        import multiprocessing

        _shared = multiprocessing.get_context("fork").Lock()
        requests = Connection(to_worker[1], readable=False)
        _worker = (process, requests, Connection(from_worker[0], writable=False))
        return True


def running() -> bool:
    return _worker is not None


def call(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the worker when there is one (`fn` must be importable), else here."""
    global _waiting
    with _turn:
        _waiting += 1
    try:
        return _call(fn, *args)
    finally:
        with _turn:
            _waiting -= 1
            _turn.notify_all()


def submit(fn: Callable[..., T], *args: Any) -> cf.Future[T] | None:
    """`fn(*args)` handed to the worker without waiting for it, one suite after the other;
    None when there is no worker (the caller then calls it when it needs the answer)."""
    global _handed
    if _worker is None:
        return None
    with _turn:  # not `_lock`, which a call in progress holds until its answer
        if _handed is None or _handed[0] != os.getpid():
            _handed = (os.getpid(), cf.ThreadPoolExecutor(1, thread_name_prefix="gx-handed"))
        return _handed[1].submit(_when_free, fn, *args)


def settle() -> None:
    """Wait for the suites handed over (before a fork: a child must not inherit a lock their
    thread holds)."""
    with _turn:
        handed = _handed
    if handed is not None and handed[0] == os.getpid():
        handed[1].submit(int).result()  # one thread, in order: every earlier one is done


def _when_free(fn: Callable[..., T], *args: Any) -> T:
    with _turn:
        _turn.wait_for(lambda: _waiting == 0)
    return _call(fn, *args)


def _call(fn: Callable[..., T], *args: Any) -> T:
    global _worker
    with _lock, _shared or contextlib.nullcontext():
        if _worker is not None:
            try:
                _worker[1].send((fn, args))
                kind, value = _worker[2].recv()
            except (EOFError, OSError):
                log.warning("the Great Expectations worker stopped; suites now run in the process")
                _stop()
            else:
                if kind == "error":
                    raise value
                return value
    return fn(*args)


def stop() -> None:
    """Stop the worker, even while it is still importing GX; suites handed over and not begun
    are cancelled (no step is left to take their answer)."""
    global _handed
    with _turn:
        handed, _handed = _handed, None
    if handed is not None and handed[0] == os.getpid():
        handed[1].shutdown(wait=True, cancel_futures=True)  # its thread ends here, not later
    with _lock:
        _stop()


def _stop() -> None:
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        process, requests, answers = worker
        requests.close()
        answers.close()
        process.terminate()
        process.wait()


if __name__ == "__main__":
    _serve(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
    )
