"""An explanation (`result_commentary`, docs/contracts.md §4.7.11) that no evaluation would
carry (unknown plan, indicator the plan lacks, year without a target) is a `validate-plan
--landing` warning naming its file, line and key; `--strict` makes it fail."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from orchestration import cli

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
            "targets": {"2024-2025": {"kind": "at_most", "value": 20}},  # no 2025-2026 target
        }
    ],
}

# Line 1 header; 2 matched (1.1 has a 2024-2025 target); 3 a plan nobody validates; 4 an
# indicator essai-2024-2026 does not have; 5 a year 1.1 has no target for.
COMMENTARY = (
    "plan_id,indicator_id,fiscal_year,text_fr\n"
    "essai-2024-2026,1.1,2024-2025,Explication attendue.\n"
    "autre-2024-2026,1.1,2024-2025,Plan inconnu.\n"
    "essai-2024-2026,1.9,2024-2025,Indicateur inconnu.\n"
    "essai-2024-2026,1.1,2025-2026,Année sans cible.\n"
)
FILE = "result_commentary/explications.csv"


def _zone(tmp_path: Path, commentary: str) -> Path:
    landing = tmp_path / "landing"
    for folder, name, text in (
        ("activity_register", "registre.csv",
         "plan_id,indicator_id,record_id,event_date,start_date\n"
         "essai-2024-2026,1.1,r1,2024-05-01,2024-04-20\n"
         "autre-2024-2026,1.1,r2,2024-05-01,2024-04-20\n"),
        ("result_commentary", "explications.csv", commentary),
    ):  # fmt: skip
        (landing / folder).mkdir(parents=True, exist_ok=True)
        (landing / folder / name).write_text(text, "utf-8")
    return landing


def _write(tmp_path: Path, raw: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def test_three_unmatched_explanations_three_warnings_each_naming_its_line(tmp_path, capsys):
    plan = _write(tmp_path, PLAN, "plan.yaml")
    landing = _zone(tmp_path, COMMENTARY)
    args = ["validate-plan", str(plan), "--landing", str(landing), "--as-of", "2025-06-01"]
    assert cli.main(args) == 0  # warnings, not refusals
    out = capsys.readouterr().out.splitlines()
    end = "cette explication ne sera publiée nulle part"
    assert out == [
        f"{plan}: OK (essai-2024-2026, 1 indicators)",
        f"WARN {plan}: indicator 1.9: result_commentary: {FILE}:4 : plan_id=essai-2024-2026, "
        f"indicator_id=1.9, fiscal_year=2024-2025 : le plan essai-2024-2026 n'a pas "
        f"d'indicateur 1.9 : {end}",
        f"WARN {plan}: indicator 1.1: result_commentary: {FILE}:5 : plan_id=essai-2024-2026, "
        f"indicator_id=1.1, fiscal_year=2025-2026 : l'indicateur 1.1 n'a pas de cible pour "
        f"2025-2026 : {end}",
        f"{plan}: landing zone {landing}: 2 warning(s): those indicators would be « Donnée non "
        "disponible »",
        f"WARN {landing}: indicator 1.1: result_commentary: {FILE}:3 : plan_id=autre-2024-2026, "
        f"indicator_id=1.1, fiscal_year=2024-2025 : aucun plan validé ne porte l'identifiant "
        f"autre-2024-2026 : {end}",
        f"{landing}: 1 warning(s): explanations of no plan validated here",
    ]
    # Line 2, the matched row, is named nowhere; exactly three warnings, and --strict fails.
    assert sum(line.startswith("WARN ") for line in out) == 3
    assert not any(f"{FILE}:2 " in line for line in out)
    assert cli.main([*args, "--strict"]) == 1
    assert capsys.readouterr().out.count("--strict: refused") == 2


def test_matched_explanations_and_plans_validated_together_warn_nothing(tmp_path, capsys):
    plan = _write(tmp_path, PLAN, "plan.yaml")
    other = copy.deepcopy(PLAN)
    other["plan"]["id"] = "autre-2024-2026"
    other_path = _write(tmp_path, other, "autre.yaml")
    # Lines 2 and 3 of COMMENTARY only: each matches a plan validated, an indicator, a target.
    landing = _zone(tmp_path, "".join(COMMENTARY.splitlines(keepends=True)[:3]))
    args = ["validate-plan", str(plan), str(other_path), "--landing", str(landing), "--strict"]
    assert cli.main([*args, "--as-of", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert "WARN" not in out and "result_commentary" not in out
    # The same zone with the first plan alone: autre-2024-2026's row is the one warning.
    assert cli.main(["validate-plan", str(plan), "--landing", str(landing), "--strict"]) == 1
    out = capsys.readouterr().out
    assert out.count("WARN ") == 1 and f"{FILE}:3 : plan_id=autre-2024-2026" in out


def test_run_names_the_same_three_explanations_in_its_warn_lines(tmp_path, monkeypatch, capsys):
    """The WARN check `explanations_matched` on staging/result_commentary: in the run's WARN
    lines (one per row, file and line first) and on the instance, as the UI shows it."""
    import os

    import dagster as dg

    from assets.commentary_check import EXPLANATIONS_MATCHED
    from assets.keys import staging_key

    monkeypatch.setenv("PLAN_INDICATORS_PSEUDONYM_KEY", "commentary-key-not-secret")
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    plans = tmp_path / "plans"
    plans.mkdir()
    _write(plans, PLAN, "essai.yaml")
    landing = _zone(tmp_path, COMMENTARY)
    cli.main(
        [
            "run", "--landing", str(landing), "--plans", str(plans),
            "--warehouse", f"sqlite:///{tmp_path / 'w.sqlite'}",
            "--staging", str(tmp_path / "staging"), "--as-of", "2025-06-01",
            "--report", str(tmp_path / "report.html"),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    first = out.index(
        f"WARN ingest: check {EXPLANATIONS_MATCHED} failed on staging/result_commentary: "
        "3 explication(s) publiée(s) nulle part :"
    )
    end = "cette explication ne sera publiée nulle part"
    assert out[first + 1 : first + 4] == [
        f"  result_commentary: {FILE}:3 : plan_id=autre-2024-2026, indicator_id=1.1, "
        f"fiscal_year=2024-2025 : aucun plan du catalogue ne porte l'identifiant autre-2024-2026 "
        f": {end}",
        f"  result_commentary: {FILE}:4 : plan_id=essai-2024-2026, indicator_id=1.9, "
        f"fiscal_year=2024-2025 : le plan essai-2024-2026 n'a pas d'indicateur 1.9 : {end}",
        f"  result_commentary: {FILE}:5 : plan_id=essai-2024-2026, indicator_id=1.1, "
        f"fiscal_year=2025-2026 : l'indicateur 1.1 n'a pas de cible pour 2025-2026 : {end}",
    ]
    assert not any(f"{FILE}:2 " in line for line in out)  # the matched row is named nowhere
    assert os.environ["DAGSTER_HOME"] == str(home)
    with dg.DagsterInstance.get() as instance:
        check = dg.AssetCheckKey(staging_key("result_commentary"), EXPLANATIONS_MATCHED)
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([check])[check]
        evaluation = record.evaluation
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["explanations_staged"].value == 4
    assert evaluation.metadata["explanations_unmatched"].value == 3
