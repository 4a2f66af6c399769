"""A plan step reads the latest materialisation of every asset it checks in one query
(`assets.checks.prefetch_targets`), and each check result still records the materialisation
it checked, as Dagster records it without the prefetch."""

import dagster as dg
import pytest

from assets.checks import prefetch_targets

YEARS = ["2023-2024", "2024-2025"]
KEYS = [dg.AssetKey(["result", name]) for name in ("a", "b", "c")]


def _step(prefetch: bool):
    @dg.multi_asset(
        specs=[dg.AssetSpec(k) for k in KEYS],
        check_specs=[dg.AssetCheckSpec("ok", asset=k) for k in KEYS],
        partitions_def=dg.StaticPartitionsDefinition(YEARS),
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=True,
        name="step_prefetch" if prefetch else "step_plain",
    )
    def _results(context: dg.AssetExecutionContext):
        for key in KEYS:
            yield dg.MaterializeResult(asset_key=key)
        if prefetch:
            prefetch_targets(context, KEYS)
        for key in KEYS:
            yield dg.AssetCheckResult(asset_key=key, check_name="ok", passed=True)

    return _results


@pytest.mark.parametrize("prefetch", [True, False])
def test_each_check_records_its_assets_latest_materialisation(prefetch, monkeypatch):
    reads = []
    original = dg.DagsterInstance.get_asset_records
    monkeypatch.setattr(
        dg.DagsterInstance,
        "get_asset_records",
        lambda self, keys=None: (reads.append(list(keys or [])), original(self, keys))[1],
    )
    tags = {"dagster/asset_partition_range_start": YEARS[0]}
    tags["dagster/asset_partition_range_end"] = YEARS[-1]
    with dg.instance_for_test() as instance:
        result = dg.materialize([_step(prefetch)], instance=instance, tags=tags)
        assert result.success
        checked = {ev.asset_key: ev for ev in result.get_asset_check_evaluations()}
        for key in KEYS:
            [latest] = instance.fetch_materializations(key, limit=1).records
            target = checked[key].target_materialization_data
            assert (target.storage_id, target.run_id) == (latest.storage_id, result.run_id)
    target_reads = [r for r in reads if set(r) <= set(KEYS) and r]
    # One read of the three assets with the prefetch; one per check without it.
    assert target_reads == ([KEYS] if prefetch else [[k] for k in KEYS])
