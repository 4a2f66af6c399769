"""Indicator and evaluation assets, generated from the catalog: two steps per plan.

Each plan has one `@dg.multi_asset` for its results and one for its evaluations, with one
`AssetSpec` per indicator (`indicator_result/<plan>/<indicator>`,
`indicator_evaluation/<plan>/<indicator>`) and `can_subset=True`, so the UI still shows and
materialises each indicator on its own while a whole plan costs two steps. The results step
computes each selected indicator's measure for each fiscal year, publishes it (earlier values
kept in history) and runs the result suite on what it published (one check per indicator);
the evaluations step compares each result with that year's target, resolving baselines from
the results of the baseline years.

Every fiscal year's materialization carries that year's own metadata (value, threshold,
status, gap): the step yields one `MaterializeResult` per selected key, and the per-year
metadata goes through `context.add_asset_metadata(…, partition_key=…)`, which Dagster merges
into that partition's event (in a single-run backfill a `MaterializeResult` alone cannot
target a partition, dagster issue 18123).

Failure isolation, per indicator (docs/contracts.md §2.8):
- an indicator whose sources' last raw read or staging failed (or that were never staged while
  their landing folder holds files), or whose measure raises, is not written: its published
  rows stay as they were (`plan_indicators.source_state`); the others are published, then the
  step fails naming each one, so the run says what was left out;
- an indicator whose result fails the result suite (severity ERROR) is evaluated `no_data`
  with the suite's reason, read from the check's latest evaluation on the instance, while the
  plan's other indicators are evaluated as usual.
"""

import hashlib
import json
import time
import traceback

import dagster as dg

from assets.checks import (
    explained_check_specs,
    missed_target_explained,
    result_check_specs,
    result_suite,
)
from assets.coverage import coverage_metadata
from assets.keys import EAGER, INDICATOR_TARGET, evaluation_key, result_key, staging_key
from assets.partitions import plan_partitions
from assets.tags import first_word, tag_value
from plan_indicators import warehouse as wh
from plan_indicators.catalog import Indicator, Plan
from plan_indicators.catalog_rows import ensure_catalog, target_rows
from plan_indicators.closing import CLI, closed_years, record_closing
from plan_indicators.commentary import SOURCE as COMMENTARY
from plan_indicators.commentary import explanations
from plan_indicators.fiscal import FiscalYear
from plan_indicators.measures import for_indicator, get_measure
from plan_indicators.regions import suppress
from plan_indicators.source_state import why_blocked
from plan_indicators.staging import ParquetStagedData, read_manifest
from plan_indicators.statuses import NO_DATA, STATUS_FR, refused_note
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


def _of_sources(env: dict, sources: tuple[str, ...]) -> tuple[str, object]:
    """The inputs' fingerprint and the data's latest date for `sources`, once per step: most
    of a plan's indicators read the same few sources."""
    memo = env.setdefault("of_sources", {})
    if sources not in memo:
        memo[sources] = (
            inputs_fingerprint(env["staging"], sources),
            _data_as_of(env["data"], sources, env["as_of"]),
        )
    return memo[sources]


def _result_spec(plan: Plan, ind: Indicator) -> dg.AssetSpec:
    sources = get_measure(ind.measure.name).sources
    return dg.AssetSpec(
        key=result_key(plan, ind),
        deps=[staging_key(s) for s in sources],
        group_name=plan.slug,
        kinds={"python", "sql"},
        tags=_tags(plan, ind, sources),
        owners=ind.owners or plan.plan.owners or None,
        description=describe(plan, ind),
        metadata={
            "text_fr": ind.text_fr,
            "objective": ind.objective,
            "unit": ind.unit,
            "measure": ind.measure.name,
            "warehouse_table": "indicator_result",
        },
        automation_condition=EAGER,
    )


def _evaluation_spec(plan: Plan, ind: Indicator) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=evaluation_key(plan, ind),
        # The explanations are read here, so a new commentary file re-evaluates (and the UI
        # shows the source upstream of each evaluation).
        deps=[result_key(plan, ind), INDICATOR_TARGET, staging_key(COMMENTARY)],
        group_name=plan.slug,
        kinds={"python", "sql"},
        tags={"plan": tag_value(plan.id), "layer": "evaluation"},
        owners=ind.owners or plan.plan.owners or None,
        description=f"Évaluation de l'indicateur {ind.id} par rapport à sa cible annuelle : "
        f"{ind.text_fr}",
        metadata={"warehouse_table": "indicator_evaluation"},
        automation_condition=EVALUATION_CONDITION,
    )


def evaluation_condition() -> dg.AutomationCondition:
    """`eager()`, except that `staging/result_commentary` may never have been materialised:
    explanations are optional, so a plan without any still evaluates when its results change,
    and a new commentary file still re-evaluates once staged."""
    ac = dg.AutomationCondition
    optional = dg.AssetSelection.assets(staging_key(COMMENTARY))
    return (
        ac.in_latest_time_window()
        & (ac.newly_missing() | ac.any_deps_updated()).since_last_handled()
        & ~ac.any_deps_missing().ignore(optional)
        & ~ac.any_deps_in_progress()
        & ~ac.in_progress()
    ).with_label("eager, result_commentary optional")


EVALUATION_CONDITION = evaluation_condition()  # one object shared by every evaluation, as EAGER


def _selected(plan: Plan, context: dg.AssetExecutionContext, key_of) -> list[Indicator]:
    """The plan's indicators whose key this run materialises, in catalog order."""
    keys = context.selected_asset_keys
    return [ind for ind in plan.indicators if key_of(plan, ind) in keys]


def _compute_years(plan: Plan, ind: Indicator, years: list[str], env: dict) -> list:
    """Every year's measure, computed before anything is written, so that an indicator whose
    measure raises leaves all of its published rows as they were."""
    result_at = for_indicator(plan, ind, env["data"], env["business_days"])
    out = []
    for fy in years:
        t = time.perf_counter()
        res = result_at(FiscalYear.parse(fy), env["as_of"])
        out.append((fy, res, time.perf_counter() - t))
    return out


def _publish_results(context, plan: Plan, ind: Indicator, years: list[str], env: dict):
    """Compute and publish one indicator's years; record each year's own metadata on its
    partition and return the key-level metadata."""
    sources = get_measure(ind.measure.name).sources
    engine = env["engine"]
    key = result_key(plan, ind)
    fingerprint, data_as_of = _of_sources(env, sources)
    computed = _compute_years(plan, ind, years, env)
    t = time.perf_counter()
    rows = [
        wh.result_row(
            plan.id, ind, fy, res,
            data_as_of=data_as_of,
            is_final=fy in env["closing"],
            run_id=context.run_id,
            inputs_fingerprint=fingerprint,
            computed_at=wh.utcnow(),
        )
        for fy, res, _ in computed
    ]  # fmt: skip
    # Every year of the indicator in one transaction: one commit, and none if a write fails.
    revised = wh.publish_results(
        engine,
        [(row, suppress(res.regions) if res.regions else []) for row, (_, res, _) in
         zip(rows, computed, strict=True)],
    )  # fmt: skip
    seconds_write = (time.perf_counter() - t) / max(1, len(rows))
    revisions, excluded = sum(r is not None for r in revised), {}
    for row, (fy, res, seconds_measure), revision in zip(rows, computed, revised, strict=True):
        if res.excluded:
            excluded[fy] = res.excluded
        context.add_asset_metadata(
            {
                "dagster/row_count": 1,
                "value": row["value_display"] or "—",
                "numerator": _num(row["numerator"]),
                "denominator": _num(row["denominator"]),
                "reason": row["reason"] or "",
                "is_final": row["is_final"],
                "history_revision_written": revision is not None,
                # Rows left out of both terms, by rule: data-quality warnings for this year.
                "excluded_rows": dg.MetadataValue.json(res.excluded or {}),
                SECONDS_MEASURE: round(seconds_measure, 4),
                # The transaction's seconds, shared out among its years.
                SECONDS_WRITE: round(seconds_write, 4),
            },
            asset_key=key,
            partition_key=fy,
        )
    return {
        "history_revisions_written": revisions,
        "excluded_rows_by_year": dg.MetadataValue.json(excluded),
        "inputs_fingerprint": fingerprint,
        "results": dg.MetadataValue.md(
            "| Année | Valeur | Numérateur | Dénominateur | Remarque |\n"
            "|---|---|---|---|---|\n"
            + "\n".join(
                f"| {r['fiscal_year']} | {r['value_display'] or '—'} | "
                f"{_num(r['numerator'])} | {_num(r['denominator'])} | {r['reason'] or ''} |"
                for r in rows
            )
        ),
        **coverage_metadata(engine, sources, [r["fiscal_year"] for r in rows]),
    }


def closing_years(settings: RunSettings, years: list[str], as_of, context) -> set[str]:
    """The years this run closes (`final_years`): open ones, of this run, over at the as-of
    date; a year still running cannot be closed."""
    wanted = set(settings.final_years) & set(years)
    running = sorted(fy for fy in wanted if not FiscalYear.parse(fy).is_over(as_of))
    if running:
        context.log.warning(
            f"not closed: {', '.join(running)} not over at {as_of}; a year closes once ended"
        )
    return wanted - set(running)


def kept_closed(context, key: dg.AssetKey, closed: dict[str, dict], years: list[str]) -> None:
    """Say, on each closed partition of this run, that its final rows were kept as they are."""
    for fy in years:
        if fy in closed:
            c = closed[fy]
            note = (
                f"Année close le {c['closed_at']:%Y-%m-%d} (run {c['run_id']}) : résultats "
                "définitifs conservés, non recalculés (plan-indicators reopen pour la rouvrir)"
            )
            context.log.info(f"{key.to_user_string()} {fy}: {note}")
            context.add_asset_metadata(
                {"closed": note, "is_final": True}, asset_key=key, partition_key=fy
            )


def _num(v) -> str:
    return "" if v is None else f"{v:g}"


def _results_asset(plan: Plan) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"{plan.slug}_results",
        specs=[_result_spec(plan, ind) for ind in plan.indicators],
        check_specs=result_check_specs(plan),
        partitions_def=plan_partitions(plan),
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=True,
    )
    def _results(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: Warehouse,
        settings: RunSettings,
        calendar: CalendarResource,
    ):
        env = {
            "engine": warehouse.engine(),
            "settings": settings,
            "staging": landing.staging_path,
            "data": ParquetStagedData(landing.staging_path),
            "as_of": settings.as_of_date(),
            "business_days": calendar.business_days(),
        }
        if ensure_catalog(env["engine"], plan):
            context.log.info(f"{plan.id}: catalog rows written first (the warehouse lacked them)")
        all_years = sorted(context.partition_keys)
        closed = closed_years(env["engine"], plan.id)
        years = [fy for fy in all_years if fy not in closed]
        env["closing"] = closing_years(settings, years, env["as_of"], context)
        not_computed: dict[str, str] = {}
        published = []
        for ind in _selected(plan, context, result_key):
            kept_closed(context, result_key(plan, ind), closed, all_years)
            sources = get_measure(ind.measure.name).sources
            blocked = why_blocked(landing.staging_path, landing.path, sources)
            if blocked:
                not_computed[ind.id] = blocked
                continue
            try:
                metadata = _publish_results(context, plan, ind, years, env)
            except Exception as exc:  # isolation: one indicator's error spares the others
                not_computed[ind.id] = f"{type(exc).__name__}: {exc}"
                context.log.error(f"indicator {ind.id}:\n{traceback.format_exc()}")
                continue
            published.append(ind)
            yield dg.MaterializeResult(asset_key=result_key(plan, ind), metadata=metadata)
        yield from result_suite(context, plan, env["engine"], published)
        if not_computed:
            raise dg.Failure(
                description="\n".join(
                    f"indicator {i} of {plan.id} not computed, its published results are "
                    f"unchanged: {why}"
                    for i, why in not_computed.items()
                ),
                metadata={"not_computed": sorted(not_computed)},
            )

    return _results


def refused_by_suite(
    instance: dg.DagsterInstance, keys: list[dg.AssetKey]
) -> dict[dg.AssetKey, str | None]:
    """Why the result suite's latest evaluation of each result refused it, or None; one query
    for all of them.

    Read from the instance, so it holds in the run that computed the result and in any later
    run (an evaluation materialised alone from the UI, the automation sensor) until the check
    passes again."""
    from expectations.checks import RESULT_SUITE_CHECK

    checks = {key: dg.AssetCheckKey(key, RESULT_SUITE_CHECK) for key in keys}
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        list(checks.values())
    )
    return {key: _refusal(records.get(check)) for key, check in checks.items()}


def _refusal(record) -> str | None:
    from expectations.checks import RESULT_SUITE_CHECK

    # The record's status enum is not exported by `dagster`; its value is stable storage text.
    if record is None or record.status.value != "FAILED":
        return None
    evaluation = record.evaluation
    if evaluation is None or evaluation.severity != dg.AssetCheckSeverity.ERROR:
        return None
    from expectations.advice import advice_for_failures

    # What to fix, in French (the note is printed in the report), then the suite's own words.
    sample = evaluation.metadata.get("unexpected_sample")
    advice = advice_for_failures(list(sample.value)) if sample is not None else []
    return " ".join([*advice, f"({(evaluation.description or RESULT_SUITE_CHECK).strip()})"])


def _evaluate_years(context, plan: Plan, ind: Indicator, years: list[str], env: dict) -> list:
    from plan_indicators.targets import evaluate

    engine = env["engine"]
    refused = env["refused"][result_key(plan, ind)]
    results = {r["fiscal_year"]: r for r in env["results"].get(ind.id, [])}
    thresholds = {r["fiscal_year"]: r for r in target_rows(_one(plan, ind), engine)}
    key = evaluation_key(plan, ind)
    table, writes = [], []
    for fy in years:
        target = ind.targets.get(fy)
        where = {"plan_id": plan.id, "indicator_id": ind.id, "fiscal_year": fy}
        if target is None:
            writes.append((wh.indicator_evaluation, where, []))
            context.add_asset_metadata(
                {"dagster/row_count": 0, "status": "aucune cible"}, asset_key=key, partition_key=fy
            )
            continue
        res = {} if refused else results.get(fy) or {}
        observed = observed_of(res)
        baseline_year = getattr(target, "baseline_year", None)
        baseline = (results.get(baseline_year) or {}).get("value") if baseline_year else None
        previous = (results.get(FiscalYear.parse(fy).previous.key) or {}).get("value")
        ev = evaluate(
            target,
            observed,
            FiscalYear.parse(fy),
            env["as_of"],
            direction=ind.direction,
            baseline=None if refused else baseline,
            previous=None if refused else previous,
            seasons=env["seasons"],
            results={} if refused else {year: observed_of(r) for year, r in results.items()},
            plan_start=min(plan.plan.fiscal_years),
            unit=ind.unit,
        )
        if refused and ev.status == NO_DATA:
            note = refused_note(refused)
        else:
            note = ev.note or (res.get("reason") if ev.status == NO_DATA else None)
        row = {
            **where,
            "value": ev.value if ev.value is not None else observed.value,
            "threshold": ev.threshold,
            "status": ev.status,
            "status_fr": STATUS_FR[ev.status],
            "gap": ev.gap,
            "note": note,
            "evaluated_at": wh.utcnow(),
            "run_id": context.run_id,
        }
        row |= _explanation(engine, where, env, ind.id, fy)
        writes += [
            (wh.indicator_evaluation, where, [row]),
            (wh.indicator_target, where, [thresholds[fy]]),
        ]
        table.append(row)
        context.add_asset_metadata(
            {
                "dagster/row_count": 1,
                "value": _fmt(row["value"]),
                "threshold": _fmt(row["threshold"]),
                "status": row["status_fr"],
                "gap": _fmt(row["gap"]),
                "note": note or "",
                "explanation": row["explanation_fr"] or "",
            },
            asset_key=key,
            partition_key=fy,
        )
    # Every year of the indicator in one transaction: one commit, and none if a write fails.
    with engine.begin() as conn:
        for table_, where, rows in writes:
            wh.delete_insert(conn, table_, where, rows)
    return table


def _explanation(engine, where: dict, env: dict, indicator_id: str, fy: str) -> dict:
    """The year's explanation columns: from the staged commentary, or, while that source is
    blocked (its last read or staging failed), the explanation already published."""
    if env["commentary_blocked"]:
        old = wh.read_rows(engine, wh.indicator_evaluation, **where)
        return {
            "explanation_fr": old[0]["explanation_fr"] if old else None,
            "explanation_updated_on": old[0]["explanation_updated_on"] if old else None,
        }
    found = env["commentary"].get((indicator_id, fy))
    return {
        "explanation_fr": found.text_fr if found else None,
        "explanation_updated_on": found.updated_on if found else None,
    }


def _evaluations_asset(plan: Plan) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"{plan.slug}_evaluations",
        specs=[_evaluation_spec(plan, ind) for ind in plan.indicators],
        check_specs=explained_check_specs(plan),
        partitions_def=plan_partitions(plan),
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=True,
    )
    def _evaluations(
        context: dg.AssetExecutionContext,
        landing: LandingZone,
        warehouse: Warehouse,
        settings: RunSettings,
        calendar: CalendarResource,
    ):
        blocked = why_blocked(landing.staging_path, landing.path, (COMMENTARY,))
        if blocked:
            context.log.warning(
                f"{COMMENTARY} is blocked, the explanations already published are kept: {blocked}"
            )
        staged = None if blocked else ParquetStagedData(landing.staging_path).frame(COMMENTARY)
        env = {
            "engine": warehouse.engine(),
            "as_of": settings.as_of_date(),
            "seasons": calendar.seasons(),
            "commentary": explanations(staged, plan.id),
            "commentary_blocked": blocked,
        }
        ensure_catalog(env["engine"], plan)
        all_years = sorted(context.partition_keys)
        closed = closed_years(env["engine"], plan.id)
        years = [fy for fy in all_years if fy not in closed]
        selected = _selected(plan, context, evaluation_key)
        env["refused"] = refused_by_suite(
            context.instance, [result_key(plan, ind) for ind in selected]
        )
        env["results"] = {}  # the plan's published results, read once
        for r in wh.read_rows(env["engine"], wh.indicator_result, plan_id=plan.id):
            env["results"].setdefault(r["indicator_id"], []).append(r)
        for ind in selected:
            kept_closed(context, evaluation_key(plan, ind), closed, all_years)
            closed_explanations(plan, ind, [fy for fy in all_years if fy in closed], env)
            table = _evaluate_years(context, plan, ind, years, env)
            yield dg.MaterializeResult(
                asset_key=evaluation_key(plan, ind),
                metadata={
                    "evaluations": dg.MetadataValue.md(
                        "| Année | Valeur | Seuil | Statut | Écart |\n|---|---|---|---|---|\n"
                        + "\n".join(
                            f"| {r['fiscal_year']} | {_fmt(r['value'])} | "
                            f"{_fmt(r['threshold'])} | {r['status_fr']} | {_fmt(r['gap'])} |"
                            for r in table
                        )
                    ),
                    "explained_years": dg.MetadataValue.json(
                        [r["fiscal_year"] for r in table if r["explanation_fr"]]
                    ),
                },
            )
        yield from missed_target_explained(context, plan, env["engine"])
        to_close = closing_years(settings, years, env["as_of"], context)
        if to_close:
            close_plan_years(context, plan, sorted(to_close), selected, env)

    return _evaluations


def closed_explanations(plan: Plan, ind: Indicator, years: list[str], env: dict) -> None:
    """A closed year's explanations are still published: the *explication des résultats* is
    written after the closing, about the final results; nothing else of the year changes
    (docs/contracts.md §6.1). While the commentary source is blocked there is nothing new to
    write: the published explanations stay as they are."""
    if env["commentary_blocked"] or not years:
        return
    t = wh.indicator_evaluation
    with env["engine"].begin() as conn:
        for fy in years:
            where = {"plan_id": plan.id, "indicator_id": ind.id, "fiscal_year": fy}
            conn.execute(
                t.update()
                .where(*[t.c[k] == v for k, v in where.items()])
                .values(**_explanation(env["engine"], where, env, ind.id, fy))
            )


def close_plan_years(context, plan: Plan, years: list[str], selected, env: dict) -> None:
    """Record the closing of `years` (docs/contracts.md §6.1) once every indicator of the plan
    has its final result from this run and its evaluation; otherwise the year stays open and the
    step says why (it fails, so the run does too)."""
    engine = env["engine"]
    if len(selected) != len(plan.indicators):
        raise dg.Failure(
            description=f"{plan.id}: {', '.join(years)} not closed: a closing evaluates every "
            f"indicator of the plan, this run selected {len(selected)} of "
            f"{len(plan.indicators)}"
        )
    closed_by = context.run.tags.get("dagster/schedule_name") or CLI
    problems = []
    for fy in years:
        rows = {
            r["indicator_id"]: r
            for r in wh.read_rows(engine, wh.indicator_result, plan_id=plan.id, fiscal_year=fy)
        }
        missing = [
            ind.id
            for ind in plan.indicators
            if ind.id not in rows
            or rows[ind.id]["run_id"] != context.run_id
            or not rows[ind.id]["is_final"]
        ]
        if missing:
            problems.append(
                f"{fy} not closed: no final result of this run for {', '.join(missing)}"
            )
            continue
        with engine.begin() as conn:
            row = record_closing(
                conn, plan.id, fy, run_id=context.run_id, closed_by=closed_by,
                as_of=env["as_of"], results_closed=len(rows),
            )  # fmt: skip
        context.log.info(f"{plan.id} {fy} closed (closing {row['closing']}, by {closed_by})")
    if problems:
        raise dg.Failure(description=f"{plan.id}: " + "; ".join(problems))


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
    """A plan's two steps: its results, then its evaluations."""
    return [_results_asset(plan), _evaluations_asset(plan)]
