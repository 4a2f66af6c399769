"""Indicator and evaluation assets, generated from the catalog: one pair per indicator.

`indicator_result/<plan>/<indicator>` computes the indicator's measure for each fiscal year and
publishes it (earlier values kept in history). `indicator_evaluation/<plan>/<indicator>` compares
it with that year's target, resolving baselines from the results of the baseline years.

An indicator whose sources' last raw read or staging failed (or that were never staged while
their landing folder holds files) fails its step before computing anything: its published
rows stay as they were (`plan_indicators.source_state`).
"""

import hashlib
import json
import time

import dagster as dg

from assets.catalog import target_rows
from assets.coverage import coverage_metadata
from assets.keys import INDICATOR_TARGET, evaluation_key, result_key, staging_key
from assets.partitions import plan_partitions
from assets.tags import first_word, tag_value
from plan_indicators import warehouse as wh
from plan_indicators.catalog import Indicator, Plan
from plan_indicators.fiscal import FiscalYear
from plan_indicators.formatting import display_value, round1
from plan_indicators.measures import MeasureContext, compute, get_measure
from plan_indicators.regions import suppress
from plan_indicators.source_state import why_blocked
from plan_indicators.staging import ParquetStagedData, read_manifest
from plan_indicators.statuses import STATUS_FR
from plan_indicators.targets import Observed
from resources import CalendarResource, LandingZone, RunSettings, Warehouse

UNIT_FR = {
    "percent": "pourcentage",
    "count": "nombre",
    "score": "note",
    "days": "jours ouvrables",
    "date": "date",
    "currency": "montant ($)",
}


def _targets_md(ind: Indicator) -> str:
    lines = ["| Année | Cible | Type |", "|---|---|---|"]
    for fy, t in sorted(ind.targets.items()):
        lines.append(f"| {fy} | {t.text_fr or '—'} | `{t.kind}` |")
    return "\n".join(lines)


# Where an indicator's step spent its time, summed by `plan-indicators run` for its split.
SECONDS_MEASURE = "seconds_measure"
SECONDS_WRITE = "seconds_write"


def describe(plan: Plan, ind: Indicator) -> str:
    """The asset description a business reader sees in the UI, in the plan's words."""
    assumptions = "".join(f"\n- {a}" for a in ind.assumptions)
    return (
        f"**{ind.id} — {ind.text_fr}**\n\n"
        f"{plan.plan.organisation}, {plan.plan.title}\n\n"
        f"- Enjeu : {ind.enjeu}\n- Orientation : {ind.orientation}\n- Objectif : {ind.objective}\n"
        f"- Unité : {UNIT_FR[ind.unit]} · Mesure : `{ind.measure.name}`\n\n"
        f"{_targets_md(ind)}\n" + (f"\nHypothèses :{assumptions}\n" if assumptions else "")
    )


def _tags(plan: Plan, ind: Indicator, sources: tuple[str, ...]) -> dict[str, str]:
    tags = {
        "plan": tag_value(plan.id),
        "enjeu": first_word(ind.enjeu),
        "measure": tag_value(ind.measure.name),
    }
    tags.update({f"source/{s}": "" for s in sources})
    return tags


def inputs_fingerprint(staging_root: str, sources: tuple[str, ...]) -> str:
    """Hash of the manifests (file names and checksums) of every source a measure read."""
    digest = hashlib.sha256()
    for source in sorted(sources):
        manifest = read_manifest(staging_root, source) or {}
        digest.update(json.dumps(manifest.get("files", []), sort_keys=True, default=str).encode())
        digest.update(str(manifest.get("fingerprint", "")).encode())
    return digest.hexdigest()[:32]


def _data_as_of(data: ParquetStagedData, sources: tuple[str, ...], as_of):
    from plan_indicators.sources.contracts import CONTRACTS, WEB

    dates = []
    for source in sources:
        col = CONTRACTS[source].date_column
        frame = data.frame(source) if source != WEB else None
        if col and frame is not None and col in frame and len(frame):
            latest = frame[col].max()
            if latest == latest:
                dates.append(min(latest.date(), as_of))
    return max(dates) if dates else None


def _indicator_asset(plan: Plan, ind: Indicator) -> dg.AssetsDefinition:
    measure = get_measure(ind.measure.name)

    @dg.asset(
        key=result_key(plan, ind),
        deps=[staging_key(s) for s in measure.sources],
        partitions_def=plan_partitions(plan),
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=plan.slug,
        kinds={"python", "sql"},
        tags=_tags(plan, ind, measure.sources),
        owners=ind.owners or plan.plan.owners or None,
        description=describe(plan, ind),
        metadata={
            "text_fr": ind.text_fr,
            "objective": ind.objective,
            "unit": ind.unit,
            "measure": ind.measure.name,
            "warehouse_table": "indicator_result",
        },
        automation_condition=dg.AutomationCondition.eager(),
    )
    def _result(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: Warehouse,
        settings: RunSettings,
        calendar: CalendarResource,
    ) -> dg.MaterializeResult:
        blocked = why_blocked(landing.staging_path, landing.path, measure.sources)
        if blocked:
            raise dg.Failure(
                description=f"indicator {ind.id} of {plan.id} not computed, its published "
                f"results are unchanged: {blocked}"
            )
        engine = warehouse.engine()
        data = ParquetStagedData(landing.staging_path)
        as_of = settings.as_of_date()
        business_days = calendar.business_days()
        fingerprint = inputs_fingerprint(landing.staging_path, measure.sources)
        data_as_of = _data_as_of(data, measure.sources, as_of)
        rows, revisions, seconds_measure, excluded = [], 0, 0.0, {}
        plan_start = FiscalYear.parse(min(plan.plan.fiscal_years))
        started = time.perf_counter()
        for fy in sorted(context.partition_keys):
            ctx = MeasureContext(
                plan.id, ind.id, FiscalYear.parse(fy), as_of, data, business_days, plan_start
            )
            t = time.perf_counter()
            res = compute(ind.measure.name, ctx, ind.measure.params, ind.measure.filter)
            seconds_measure += time.perf_counter() - t
            old = wh.read_rows(
                engine, wh.indicator_result, plan_id=plan.id, indicator_id=ind.id, fiscal_year=fy
            )
            row = {
                "plan_id": plan.id,
                "indicator_id": ind.id,
                "fiscal_year": fy,
                "value": res.value,
                "value_display": display_value(ind.unit, res.value, res.achieved_on),
                "value_rounded": round1(res.value),
                "numerator": res.numerator,
                "denominator": res.denominator,
                "achieved_on": res.achieved_on,
                "evidence": res.evidence,
                "periods": json.dumps(res.periods) if res.periods else None,
                "reason": res.reason,
                "data_as_of": data_as_of,
                "is_final": fy in settings.final_years or bool(old and old[0]["is_final"]),
                "run_id": context.run_id,
                "inputs_fingerprint": fingerprint,
                "computed_at": wh.utcnow(),
            }
            cells = suppress(res.regions) if res.regions else []
            revisions += wh.publish_result(engine, row, cells) is not None
            rows.append(row)
            if res.excluded:
                excluded[fy] = res.excluded
        latest = rows[-1]
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(rows),
                SECONDS_MEASURE: round(seconds_measure, 4),
                SECONDS_WRITE: round(time.perf_counter() - started - seconds_measure, 4),
                "value": latest["value_display"] or "—",
                "history_revisions_written": revisions,
                # Rows left out of both terms, per year and rule: data-quality warnings.
                "excluded_rows": dg.MetadataValue.json(excluded),
                "inputs_fingerprint": fingerprint,
                "results": dg.MetadataValue.md(
                    "| Année | Valeur | Numérateur | Dénominateur | Remarque |\n"
                    "|---|---|---|---|---|\n"
                    + "\n".join(
                        f"| {r['fiscal_year']} | {r['value_display'] or '—'} | "
                        f"{r['numerator'] if r['numerator'] is not None else ''} | "
                        f"{r['denominator'] if r['denominator'] is not None else ''} | "
                        f"{r['reason'] or ''} |"
                        for r in rows
                    )
                ),
                **coverage_metadata(engine, measure.sources, [r["fiscal_year"] for r in rows]),
            }
        )

    return _result


def _evaluation_asset(plan: Plan, ind: Indicator) -> dg.AssetsDefinition:
    @dg.asset(
        key=evaluation_key(plan, ind),
        deps=[result_key(plan, ind), INDICATOR_TARGET],
        partitions_def=plan_partitions(plan),
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=plan.slug,
        kinds={"python", "sql"},
        tags={"plan": tag_value(plan.id), "layer": "evaluation"},
        owners=ind.owners or plan.plan.owners or None,
        description=f"Évaluation de l'indicateur {ind.id} par rapport à sa cible annuelle : "
        f"{ind.text_fr}",
        metadata={"warehouse_table": "indicator_evaluation"},
        automation_condition=dg.AutomationCondition.eager(),
    )
    def _evaluation(
        context: dg.AssetExecutionContext,
        warehouse: Warehouse,
        settings: RunSettings,
        calendar: CalendarResource,
    ) -> dg.MaterializeResult:
        from plan_indicators.targets import evaluate

        engine = warehouse.engine()
        as_of = settings.as_of_date()
        seasons = calendar.seasons()
        results = {
            r["fiscal_year"]: r
            for r in wh.read_rows(engine, wh.indicator_result, plan_id=plan.id, indicator_id=ind.id)
        }
        thresholds = {r["fiscal_year"]: r for r in target_rows(_one(plan, ind), engine)}
        table = []
        for fy in sorted(context.partition_keys):
            target = ind.targets.get(fy)
            key = {"plan_id": plan.id, "indicator_id": ind.id, "fiscal_year": fy}
            if target is None:
                wh.replace_rows(engine, wh.indicator_evaluation, key, [])
                continue
            res = results.get(fy) or {}
            observed = observed_of(res)
            baseline_year = getattr(target, "baseline_year", None)
            baseline = (results.get(baseline_year) or {}).get("value") if baseline_year else None
            previous = (results.get(FiscalYear.parse(fy).previous.key) or {}).get("value")
            ev = evaluate(
                target,
                observed,
                FiscalYear.parse(fy),
                as_of,
                direction=ind.direction,
                baseline=baseline,
                previous=previous,
                seasons=seasons,
                results={year: observed_of(r) for year, r in results.items()},
                plan_start=min(plan.plan.fiscal_years),
                unit=ind.unit,
            )
            note = ev.note or (res.get("reason") if ev.status == "no_data" else None)
            row = {
                **key,
                "value": ev.value if ev.value is not None else observed.value,
                "threshold": ev.threshold,
                "status": ev.status,
                "status_fr": STATUS_FR[ev.status],
                "gap": ev.gap,
                "note": note,
                "evaluated_at": wh.utcnow(),
                "run_id": context.run_id,
            }
            with engine.begin() as conn:
                wh.delete_insert(conn, wh.indicator_evaluation, key, [row])
                wh.delete_insert(conn, wh.indicator_target, key, [thresholds[fy]])
            table.append(row)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(table),
                "status": table[-1]["status_fr"] if table else "aucune cible",
                "evaluations": dg.MetadataValue.md(
                    "| Année | Valeur | Seuil | Statut | Écart |\n|---|---|---|---|---|\n"
                    + "\n".join(
                        f"| {r['fiscal_year']} | {_fmt(r['value'])} | {_fmt(r['threshold'])} | "
                        f"{r['status_fr']} | {_fmt(r['gap'])} |"
                        for r in table
                    )
                ),
            }
        )

    return _evaluation


def observed_of(res: dict) -> Observed:
    """A published result row as the target engine reads it."""
    return Observed(
        value=res.get("value"),
        achieved_on=res.get("achieved_on"),
        periods=json.loads(res["periods"]) if res.get("periods") else {},
        numerator=res.get("numerator"),
        denominator=res.get("denominator"),
    )


def _fmt(v) -> str:
    return "—" if v is None else f"{v:.1f}"


def _one(plan: Plan, ind: Indicator) -> Plan:
    return plan.model_copy(update={"indicators": [ind]})


def plan_assets(plan: Plan) -> list[dg.AssetsDefinition]:
    out = []
    for ind in plan.indicators:
        out += [_indicator_asset(plan, ind), _evaluation_asset(plan, ind)]
    return out
