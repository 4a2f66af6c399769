"""Dagster instance storage on PostgreSQL (dagster-postgres), as deploy/dagster.yaml sets it."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa
import yaml


@dg.asset
def tiny() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": 1})


def test_runs_and_events_are_stored_in_postgres(pg_url, tmp_path):
    url = sa.engine.make_url(pg_url).set(drivername="postgresql")
    config = {
        "storage": {"postgres": {"postgres_url": url.render_as_string(hide_password=False)}},
        "telemetry": {"enabled": False},
    }
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        result = dg.materialize([tiny], instance=instance)
        assert result.success
        assert instance.get_run_by_id(result.run_id) is not None
        latest = instance.get_latest_materialization_event(dg.AssetKey("tiny"))
        assert latest is not None
    with sa.create_engine(pg_url).connect() as conn:
        runs = conn.execute(sa.text("SELECT run_id FROM runs")).scalars().all()
    assert result.run_id in runs


def test_deploy_example_names_postgres_storage():
    from pathlib import Path

    config = yaml.safe_load((Path(__file__).parents[1] / "deploy" / "dagster.yaml").read_text())
    assert set(config["storage"]) == {"postgres"}
