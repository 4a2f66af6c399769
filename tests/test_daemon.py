"""The deployment path on one machine: `dagster-daemon run` against an instance on PostgreSQL
with the QueuedRunCoordinator, runs launched in their own processes with the multiprocess
executor.

A file dropped into the landing zone is seen by `landing_zone_sensor`, which launches the
ingestion of its source; `indicator_automation` then launches OPHQ's indicator 3.1.1 (results,
then evaluations) for its fiscal years, and the warehouse holds them. The plan catalog is
published beforehand, as it is in any running deployment.

Numbers by hand: requests R1 web_form, R2 email, R3 phone in 2024-2025 -> share of requests
by web_form, email or chat = 2 / 3 = 66.67 %.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
import yaml
from pg import create_database, drop_database

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
DEADLINE_SECONDS = 480
ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
REQUESTS = (
    "request_id,received_date,channel,requester_id,region_code\n"
    "R1,2024-05-01,web_form,P1,06\n"
    "R2,2024-06-10,email,P2,06\n"
    "R3,2024-07-15,phone,P1,03\n"
)


@pytest.fixture()
def databases():
    """Two fresh PostgreSQL databases: the instance's and the warehouse's."""
    try:
        made = [create_database(), create_database()]
    except Exception as exc:  # noqa: BLE001 - any connection fault means "no server"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable: {exc} (CI=true: it must run)")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    yield [url for url, _ in made]
    for _url, name in made:
        drop_database(name)


def _cause(event) -> str:
    err = event.step_failure_data.error
    while err.cause is not None:
        err = err.cause
    return err.message + "".join(err.stack[-4:])


def _wait(predicate, what: str, started: float, daemon: subprocess.Popen):
    while time.monotonic() - started < DEADLINE_SECONDS:
        found = predicate()
        if found:
            return found
        assert daemon.poll() is None, "dagster-daemon stopped"
        time.sleep(2)
    pytest.fail(f"no {what} within {DEADLINE_SECONDS} s")


def test_daemon_runs_landing_sensor_then_plan_end_to_end(tmp_path, databases):
    instance_url, warehouse_url = databases
    home, landing = tmp_path / "dagster_home", tmp_path / "landing"
    home.mkdir()
    landing.mkdir()
    pg = sa.engine.make_url(instance_url).set(drivername="postgresql")
    (home / "dagster.yaml").write_text(
        yaml.safe_dump(
            {
                "storage": {"postgres": {"postgres_url": pg.render_as_string(False)}},
                "run_coordinator": {
                    "module": "dagster.core.run_coordinator",
                    "class": "QueuedRunCoordinator",
                    "config": {"max_concurrent_runs": 1, "dequeue_interval_seconds": 1},
                },
                "telemetry": {"enabled": False},
            }
        )
    )
    (tmp_path / "workspace.yaml").write_text(
        yaml.safe_dump(
            {
                "load_from": [
                    {
                        "python_module": {
                            "module_name": "orchestration.definitions",
                            "location_name": "plan_indicators",
                            "working_directory": str(REPO),
                        }
                    }
                ]
            }
        )
    )
    plans = tmp_path / "plans"  # one plan: a lighter code location for every process
    plans.mkdir()
    shutil.copy(REPO / "data" / "plans" / "ophq-2024-2028.yaml", plans)
    env = {
        **os.environ,
        "PLAN_INDICATORS_PLANS_DIR": str(plans),
        "DAGSTER_HOME": str(home),
        "PLAN_INDICATORS_LANDING_DIR": str(landing),
        "PLAN_INDICATORS_STAGING_DIR": str(tmp_path / "staging"),
        "PLAN_INDICATORS_WAREHOUSE_URL": warehouse_url,
        "PLAN_INDICATORS_PSEUDONYM_KEY": "daemon-key-not-secret",
        "PLAN_INDICATORS_AS_OF": "2026-11-01",
        "PLAN_INDICATORS_SENSOR_INTERVAL": "5",
    }
    workspace = ["-w", str(tmp_path / "workspace.yaml")]
    # The published catalog (dim_plan, dim_indicator, indicator_target, dim_fiscal_year: one
    # step), as in a deployment.
    subprocess.run(
        [BIN / "dagster", "asset", "materialize", "-m", "orchestration.definitions",
         "--select", "dim_plan,dim_indicator,indicator_target,dim_fiscal_year"],
        env=env, cwd=REPO, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    subprocess.run(
        [BIN / "dagster", "sensor", "start", "--start-all", *workspace],
        env=env, cwd=tmp_path, check=True, capture_output=True, timeout=300,
    )  # fmt: skip

    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [BIN / "dagster-daemon", "run", *workspace],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    started = time.monotonic()
    try:
        (landing / "service_requests").mkdir()
        (landing / "service_requests" / "2024.csv").write_text(REQUESTS, "utf-8")
        engine = sa.create_engine(warehouse_url)

        def evaluated():
            try:
                with engine.connect() as conn:
                    return conn.execute(
                        sa.text(
                            "SELECT r.value, e.status FROM indicator_result r JOIN "
                            "indicator_evaluation e USING (plan_id, indicator_id, fiscal_year) "
                            "WHERE r.plan_id = 'ophq-2024-2028' AND r.indicator_id = '3.1.1' "
                            "AND r.fiscal_year = '2024-2025'"
                        )
                    ).all()
            except sa.exc.ProgrammingError:  # tables not created yet
                return None

        with dg.DagsterInstance.from_config(str(home)) as instance:

            def settled():
                # The row is written, and no run is still queued or running (stopping the
                # daemon interrupts its runs).
                active = instance.get_runs(dg.RunsFilter(statuses=ACTIVE))
                return not active and evaluated()

            [(value, status)] = _wait(settled, "evaluation of 3.1.1", started, daemon)
        assert value == pytest.approx(200 / 3)
        assert status
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            daemon.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):  # the code server it started, if left
            os.killpg(daemon.pid, signal.SIGKILL)
        log.close()

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        by_sensor = [r for r in runs if r.tags.get("dagster/sensor_name") == "landing_zone_sensor"]
        assert [r.tags["plan_indicators/source"] for r in by_sensor] == ["service_requests"]
        automated = [r for r in runs if r.tags.get("dagster/sensor_name") == "indicator_automation"]
        assert automated, [r.tags for r in runs]
        for run in by_sensor + automated:
            failures = [
                _cause(e.dagster_event)
                for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            ]
            assert run.status == dg.DagsterRunStatus.SUCCESS, (run.asset_selection, failures)
            engine_text = "\n".join(
                e.message
                for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
            )
            assert "multiprocess executor" in engine_text, engine_text
        queued = instance.all_logs(by_sensor[0].run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED)
        assert queued  # through the QueuedRunCoordinator
