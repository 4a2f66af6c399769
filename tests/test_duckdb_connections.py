"""The web steps' DuckDB connections: one database per process, a connection of its own for each
caller (closing one leaves the others open), its bounds on all, a fresh database after a fork."""

import multiprocessing
import os

from plan_indicators.sources.web import sql


def test_each_caller_has_a_connection_of_its_own_with_the_bounds():
    first, second = sql.connect(), sql.connect()
    assert first is not second
    first.close()
    settings = second.execute(
        "SELECT current_setting('threads'), current_setting('preserve_insertion_order'), "
        "current_setting('temp_directory')"
    ).fetchone()
    assert settings[:2] == (2, False)
    assert settings[2].endswith("plan_indicators_duckdb")
    limit = second.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.endswith("MiB") and float(limit.split()[0]) < 1024  # 1 GB = 953.6 MiB
    second.close()
    assert list(sql._DATABASE) == [os.getpid()]


def _in_child(queue) -> None:
    con = sql.connect()
    try:
        queue.put((os.getpid(), con.execute("SELECT 40 + 2").fetchone()[0], sorted(sql._DATABASE)))
    finally:
        con.close()


def test_a_forked_process_opens_its_own_database_and_leaves_the_parents():
    sql.connect().close()  # the parent's database is open at the fork
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_in_child, args=(queue,))
    child.start()
    pid, answer, databases = queue.get(timeout=60)
    child.join(timeout=60)
    assert (answer, child.exitcode) == (42, 0)
    assert databases == sorted([os.getpid(), pid])  # its own, the parent's kept untouched
    con = sql.connect()
    assert con.execute("SELECT 1").fetchone() == (1,)
    con.close()
