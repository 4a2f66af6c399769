"""Schedules pick the right fiscal year in America/Toronto; the landing sensor runs a file once."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.schedules import closing_year, current_fiscal_year
from orchestration.sensors import LANDING_SENSOR, fiscal_year_of_name

TZ = ZoneInfo("America/Toronto")


def _defs(tmp_path):
    return build_definitions(
        None, landing=str(tmp_path / "landing"), warehouse_url=f"sqlite:///{tmp_path}/w.sqlite",
        staging=str(tmp_path / "staging"),
    )  # fmt: skip


def test_fiscal_year_rules_of_schedules():
    # 31 March 2025 is still 2024-2025; 1 April 2025 opens 2025-2026.
    assert current_fiscal_year(dt.date(2025, 3, 31)) == "2024-2025"
    assert current_fiscal_year(dt.date(2025, 4, 1)) == "2025-2026"
    # The closing run of 15 May 2025 finalises the year that ended on 31 March 2025.
    assert closing_year(dt.date(2025, 5, 15)) == "2024-2025"


def test_schedules_request_current_and_closing_years(tmp_path):
    defs = _defs(tmp_path)
    names = {s.name for s in defs.schedules}
    assert {"daily_digital_refresh", "monthly_ingest", "monthly_ophq_2024_2028",
            "yearly_closing_ophq_2024_2028"} <= names  # fmt: skip

    repo = defs.get_repository_def()
    daily = defs.get_schedule_def("daily_digital_refresh")
    # 06:00 in Toronto on 1 April 2025 = 10:00 UTC; the local date decides the fiscal year.
    ctx = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2025, 4, 1, 6, tzinfo=TZ), repository_def=repo
    )
    [request] = daily.evaluate_tick(ctx).run_requests
    assert request.partition_key == "2025-2026"

    closing = defs.get_schedule_def("yearly_closing_ophq_2024_2028")
    ctx = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 5, 15, 6, tzinfo=TZ), repository_def=repo
    )
    [request] = closing.evaluate_tick(ctx).run_requests
    assert request.partition_key == "2025-2026"
    assert request.run_config["resources"]["settings"]["config"]["final_years"] == ["2025-2026"]


def test_fiscal_year_from_file_name():
    assert fiscal_year_of_name("web_analytics/events_20250331.parquet", "x") == "2024-2025"
    assert fiscal_year_of_name("web_analytics/events_2025-04.csv.gz", "x") == "2025-2026"
    assert fiscal_year_of_name("web_analytics/all.parquet", "x") == "x"


def test_landing_sensor_processes_each_file_once(tmp_path):
    defs = _defs(tmp_path)
    sensor = defs.get_sensor_def(LANDING_SENSOR)
    folder = tmp_path / "landing" / "satisfaction_responses"
    folder.mkdir(parents=True)
    (folder / "2024.csv").write_text("response_id,response_date,score\nr1,2024-05-01,8\n")

    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources)
        first = sensor.evaluate_tick(ctx)
        assert [r.tags["plan_indicators/source"] for r in first.run_requests] == [
            "satisfaction_responses"
        ]
        assert first.run_requests[0].asset_selection == [
            dg.AssetKey(["raw", "satisfaction_responses"]),
            dg.AssetKey(["staging", "satisfaction_responses"]),
        ]
        cursor = first.cursor

        # Same file, same checksum: nothing to do.
        ctx = dg.build_sensor_context(
            instance=instance, definitions=defs, resources=defs.resources, cursor=cursor
        )
        again = sensor.evaluate_tick(ctx)
        assert not again.run_requests

        # Changed content: one new run with another run key.
        (folder / "2024.csv").write_text("response_id,response_date,score\nr1,2024-05-01,9\n")
        ctx = dg.build_sensor_context(
            instance=instance, definitions=defs, resources=defs.resources, cursor=cursor
        )
        changed = sensor.evaluate_tick(ctx)
        assert len(changed.run_requests) == 1
        assert changed.run_requests[0].run_key != first.run_requests[0].run_key
        assert "2024.csv" in json.dumps(json.loads(changed.cursor))


def test_run_failure_sensor_explains_the_failed_step(tmp_path, capfd):
    @dg.asset
    def broken() -> None:
        raise ValueError("fichier satisfaction_responses/x.csv illisible")

    defs = _defs(tmp_path)
    sensor = defs.get_sensor_def("run_failure_explainer")
    with dg.instance_for_test() as instance:
        result = dg.materialize([broken], instance=instance, raise_on_error=False)
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        [entry] = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        failure = entry.dagster_event
        ctx = dg.build_run_status_sensor_context(
            sensor_name="run_failure_explainer",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=run,
        ).for_run_failure()
        capfd.readouterr()
        sensor(ctx)
    text = capfd.readouterr().err
    assert f"Run {result.run_id}" in text
    assert "step broken" in text and "satisfaction_responses/x.csv" in text


def test_automation_refreshes_an_indicator_when_its_staging_changes(tmp_path):
    """`indicator_automation` (eager conditions): once the web staging of 2024-2025 is
    materialised, the next evaluation requests indicator 1.1.1 of OPHQ for that year only."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from assets.keys import raw_key, result_key, staging_key
    from orchestration.jobs import DIGITAL_JOB
    from plan_indicators.catalog import load_catalog

    web = tmp_path / "landing" / "web_analytics"
    web.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "event_date": ["20240501"],
                "event_timestamp": [1_714_550_400_000_000],
                "event_name": ["page_view"],
                "user_pseudo_id": ["u1"],
                "page_location": ["https://www.ophq.gouv.qc.ca/personnes-handicapees"],
            }
        ),
        web / "events_20240501.parquet",
    )
    defs = _defs(tmp_path)
    ophq = next(p for p in load_catalog() if p.id == "ophq-2024-2028")
    key = result_key(ophq, ophq.indicator("1.1.1"))

    def evaluate(**kwargs):
        # The evaluator calls asyncio.run(); Playwright's sync API (the session's browser
        # fixture) keeps an event loop running on this thread, so evaluate on another one.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(dg.evaluate_automation_conditions, defs=defs, **kwargs).result()

    with dg.instance_for_test() as instance:
        before = evaluate(instance=instance)
        assert not before.get_requested_partitions(key)  # nothing staged yet
        run = defs.resolve_job_def(DIGITAL_JOB).execute_in_process(
            instance=instance,
            partition_key="2024-2025",
            asset_selection=[raw_key("web_analytics"), staging_key("web_analytics")],
        )
        assert run.success
        after = evaluate(instance=instance, cursor=before.cursor)
        assert after.get_requested_partitions(key) == {"2024-2025"}


def test_one_automation_sensor_covers_every_automated_asset(tmp_path):
    """`indicator_automation` targets every asset with a condition (staging included), so the
    repository holds no implicit `default_automation_condition_sensor`."""
    from orchestration.sensors import AUTOMATION_SENSOR

    defs = _defs(tmp_path)
    repo = defs.get_repository_def()
    automation = [
        s for s in repo.sensor_defs if isinstance(s, dg.AutomationConditionSensorDefinition)
    ]
    assert [s.name for s in automation] == [AUTOMATION_SENSOR]
    graph = defs.resolve_asset_graph()
    conditioned = {k for k in graph.get_all_asset_keys() if graph.get(k).automation_condition}
    assert dg.AssetKey(["staging", "service_requests"]) in conditioned
    assert conditioned <= automation[0].asset_selection.resolve(graph)


def test_automation_restages_a_source_when_its_raw_read_is_materialised(tmp_path):
    """Materialising `raw/satisfaction_responses` alone (as from the UI): the automation
    sensor's next evaluation requests `staging/satisfaction_responses`, and nothing else of
    ingestion."""
    from assets.keys import raw_key, staging_key
    from orchestration.jobs import INGEST_JOB
    from orchestration.sensors import AUTOMATION_SENSOR

    folder = tmp_path / "landing" / "satisfaction_responses"
    folder.mkdir(parents=True)
    (folder / "2024.csv").write_text("response_id,response_date,score\nr1,2024-05-01,8\n")
    defs = _defs(tmp_path)
    target = defs.get_repository_def().get_sensor_def(AUTOMATION_SENSOR).asset_selection

    def evaluate(**kwargs):
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(
                dg.evaluate_automation_conditions, defs=defs, asset_selection=target, **kwargs
            ).result()

    staged = staging_key("satisfaction_responses")
    with dg.instance_for_test() as instance:
        before = evaluate(instance=instance)
        assert not before.get_num_requested(staged)  # its raw input is missing
        run = defs.resolve_job_def(INGEST_JOB).execute_in_process(
            instance=instance, asset_selection=[raw_key("satisfaction_responses")]
        )
        assert run.success
        after = evaluate(instance=instance, cursor=before.cursor)
        assert after.get_num_requested(staged) == 1
        others = [k for k in target.resolve(defs.resolve_asset_graph()) if k != staged]
        assert not any(after.get_num_requested(k) for k in others if k.path[0] == "staging")
