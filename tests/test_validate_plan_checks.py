"""`validate-plan` checks everything the run relies on (docs/contracts.md §2.7): required texts,
parameter values, unit against measure, target kind against unit and direction, and, with
`--landing`, the data a plan's indicators need. What it accepts, the run builds, computes and
evaluates: an enumeration of mutations of the seed catalogs proves it."""

from __future__ import annotations

import copy
import datetime as dt
import random
from pathlib import Path

import pytest
import yaml
from measure_fixtures import stage, stage_web

from orchestration import cli
from orchestration.validation import check_plan
from plan_indicators.catalog import TARGET_KINDS, CatalogError, Plan
from plan_indicators.fiscal import FiscalYear
from plan_indicators.measure_reference import example
from plan_indicators.measures import MeasureContext, compute, registry
from plan_indicators.staging import ParquetStagedData
from plan_indicators.targets import Observed, evaluate

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "plans").glob("*.yaml"))

PLAN = {
    "plan": {
        "id": "essai-2024-2026",
        "organisation": "Office d'essai",
        "title": "Plan stratégique 2024-2026",
        "fiscal_years": ["2024-2025", "2025-2026"],
    },
    "indicators": [
        {
            "id": "1.1",
            "enjeu": "1 — Services",
            "orientation": "1 — Servir",
            "objective": "1.1 Répondre",
            "text_fr": "Délai moyen de traitement des plaintes",
            "unit": "days",
            "direction": "lower_is_better",
            "measure": {"name": "register_mean_delay"},
            "targets": {"2024-2025": {"kind": "at_most", "value": 20}},
        },
        {
            "id": "1.2",
            "enjeu": "1 — Services",
            "orientation": "1 — Servir",
            "objective": "1.1 Répondre",
            "text_fr": "Taux de participation au sondage",
            "unit": "percent",
            "measure": {"name": "survey_participation"},
            "targets": {"2025-2026": {"kind": "at_least", "value": 40}},
        },
    ],
}


def _write(folder: Path, raw: dict, name: str = "plan.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _refused(tmp_path, capsys, edit) -> str:
    raw = copy.deepcopy(PLAN)
    edit(raw)
    path = _write(tmp_path, raw)
    assert cli.main(["validate-plan", str(path)]) == 1
    return capsys.readouterr().err


def test_the_sample_plan_passes(tmp_path, capsys):
    path = _write(tmp_path, PLAN)
    assert cli.main(["validate-plan", str(path)]) == 0
    assert f"{path}: OK (essai-2024-2026, 2 indicators)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda r: r["indicators"][0].pop("text_fr"),
            "indicator 1.1: field text_fr: missing field 'text_fr'",
        ),
        (
            lambda r: r["indicators"][0].update(text_fr="  "),
            "indicator 1.1: field text_fr: must not be empty: write the plan's wording",
        ),
        (
            lambda r: r["plan"].update(organisation=""),
            "indicator -: field plan.organisation: must not be empty",
        ),
        (
            lambda r: r["indicators"][0]["measure"].update(params={"statistic": "banana"}),
            "indicator 1.1: field measure.params.statistic: measure 'register_mean_delay' "
            "statistic 'banana' is not accepted; allowed: mean, median",
        ),
        (
            lambda r: r["indicators"][0].update(unit="percent"),
            "indicator 1.1: field unit: measure 'register_mean_delay' gives days, not percent; "
            "measures for unit percent: ",
        ),
        (
            lambda r: r["indicators"][0]["targets"].update(
                {"2025-2026": {"kind": "deadline", "due": "hiver 2026"}}
            ),
            "indicator 1.1: field targets.2025-2026.kind: target kind deadline does not fit "
            "unit days (a deadline judges a milestone's date); it fits date",
        ),
        (
            lambda r: r["indicators"][1]["targets"].update(
                {"2025-2026": {"kind": "every_year_from", "start": "2024", "min_count": 2}}
            ),
            "target kind every_year_from does not fit unit percent (it counts events per year "
            "or half-year); it fits count",
        ),
        (
            lambda r: r["indicators"][0]["targets"].update(
                {"2025-2026": {"kind": "points_over_baseline", "points": 2,
                               "baseline_year": "2024-2025"}}
            ),
            "target kind points_over_baseline does not fit unit days (percentage points; over "
            "a score or a count use delta_over_baseline)",
        ),
        (
            lambda r: r["indicators"][0]["targets"].update(
                {"2025-2026": {"kind": "at_least", "value": 15}}
            ),
            "indicator 1.1: field targets.2025-2026.kind: target kind at_least contradicts "
            "direction lower_is_better: write at_most, or direction: higher_is_better",
        ),
        (
            lambda r: r["indicators"][1]["targets"].update(
                {"2025-2026": {"kind": "relative_to_baseline", "percent": 5,
                               "baseline_year": "2025-2026"}}
            ),
            "baseline year 2025-2026 is not before 2025-2026 and has no baseline_value",
        ),
    ],
    ids=[
        "text_fr_missing", "text_fr_blank", "organisation_blank", "statistic_banana",
        "unit_vs_measure", "deadline_on_days", "recurring_on_percent", "points_on_days",
        "kind_vs_direction", "baseline_year",
    ],
)  # fmt: skip
def test_validate_plan_refuses_what_the_run_would_misread(tmp_path, capsys, edit, message):
    assert message in _refused(tmp_path, capsys, edit)


# ── --landing: what the run would publish as no_data ─────────────────────────────────────────


def test_landing_reports_missing_rows_and_sources(tmp_path, capsys):
    path = _write(tmp_path, PLAN)
    landing = tmp_path / "landing"
    (landing / "activity_register").mkdir(parents=True)
    (landing / "activity_register" / "registre.csv").write_text(
        "plan_id,indicator_id,record_id,event_date,start_date\n"
        "essai-2024-2026,1.3,r1,2024-05-01,2024-04-20\n"  # 1.3: no such indicator
        "autre-plan,1.1,r2,2024-05-01,2024-04-20\n",  # another plan's 1.1
        encoding="utf-8",
    )
    (landing / "survey_results").mkdir()
    (landing / "survey_results" / "sondage.csv").write_text(
        "plan_id,indicator_id,fiscal_year,value,respondents,population\n"
        "essai-2024-2026,1.2,2024-2025,41,410,1000\n",
        encoding="utf-8",
    )
    args = ["validate-plan", str(path), "--landing", str(landing), "--as-of", "2025-06-01"]
    assert cli.main(args) == 0  # warnings, not refusals: data may still come
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}: OK (essai-2024-2026, 2 indicators)",
        f"WARN {path}: indicator 1.1: activity_register: aucune ligne plan_id=essai-2024-2026, "
        "indicator_id=1.1 au registre : l'indicateur sera « Donnée non disponible »",
        # 2025-2026 has begun on 2025-06-01 and has no row; 2024-2025 has one
        f"WARN {path}: indicator 1.2: survey_results: aucune ligne plan_id=essai-2024-2026, "
        "indicator_id=1.2 pour 2025-2026 : ces années seront « Donnée non disponible »",
        f"WARN {path}: indicator -: activity_register: 1 ligne(s) au registre pour "
        "indicator_id=1.3, que le plan essai-2024-2026 n'a pas : elles ne comptent pour aucun "
        "indicateur",
        f"{path}: landing zone {landing}: 3 warning(s): those indicators would be « Donnée non "
        "disponible »",
    ]


def test_landing_reports_a_source_the_zone_lacks(tmp_path, capsys):
    path = _write(tmp_path, PLAN)
    landing = tmp_path / "landing"
    landing.mkdir()
    assert cli.main(["validate-plan", str(path), "--landing", str(landing)]) == 0
    out = capsys.readouterr().out
    assert (
        f"WARN {path}: indicator 1.1: activity_register: aucun fichier dans activity_register/ "
        ": la mesure register_mean_delay le lit, l'indicateur sera « Donnée non disponible »"
    ) in out
    assert "indicator 1.2: survey_results: aucun fichier dans survey_results/" in out
    assert cli.main(["validate-plan", str(path), "--landing", str(tmp_path / "none")]) == 2


def test_strict_fails_on_a_landing_warning_and_only_then(tmp_path, capsys):
    path = _write(tmp_path, PLAN)
    landing = tmp_path / "landing"
    landing.mkdir()
    args = ["validate-plan", str(path), "--landing", str(landing), "--strict"]
    # the empty zone: 1.1's register and 1.2's survey are absent, two warnings -> exit 1
    assert cli.main(args) == 1
    out = capsys.readouterr().out
    assert out.count("WARN ") == 2
    assert f"{path}: landing zone {landing}: 2 warning(s)" in out and "--strict: refused" in out
    # the same zone with every row the plan needs: nothing printed as WARN, exit 0
    (landing / "activity_register").mkdir()
    (landing / "activity_register" / "registre.csv").write_text(
        "plan_id,indicator_id,record_id,event_date,start_date\n"
        "essai-2024-2026,1.1,r1,2024-05-01,2024-04-20\n",
        encoding="utf-8",
    )
    (landing / "survey_results").mkdir()
    (landing / "survey_results" / "sondage.csv").write_text(
        "plan_id,indicator_id,fiscal_year,value,respondents,population\n"
        "essai-2024-2026,1.2,2024-2025,41,410,1000\n"
        "essai-2024-2026,1.2,2025-2026,43,430,1000\n",
        encoding="utf-8",
    )
    assert cli.main([*args, "--as-of", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert "WARN" not in out and "every source and row it needs is there" in out
    # without --strict the warnings never fail; --strict without --landing is a usage error
    (landing / "survey_results" / "sondage.csv").unlink()
    assert cli.main(["validate-plan", str(path), "--landing", str(landing)]) == 0
    assert cli.main(["validate-plan", str(path), "--strict"]) == 2
    assert "--strict applies to the --landing warnings" in capsys.readouterr().err


# ── what validate-plan accepts, the run builds, computes and evaluates ───────────────────────

KIND_FIELDS = {
    "at_least": {"value": 50},
    "at_most": {"value": 10},
    "relative_to_baseline": {"percent": 5, "baseline_year": "{before}"},
    "points_over_baseline": {"points": 2, "baseline_year": "{before}"},
    "delta_over_baseline": {"delta": 1, "baseline_year": "{before}"},
    "at_least_previous": {},
    "first_measure": {},
    "not_applicable": {},
    "deadline": {"due": "{due}"},
    "every_year_from": {"start": "{start}", "min_count": 1, "per": "half_year"},
    "cumulative_at_least": {"value": 50},
}


def _mutations() -> list:
    """Edits of one indicator: each a (label, function of the indicator dict and its year)."""
    edits = []
    for unit in ("percent", "count", "score", "days", "date", "currency"):
        edits.append((f"unit={unit}", lambda i, fy, u=unit: i.update(unit=u)))
    for d in ("higher_is_better", "lower_is_better"):
        edits.append((f"direction={d}", lambda i, fy, d=d: i.update(direction=d)))
    for name, m in sorted(registry().items()):
        spec = yaml.safe_load(example(m))["measure"]
        edits.append((f"measure={name}", lambda i, fy, s=spec: i.update(measure=copy.deepcopy(s))))
    for params in (
        {"statistic": "banana"}, {"statistic": "median"}, {"business_days": "oui"},
        {"subjects": 0}, {"subjects": 3}, {"channels": ["fax"]}, {"min_reach": -1},
        {"months": 3}, {"max_days": 30},
    ):  # fmt: skip
        edits.append((f"params={params}", lambda i, fy, p=params: i["measure"].update(params=p)))
    for kind in TARGET_KINDS:

        def set_kind(i, fy, kind=kind):
            year = FiscalYear.parse(fy)
            fields = {
                k: (
                    v.format(
                        before=f"{year.start_year - 1}-{year.start_year}",
                        due=f"{year.start_year}-12-01",
                        start=str(year.start_year),
                    )
                    if isinstance(v, str)
                    else v
                )
                for k, v in KIND_FIELDS[kind].items()
            }
            i["targets"] = {fy: {"kind": kind, **fields}}

        edits.append((f"kind={kind}", set_kind))
    edits.append(("scale=0-10", lambda i, fy: i.update(scale={"min": 0, "max": 10})))
    edits.append(("no scale", lambda i, fy: i.pop("scale", None)))
    edits.append(("text_fr blank", lambda i, fy: i.update(text_fr="")))
    return edits


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> ParquetStagedData:
    """One small staged zone with rows for every seed indicator, every source."""
    root = tmp_path_factory.mktemp("staged")
    pairs = []
    for seed in SEEDS:
        raw = yaml.safe_load(seed.read_text(encoding="utf-8"))
        pairs += [(raw["plan"]["id"], str(i["id"])) for i in raw["indicators"]]
    register, surveys = [], []
    for n, (plan_id, ind_id) in enumerate(pairs):
        for y in range(2018, 2028):
            register.append({
                "plan_id": plan_id, "indicator_id": ind_id, "record_id": f"r{n}-{y}",
                "event_date": f"{y}-06-15", "start_date": f"{y}-06-01", "quantity": 2.0,
                "outcome": y % 2 == 0, "subject": f"s{y}",
            })  # fmt: skip
            surveys.append({
                "plan_id": plan_id, "indicator_id": ind_id, "fiscal_year": f"{y}-{y + 1}",
                "value": 5.0, "respondents": 40.0, "population": 100.0,
            })  # fmt: skip
    stage(root, "activity_register", register)
    stage(root, "survey_results", surveys)
    days = [f"{y}-05-10" for y in range(2018, 2028)]
    stage(root, "facebook_posts", [
        {"post_id": f"p{i}", "publish_time": f"{d} 10:00", "reach": 900.0 + i * 100}
        for i, d in enumerate(days)
    ])  # fmt: skip
    stage(root, "facebook_post_topics", [
        {"post_id": f"p{i}", "informs_programs": True} for i in range(len(days))
    ])  # fmt: skip
    stage(root, "service_requests", [
        {"request_id": f"q{i}", "received_date": d, "channel": "email"} for i, d in enumerate(days)
    ])  # fmt: skip
    stage(root, "service_offers", [
        {"offer_id": f"o{i}", "request_id": f"q{i}", "offer_date": d, "offer_kind": "initial",
         "response": "accepted"} for i, d in enumerate(days)
    ])  # fmt: skip
    stage(root, "satisfaction_responses", [
        {"response_id": f"s{i}", "response_date": d, "score": 8.0} for i, d in enumerate(days)
    ])  # fmt: skip
    stage(root, "coordination_requests", [
        {"request_id": f"c{i}", "region_code": "06", "received_date": d, "eligible": True,
         "processed_date": d} for i, d in enumerate(days)
    ])  # fmt: skip
    stage(root, "action_plan_filings", [
        {"organisation_id": f"g{i}", "organisation_type": "organisme", "reference_start": d,
         "adopted_date": d, "consultation": True} for i, d in enumerate(days)
    ])  # fmt: skip
    for y in range(2018, 2028):
        stage_web(root, f"{y}-{y + 1}", [("/services", "u1"), ("/", "u2")])
    return ParquetStagedData(root)


def _runs(plan: Plan, data: ParquetStagedData) -> None:
    """What a run does with an accepted plan: compute each year, then evaluate each target."""
    as_of = dt.date(2026, 11, 1)
    start = FiscalYear.parse(min(plan.plan.fiscal_years))
    for ind in plan.indicators:
        results = {}
        for fy in plan.partition_years():
            ctx = MeasureContext(plan.id, ind.id, FiscalYear.parse(fy), as_of, data, None, start)
            results[fy] = compute(ind.measure.name, ctx, ind.measure.params)
        for fy, target in ind.targets.items():
            res = results[fy]
            observed = Observed(res.value, res.achieved_on, res.periods)
            evaluate(
                target, observed, FiscalYear.parse(fy), as_of, direction=ind.direction,
                baseline=res.value, previous=res.value,
            )  # fmt: skip


def test_every_catalog_validate_plan_accepts_builds_computes_and_evaluates(tmp_path, staged):
    """Seeded mutations (one or two edits of one seed indicator); each accepted catalog goes
    through the Dagster build and the run's computation; each refused one names a field."""
    rng = random.Random(18)
    edits = _mutations()
    seeds = [yaml.safe_load(s.read_text(encoding="utf-8")) for s in SEEDS]
    accepted = refused = 0
    for case in range(100):
        raw = copy.deepcopy(rng.choice(seeds))
        ind = rng.choice(raw["indicators"])
        raw["indicators"] = [ind]
        fy = rng.choice(raw["plan"]["fiscal_years"])
        labels = []
        for label, edit in rng.sample(edits, rng.choice((1, 2))):
            edit(ind, fy)
            labels.append(label)
        path = _write(tmp_path, raw, f"case{case}.yaml")
        try:
            plan = check_plan(path)  # the catalog, then the Dagster definitions
        except CatalogError as exc:
            refused += 1
            assert exc.problems and all(fld for _, fld, _ in exc.problems), labels
            continue
        accepted += 1
        _runs(plan, staged)  # raises if the run would refuse what validate-plan accepted
    # Both sides are exercised: the enumeration is no test that cannot fail.
    assert accepted >= 15 and refused >= 15, (accepted, refused)
